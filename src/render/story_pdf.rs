//! `--format story-pdf`: every story as a PDF of its own, in
//! `<file-stem>-<language>-stories/<story>.pdf`, for colleagues to post or
//! attach.
//!
//! A story is set as in the publication (the same layout, theme and fonts)
//! with a band above its title naming the publication, its publisher and
//! year, and giving its suggested citation. Each is tagged PDF/UA-1 like the
//! publication; typst-pdf cannot tag part of a document (it refuses page
//! ranges with tagging), so each story is laid out on its own: the
//! publication's data reduced to that story, over the publication's world,
//! the stories side by side on every core.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use typst::foundations::Bytes;

use super::{Artifact, Context, Renderer};
use crate::diag::{Diagnostics, Failed};
use crate::layout::{Variant, world};
use crate::model::{Body, Entry, EntryKind, Publication};

/// `--format story-pdf`.
pub struct StoryPdf;

impl Renderer for StoryPdf {
    fn name(&self) -> &'static str {
        "story-pdf"
    }

    fn render(&self, context: &Context, diags: &mut Diagnostics) -> Result<Vec<Artifact>, Failed> {
        let publication = context.publication;
        let folder = super::artifact_name(publication, "-stories");
        let stories: Vec<&Entry> = publication.entries.iter().filter(|e| e.kind() == EntryKind::Story).collect();
        // The publication without its entries, cloned once: each story's data is this and the story.
        let shell = Publication { entries: Vec::new(), ..publication.clone() };
        let excerpt = excerpt(publication);
        let names = file_names(&stories);
        let next = AtomicUsize::new(0);
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(stories.len()).max(1);
        let mut results: Vec<(usize, Diagnostics, Result<Artifact, Failed>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let n = next.fetch_add(1, Ordering::Relaxed);
                            let Some(story) = stories.get(n) else { break };
                            let mut local = Diagnostics::default();
                            let name = format!("{folder}/{}", names[n]);
                            let result = render_story(context, &shell, story, &excerpt, name, &mut local);
                            done.push((n, local, result));
                        }
                        done
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        });
        results.sort_by_key(|(n, ..)| *n);
        let mut artifacts = Vec::new();
        let mut failed = false;
        for (_, local, result) in results {
            diags.extend(local);
            match result {
                Ok(artifact) => artifacts.push(artifact),
                Err(Failed) => failed = true,
            }
        }
        if failed { Err(Failed) } else { Ok(artifacts) }
    }
}

/// The files the stories' PDFs get, in order: each its Markdown file's
/// name, safe in a file name (`stories/haiti-rapha-gitoc.md` →
/// `haiti-rapha-gitoc.pdf`), `-2` after a name an earlier story has. Unlike
/// entry ids, names the other outputs reserve (`index`, `toc`) are free here.
pub fn file_names(stories: &[&Entry]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    stories
        .iter()
        .map(|story| {
            let base = story.source.as_deref().map_or_else(|| story.id.0.clone(), crate::content::file_slug);
            format!("{}.pdf", crate::content::unique(base, &mut taken))
        })
        .collect()
}

/// What the band of every story says: where it comes from, how to cite it.
fn excerpt(publication: &Publication) -> serde_json::Value {
    let meta = &publication.meta;
    let citation = publication.entries.iter().find_map(|e| match &e.body {
        Body::Acknowledgements { legal, .. } => Some(&legal.citation),
        _ => None,
    });
    serde_json::json!({
        "from": publication.labels["excerpt-from"],
        "title": meta.title,
        "subtitle": meta.subtitle,
        // The short form (UNODC) keeps the band to a line.
        "publisher": meta.publisher_short.as_ref().unwrap_or(&meta.publisher),
        "year": meta.year,
        "citation_label": publication.labels["suggested-citation"],
        "citation": citation,
    })
}

/// Lays out and exports one story.
fn render_story(
    context: &Context,
    shell: &Publication,
    story: &Entry,
    excerpt: &serde_json::Value,
    name: String,
    diags: &mut Diagnostics,
) -> Result<Artifact, Failed> {
    let meta = &shell.meta;
    let mut story = story.clone();
    let mut data = Publication { entries: Vec::new(), ..shell.clone() };
    // A story still in another language (a mixed edition) is a document in that language.
    if let Some(language) = story.language.take() {
        data.meta.language = language.tag;
        data.meta.lang = language.lang;
        data.meta.region = language.region;
        data.meta.direction = language.direction;
        data.meta.script = language.script;
    }
    // The document is the story: its title, and where it comes from as its description.
    data.meta.metadata_title = story.title.clone();
    let separator = &shell.labels["list-separator"];
    data.meta.subject = Some(format!(
        "{} {}{separator}{}{separator}{}",
        shell.labels["excerpt-from"], meta.title, meta.publisher, meta.year
    ));
    let id = story.id.clone();
    data.entries.push(story);
    let data = crate::layout::data(&data, diags)?;
    let mut options = crate::layout::options(Variant::Screen);
    options["excerpt"] = excerpt.clone();
    let world = context.laid_out.world;
    let overlay =
        world.overlay(&[(world::DATA_PATH, data), (world::OPTIONS_PATH, Bytes::new(options.to_string().into_bytes()))]);
    let document = crate::layout::compile(&overlay, world, diags)?;
    let ident = format!("{}#{id}", meta.urn());
    let bytes = super::pdf::write(context, &document, ident, false, diags)?;
    Ok(Artifact { name, bytes, pages: Some(document.pages().len()) })
}
