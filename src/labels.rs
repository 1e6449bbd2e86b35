//! Generated strings ("Table of Contents", "Suggested citation:" …) for the six
//! UN languages. A manifest's `[labels]` overrides them; a label missing for a
//! language falls back to English with a warning.

use std::collections::BTreeMap;

/// Every label name, in the order the README documents them.
pub const KEYS: &[&str] = &[
    "table-of-contents",
    "acknowledgements",
    "suggested-citation",
    "legal-notices",
    "list-separator",
    "list-final-separator",
    "full-stop",
    "page-list",
    "cover",
    "landmarks",
    "start-of-content",
    "find-out-more",
    "notes",
    "back-to-text",
    "accessibility-summary",
    "skip-to-content",
    "previous",
    "next",
    "pager",
    "excerpt-from",
    "table",
];

/// Whether `key` is a label name.
pub fn is_known(key: &str) -> bool {
    KEYS.contains(&key)
}

const EN: &[(&str, &str)] = &[
    ("table-of-contents", "Table of Contents"),
    ("acknowledgements", "Acknowledgements"),
    ("suggested-citation", "Suggested citation:"),
    ("legal-notices", "Legal notices"),
    ("list-separator", ", "),
    ("list-final-separator", ", and "),
    ("full-stop", "."),
    ("page-list", "Pages"),
    ("cover", "Cover"),
    ("landmarks", "Guide"),
    ("start-of-content", "Start of content"),
    ("find-out-more", "Find out more"),
    ("notes", "Notes"),
    ("back-to-text", "Back to the text"),
    ("skip-to-content", "Skip to content"),
    ("previous", "Previous"),
    ("next", "Next"),
    ("pager", "Previous and next"),
    ("excerpt-from", "From"),
    ("table", "Table"),
    (
        "accessibility-summary",
        "This publication has a navigable table of contents, headings for every section and story, page numbers matching the print edition, and text alternatives for its images.",
    ),
];

const FR: &[(&str, &str)] = &[
    ("table-of-contents", "Table des matières"),
    ("acknowledgements", "Remerciements"),
    ("suggested-citation", "Citation recommandée\u{a0}:"),
    ("legal-notices", "Mentions légales"),
    ("list-separator", ", "),
    ("list-final-separator", " et "),
    ("full-stop", "."),
    ("page-list", "Pages"),
    ("cover", "Couverture"),
    ("landmarks", "Repères"),
    ("start-of-content", "Début du contenu"),
    ("find-out-more", "Pour en savoir plus"),
    ("notes", "Notes"),
    ("back-to-text", "Retour au texte"),
    ("skip-to-content", "Aller au contenu"),
    ("previous", "Précédent"),
    ("next", "Suivant"),
    ("pager", "Pages voisines"),
    ("excerpt-from", "Extrait de"),
    ("table", "Tableau"),
    (
        "accessibility-summary",
        "Cette publication comporte une table des matières navigable, des titres pour chaque section et chaque récit, une numérotation des pages identique à l’édition imprimée et des textes de remplacement pour ses images.",
    ),
];

const ES: &[(&str, &str)] = &[
    ("table-of-contents", "Índice"),
    ("acknowledgements", "Agradecimientos"),
    ("suggested-citation", "Cita sugerida:"),
    ("legal-notices", "Avisos legales"),
    ("list-separator", ", "),
    ("list-final-separator", " y "),
    ("full-stop", "."),
    ("page-list", "Páginas"),
    ("cover", "Portada"),
    ("landmarks", "Puntos de referencia"),
    ("start-of-content", "Inicio del contenido"),
    ("find-out-more", "Más información"),
    ("notes", "Notas"),
    ("back-to-text", "Volver al texto"),
    ("skip-to-content", "Ir al contenido"),
    ("previous", "Anterior"),
    ("next", "Siguiente"),
    ("pager", "Páginas contiguas"),
    ("excerpt-from", "Extraído de"),
    ("table", "Tabla"),
    (
        "accessibility-summary",
        "Esta publicación tiene un índice navegable, títulos para cada sección e historia, números de página que coinciden con la edición impresa y textos alternativos para sus imágenes.",
    ),
];

const RU: &[(&str, &str)] = &[
    ("table-of-contents", "Содержание"),
    ("acknowledgements", "Выражение признательности"),
    ("suggested-citation", "Рекомендуемая ссылка:"),
    ("legal-notices", "Правовая информация"),
    ("list-separator", ", "),
    ("list-final-separator", " и "),
    ("full-stop", "."),
    ("page-list", "Страницы"),
    ("cover", "Обложка"),
    ("landmarks", "Ориентиры"),
    ("start-of-content", "Начало основного текста"),
    ("find-out-more", "Узнать больше"),
    ("notes", "Примечания"),
    ("back-to-text", "Вернуться к тексту"),
    ("skip-to-content", "Перейти к тексту"),
    ("previous", "Назад"),
    ("next", "Далее"),
    ("pager", "Соседние страницы"),
    ("excerpt-from", "Из публикации"),
    ("table", "Таблица"),
    (
        "accessibility-summary",
        "Публикация содержит навигационное оглавление, заголовки всех разделов и историй, нумерацию страниц печатного издания и текстовые описания изображений.",
    ),
];

const AR: &[(&str, &str)] = &[
    ("table-of-contents", "المحتويات"),
    ("acknowledgements", "شكر وتقدير"),
    ("suggested-citation", "الاقتباس المقترح:"),
    ("legal-notices", "إشعارات قانونية"),
    ("list-separator", "، "),
    ("list-final-separator", " و"),
    ("full-stop", "."),
    ("page-list", "الصفحات"),
    ("cover", "الغلاف"),
    ("landmarks", "معالم الكتاب"),
    ("start-of-content", "بداية المحتوى"),
    ("find-out-more", "لمزيد من المعلومات"),
    ("notes", "الحواشي"),
    ("back-to-text", "العودة إلى النص"),
    ("skip-to-content", "الانتقال إلى المحتوى"),
    ("previous", "السابق"),
    ("next", "التالي"),
    ("pager", "الصفحات المجاورة"),
    ("excerpt-from", "من منشور"),
    ("table", "جدول"),
    (
        "accessibility-summary",
        "يتضمن هذا المنشور جدول محتويات قابلاً للتصفح، وعناوين لكل قسم وقصة، وأرقام صفحات مطابقة للطبعة المطبوعة، ونصوصاً بديلة لصوره.",
    ),
];

const ZH: &[(&str, &str)] = &[
    ("table-of-contents", "目录"),
    ("acknowledgements", "致谢"),
    ("suggested-citation", "建议引用："),
    ("legal-notices", "法律声明"),
    ("list-separator", "、"),
    ("list-final-separator", "和"),
    ("full-stop", "。"),
    ("page-list", "页码"),
    ("cover", "封面"),
    ("landmarks", "导览"),
    ("start-of-content", "正文开始"),
    ("find-out-more", "了解更多"),
    ("notes", "注释"),
    ("back-to-text", "返回正文"),
    ("skip-to-content", "跳至正文"),
    ("previous", "上一篇"),
    ("next", "下一篇"),
    ("pager", "前后页面"),
    ("excerpt-from", "选自"),
    ("table", "表格"),
    (
        "accessibility-summary",
        "本出版物包含可导航的目录、每个章节和故事的标题、与印刷版一致的页码，以及图像的替代文字。",
    ),
];

/// The built-in table for a primary language subtag, if there is one.
fn table(lang: &str) -> Option<&'static [(&'static str, &'static str)]> {
    match lang {
        "en" => Some(EN),
        "fr" => Some(FR),
        "es" => Some(ES),
        "ru" => Some(RU),
        "ar" => Some(AR),
        "zh" => Some(ZH),
        _ => None,
    }
}

/// The double quotation marks of a language (opening, closing), as typst's
/// own table has them, for `smart-quotes`: « » with narrow no-break spaces in
/// French, « » in Spanish, Russian and Arabic, „ “ in German …
pub fn quotation_marks(lang: &str, region: Option<&str>) -> (&'static str, &'static str) {
    match (lang, region) {
        ("de", Some("CH" | "LI")) => ("«", "»"),
        ("fr", Some("CH")) | ("fr", _) => ("«\u{202F}", "\u{202F}»"),
        ("cs" | "de" | "et" | "is" | "lt" | "lv" | "sk" | "sl", _) => ("„", "“"),
        ("bs" | "fi" | "sv" | "he", _) => ("”", "”"),
        ("es", Some("ES") | None) | ("gl" | "it" | "la" | "no" | "nb" | "nn" | "ru" | "uk" | "el" | "ar", _) => {
            ("«", "»")
        }
        ("hu" | "pl" | "ro" | "hr", _) => ("„", "”"),
        ("bg", _) => ("„", "“"),
        ("fa" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb", _) => ("”", "“"),
        _ => ("“", "”"),
    }
}

/// Whether anthology has built-in labels for this primary language subtag.
pub fn has_builtin(lang: &str) -> bool {
    table(lang).is_some()
}

/// A label that had to fall back to English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub key: &'static str,
}

/// Resolves every label: manifest override, else the language's table, else English.
pub fn resolve(lang: &str, overrides: &BTreeMap<String, String>) -> (BTreeMap<String, String>, Vec<Fallback>) {
    let builtin = table(lang);
    let mut labels = BTreeMap::new();
    let mut fallbacks = Vec::new();
    for &key in KEYS {
        let value = if let Some(v) = overrides.get(key) {
            v.clone()
        } else if let Some(v) = builtin.and_then(|t| lookup(t, key)) {
            v.to_string()
        } else {
            fallbacks.push(Fallback { key });
            lookup(EN, key).unwrap_or_default().to_string()
        };
        labels.insert(key.to_string(), value);
    }
    (labels, fallbacks)
}

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Joins names as a sentence: "A, B, and C" (per the language's separators).
pub fn join_list(items: &[String], labels: &BTreeMap<String, String>) -> String {
    let sep = labels.get("list-separator").map_or(", ", String::as_str);
    let last = labels.get("list-final-separator").map_or(", and ", String::as_str);
    match items {
        [] => String::new(),
        [one] => one.clone(),
        // Two names take no serial comma: "A and B", not "A, and B".
        [first, second] => {
            let pair = last.strip_prefix(sep.trim_end()).filter(|rest| rest.starts_with(' ')).unwrap_or(last);
            format!("{first}{}{second}", euphonic(pair, second))
        }
        [init @ .., final_item] => format!("{}{}{final_item}", init.join(sep), euphonic(last, final_item)),
    }
}

/// Spanish writes "e" for "y" before a word that begins with the sound /i/
/// (i-, hi-, but not hie- or hia-, where the i is a glide): "Save the
/// Children e Integrity Action".
fn euphonic<'a>(separator: &'a str, next: &str) -> std::borrow::Cow<'a, str> {
    let lower = next.trim_start().to_lowercase();
    let sound_i = ["i", "í", "hi", "hí"].iter().any(|p| lower.starts_with(p))
        && !["hie", "hia", "hio", "hiu"].iter().any(|p| lower.starts_with(p));
    if separator == " y " && sound_i { " e ".into() } else { separator.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_and_before_an_i_sound_is_e() {
        let (labels, _) = resolve("es", &BTreeMap::new());
        let join = |items: &[&str]| join_list(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &labels);
        assert_eq!(join(&["UNODC", "Integrity Action"]), "UNODC e Integrity Action");
        assert_eq!(join(&["A", "B", "Hilfswerk"]), "A, B e Hilfswerk");
        assert_eq!(join(&["A", "Hierro"]), "A y Hierro");
        assert_eq!(join(&["A", "Oxfam"]), "A y Oxfam");
        let (english, _) = resolve("en", &BTreeMap::new());
        assert_eq!(join_list(&["A".into(), "Integrity".into()], &english), "A and Integrity");
        assert_eq!(join_list(&["A".into(), "B".into(), "C".into()], &english), "A, B, and C");
    }

    #[test]
    fn every_builtin_table_has_every_key() {
        for lang in ["en", "fr", "es", "ru", "ar", "zh"] {
            let (_, fallbacks) = resolve(lang, &BTreeMap::new());
            assert!(fallbacks.is_empty(), "{lang} misses {fallbacks:?}");
        }
    }

    #[test]
    fn unknown_language_falls_back_to_english_per_key() {
        let mut overrides = BTreeMap::new();
        overrides.insert("table-of-contents".to_string(), "Inhalt".to_string());
        let (labels, fallbacks) = resolve("de", &overrides);
        assert_eq!(labels["table-of-contents"], "Inhalt");
        assert_eq!(labels["acknowledgements"], "Acknowledgements");
        assert_eq!(fallbacks.len(), KEYS.len() - 1);
    }

    #[test]
    fn lists_join_with_the_final_separator() {
        let (en, _) = resolve("en", &BTreeMap::new());
        let items = ["A".to_string(), "B".to_string(), "C".to_string()];
        assert_eq!(join_list(&items, &en), "A, B, and C");
        let (zh, _) = resolve("zh", &BTreeMap::new());
        assert_eq!(join_list(&items, &zh), "A、B和C");
    }
}
