//! Photos as an editor brings them, and the print edition: each output
//! carries each photo at the resolution it needs, a photo too small for its
//! printed size is a located warning, and `--format print` is a PDF a printer
//! can take (bleed, trim and bleed boxes, crop marks, a page count a
//! multiple of 4, photos whole).

mod common;

use std::sync::OnceLock;

use common::photos::{PLACED, edition_with_photos, figure_line};
use common::{Pdf, anthology, root, squash};

/// The 2026 edition with three photos, built once (screen PDF, EPUB, print).
struct Built {
    edition: tempfile::TempDir,
    out: tempfile::TempDir,
    stderr: String,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let edition = tempfile::tempdir().unwrap();
        edition_with_photos(&root(), edition.path());
        let out = tempfile::tempdir().unwrap();
        let output = anthology()
            .arg("build")
            .arg(edition.path())
            .args(["--format", "pdf,epub,print", "--diagnostic-format", "short", "--out"])
            .arg(out.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{stderr}");
        Built { edition, out, stderr }
    })
}

fn artifact(name: &str) -> std::path::PathBuf {
    built().out.path().join(format!("featured-human-stories-2026-en{name}"))
}

/// Every image XObject of a PDF: (width, height) in pixels.
fn images(pdf: &Pdf) -> Vec<(i64, i64)> {
    pdf.doc
        .objects
        .values()
        .filter_map(|object| {
            let dict = &object.as_stream().ok()?.dict;
            (dict.get(b"Subtype").ok()?.as_name().ok()? == b"Image").then(|| {
                (dict.get(b"Width").unwrap().as_i64().unwrap(), dict.get(b"Height").unwrap().as_i64().unwrap())
            })
        })
        .collect()
}

/// The text column: 120 mm on A4.
const COLUMN_MM: f64 = 210.0 - 22.0 - 68.0;

#[test]
fn the_screen_pdf_carries_photos_at_no_more_than_300_ppi() {
    let pdf_path = artifact(".pdf");
    let size = std::fs::metadata(&pdf_path).unwrap().len();
    assert!(size <= 1_600_000, "screen PDF of {size} bytes");
    let pdf = Pdf::open(&pdf_path);
    let photos: Vec<(i64, i64)> = images(&pdf).into_iter().filter(|&(w, _)| w >= 200).collect();
    assert_eq!(photos.len(), 3, "three photos: {photos:?}");
    for (width, _) in &photos {
        // Each is printed across the text column (none is taller than 11 cm there).
        let ppi = *width as f64 / (COLUMN_MM / 25.4);
        assert!(ppi <= 300.0, "a photo at {ppi:.0} ppi in the screen PDF");
    }
    // The large ones are reduced to about 250 ppi, the small one is as given.
    assert!(photos.contains(&(1181, 787)), "{photos:?}");
    assert!(photos.contains(&(240, 160)), "{photos:?}");
}

#[test]
fn the_epub_carries_photos_for_a_screen() {
    let path = artifact(".epub");
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size <= 1_600_000, "EPUB of {size} bytes");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut photos = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let name = file.name().to_string();
        if !name.contains("media/") || name.ends_with("cover.png") {
            continue;
        }
        assert!(file.size() <= 700_000, "{name} is {} bytes", file.size());
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
        let (w, h) = image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .unwrap()
            .into_dimensions()
            .unwrap();
        photos.push((name, w.max(h), image::guess_format(&bytes).unwrap() == image::ImageFormat::Jpeg));
    }
    photos.sort();
    // The PNG photo is published as a JPEG; every longest side is 1600 or less.
    let longest: Vec<u32> = photos.iter().map(|(_, l, _)| *l).collect();
    assert_eq!(longest, [1600, 240, 1600], "{photos:?}");
    assert!(photos.iter().all(|(_, _, jpeg)| *jpeg), "{photos:?}");
}

#[test]
fn a_photo_too_small_for_its_size_is_a_warning_at_its_line() {
    let built = built();
    let (story, file, ..) = PLACED[2];
    let line = figure_line(built.edition.path(), story, file);
    let expected = format!(
        "{story}:{line}:1: warning: the photo `../images/{file}` is 240 × 160 pixels: printed 120 mm wide, that is 51 ppi"
    );
    assert!(built.stderr.contains(&expected), "{expected}\n{}", built.stderr);
    // The large photos are not.
    assert_eq!(built.stderr.matches("will look soft").count(), 1, "{}", built.stderr);
}

#[test]
fn the_print_edition_has_bleed_boxes_marks_and_binds() {
    let pdf = Pdf::open(&artifact("-print.pdf"));
    let pages = pdf.doc.get_pages();
    assert_eq!(pages.len() % 4, 0, "{} pages", pages.len());
    let mm = 72.0 / 25.4;
    for (number, id) in &pages {
        let page = pdf.doc.get_dictionary(*id).unwrap();
        let rect = |key: &[u8]| -> Vec<f64> {
            page.get(key).unwrap().as_array().unwrap().iter().map(|o| o.as_float().unwrap() as f64).collect()
        };
        let (trim, bleed, media) = (rect(b"TrimBox"), rect(b"BleedBox"), rect(b"MediaBox"));
        let close = |a: f64, b: f64| (a - b).abs() < 0.05;
        assert!(
            close(trim[2] - trim[0], 210.0 * mm) && close(trim[3] - trim[1], 297.0 * mm),
            "page {number}: {trim:?}"
        );
        for (t, b, sign) in
            [(trim[0], bleed[0], -1.0), (trim[1], bleed[1], -1.0), (trim[2], bleed[2], 1.0), (trim[3], bleed[3], 1.0)]
        {
            assert!(
                close(b, t + sign * 3.0 * mm),
                "page {number}: BleedBox {bleed:?} is the TrimBox {trim:?} and 3 mm"
            );
        }
        // Room for the crop marks outside the bleed.
        assert!(media[0] < bleed[0] - 5.0 * mm && media[2] > bleed[2] + 5.0 * mm, "page {number}: {media:?}");
    }
    // The 3000 px photo whole; the back page last.
    assert!(images(&pdf).contains(&(3000, 2000)), "{:?}", images(&pdf));
    let text = pdf.pages_text();
    assert!(squash(text.last().unwrap()).contains("WhatsOn"));
}

#[test]
fn the_print_covers_colour_runs_into_the_bleed_and_marks_stand_outside_it() {
    use anthology::diag::Diagnostics;
    let built = built();
    let mut diags = Diagnostics::default();
    let loaded = anthology::pipeline::load(built.edition.path(), &mut diags).unwrap();
    let time = anthology::pipeline::datetime(0).unwrap();
    let mut layouter = anthology::layout::Layouter::new();
    let laid_out =
        layouter.lay_out(loaded.layout_input(), time, false, anthology::layout::Variant::Print, &mut diags).unwrap();
    let options = typst_render::RenderOptions { pixel_per_pt: typst::utils::Scalar::new(4.0), render_bleed: true };
    let pixmap = typst_render::render(&laid_out.document.pages()[0], &options);
    let pixel = |x_mm: f64, y_mm: f64| {
        let p = pixmap.pixel((x_mm * 4.0 * 72.0 / 25.4) as u32, (y_mm * 4.0 * 72.0 / 25.4) as u32).unwrap();
        (p.red(), p.green(), p.blue(), p.alpha())
    };
    let (marks, bleed) = (anthology::layout::MARKS_MM, anthology::layout::BLEED_MM);
    let navy = (0x0b, 0x2f, 0x5b, 255);
    // Navy from the bleed's outer edge, across the trim.
    assert_eq!(pixel(marks + 0.5, marks + 0.5), navy, "the bleed's corner");
    assert_eq!(pixel(marks + bleed + 20.0, marks + bleed + 20.0), navy);
    // Outside the bleed nothing but the crop marks: white paper at the corner,
    let white = (255, 255, 255, 255);
    assert_eq!(pixel(marks / 2.0, marks / 2.0), white, "the page beyond the bleed is white");
    // and a dark crop mark on the line of the trim's top edge, left of the bleed.
    let (r, g, b, _) = pixel(marks / 2.0, marks + bleed);
    assert!(r < 200 && g < 200 && b < 200, "a crop mark at the trim line: {:?}", (r, g, b));
}

#[test]
fn the_editors_photos_are_never_modified() {
    let built = built();
    for (_, file, (width, height), _) in PLACED {
        let given = if file.ends_with(".png") {
            common::photos::png(width, height)
        } else {
            common::photos::jpeg(width, height)
        };
        let on_disk = std::fs::read(built.edition.path().join("images").join(file)).unwrap();
        assert!(on_disk == given, "{file} was changed by the build");
    }
    // Nothing new was written into the edition either.
    let mut names: Vec<_> = std::fs::read_dir(built.edition.path().join("images"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["meeting.png", "small.jpg", "workshop.jpg"]);
}
