//! `cargo bench`: anthology on the real edition against typst alone.
//!
//! Measures, each as the median of several cold runs (typst's memoization
//! caches evicted before each):
//! - the full in-process build (PDF and EPUB) and the share of each stage;
//! - typst alone: the same layout and data compiled and exported to PDF
//!   through typst's API, without anthology's other stages;
//! - an edition 20 times larger (every story repeated under distinct titles);
//! - peak memory of the `anthology build` process for both editions;
//! - the edition with three phone photos against the edition without them,
//!   as `anthology build` processes (photos are decoded and resized once per
//!   process, so each run pays for them).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anthology::diag::Diagnostics;
use anthology::pipeline::{self, BuildOptions};

const RUNS: usize = 15;

/// The photos the tests place, shared with them.
#[path = "../tests/common/photos.rs"]
#[allow(dead_code)]
mod photos;

/// Copies a folder recursively (`photos` copies the edition with it).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn fastest(samples: &[Duration]) -> Duration {
    samples.iter().copied().min().expect("at least one run")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn cold() {
    typst::comemo::evict(0);
}

/// Stage timings of one cold build, done stage by stage (no concurrency).
struct Stages {
    load: Duration,
    compile: Duration,
    export: Duration,
    epub: Duration,
}

fn stages(edition: &Path) -> Stages {
    use anthology::render::Renderer;
    cold();
    let mut diags = Diagnostics::default();
    let start = Instant::now();
    let loaded = pipeline::load(edition, &mut diags).expect("the edition loads");
    let load = start.elapsed();

    let publication = &loaded.publication;
    let epoch = pipeline::epoch(publication, None);
    let time = pipeline::datetime(epoch).expect("a valid time");
    let mut layouter = anthology::layout::Layouter::new();
    let start = Instant::now();
    // Lay out (typst compile and the pagination), and the cover picture the EPUB uses.
    let laid_out = layouter
        .lay_out(loaded.layout_input(), time, true, anthology::layout::Variant::Screen, &mut diags)
        .expect("the layout compiles");
    let compile = start.elapsed();
    let context = anthology::render::Context {
        publication,
        assets: &loaded.assets,
        layouts: &loaded.layouts,
        laid_out: &laid_out,
        proof: None,
        print: None,
        time,
        epoch,
    };

    let start = Instant::now();
    let pdf = anthology::render::pdf::Pdf.render(&context, &mut diags).unwrap();
    let export = start.elapsed();
    assert!(pdf[0].bytes.starts_with(b"%PDF"));

    let start = Instant::now();
    anthology::render::epub::Epub.render(&context, &mut diags).unwrap();
    let epub = start.elapsed();
    Stages { load, compile, export, epub }
}

/// One cold full build, as `anthology build` does it (PDF and EPUB concurrently).
fn full(edition: &Path) -> Duration {
    full_with(edition, &BuildOptions::default())
}

/// One cold full build of the formats `options` asks for.
fn full_with(edition: &Path, options: &BuildOptions) -> Duration {
    cold();
    let mut diags = Diagnostics::default();
    let start = Instant::now();
    let built = pipeline::build(edition, options, &mut diags).expect("the edition builds");
    let elapsed = start.elapsed();
    assert!(built.artifacts.len() >= options.renderers.len());
    elapsed
}

/// typst alone: the world is ready (layout, data, fonts); compilation and
/// PDF export through typst's API only.
fn typst_alone(edition: &Path) -> Duration {
    let mut diags = Diagnostics::default();
    let loaded = pipeline::load(edition, &mut diags).unwrap();
    let publication = &loaded.publication;
    let time = pipeline::datetime(pipeline::epoch(publication, None)).expect("a valid time");
    let mut layouter = anthology::layout::Layouter::new();
    let world = layouter
        .lay_out(loaded.layout_input(), time, false, anthology::layout::Variant::Screen, &mut diags)
        .unwrap()
        .world;
    cold();
    let start = Instant::now();
    let document = typst::compile::<typst_layout::PagedDocument>(world).output.unwrap();
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(publication.meta.urn()),
        standards: typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::Ua_1, typst_pdf::PdfStandard::A_2a]).unwrap(),
        tagged: true,
        timestamp: Some(typst_pdf::Timestamp::new_utc(time)),
        ..typst_pdf::PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).unwrap();
    let elapsed = start.elapsed();
    assert!(pdf.starts_with(b"%PDF"));
    elapsed
}

/// The real edition with every story repeated `times` times under distinct titles.
fn larger_edition(source: &Path, times: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    };
    let manifest = std::fs::read_to_string(source.join("publication.toml")).unwrap();
    let stories_start = manifest.find("stories = [").unwrap();
    let stories_end = stories_start + manifest[stories_start..].find(']').unwrap() + 1;
    let stories: Vec<&str> = manifest[stories_start..stories_end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"')?.split('"').next())
        .collect();
    let mut listed = Vec::new();
    for round in 1..=times {
        for story in &stories {
            let text = std::fs::read_to_string(source.join(story)).unwrap();
            let rel = story.replace(".md", &format!("-{round}.md"));
            let text = text.replacen("title = \"", &format!("title = \"({round}) "), 1);
            let text = text.replace("toc-title = \"", &format!("toc-title = \"({round}) "));
            std::fs::create_dir_all(dir.path().join(&rel).parent().unwrap()).unwrap();
            std::fs::write(dir.path().join(&rel), text).unwrap();
            listed.push(format!("  \"{rel}\","));
        }
    }
    let manifest =
        format!("{}stories = [\n{}\n]{}", &manifest[..stories_start], listed.join("\n"), &manifest[stories_end..]);
    std::fs::write(dir.path().join("publication.toml"), manifest).unwrap();
    for file in ["introduction.md", "what-are-human-stories.md", "whatson.md"] {
        copy(&source.join(file), &dir.path().join(file));
    }
    dir
}

/// Runs `anthology build` and returns (wall time, peak resident memory in MiB).
fn process(edition: &Path) -> (Duration, f64) {
    let out = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_anthology"))
        .arg("build")
        .arg(edition)
        .arg("--out")
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(status.success());
    (elapsed, peak_child_memory_mib())
}

/// The largest resident set of any child process so far.
fn peak_child_memory_mib() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct we pass.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    // `cargo bench` passes --bench; a filter argument is ignored.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let edition = root.join("content/en");
    let large = larger_edition(&edition, 20);
    // Processes first, while this one is small: a child's peak memory counts
    // the parent's pages it starts with.
    let (time_1, memory_1) = process(&edition);
    let (time_20, memory_20) = process(large.path());
    let pages = {
        let mut diags = Diagnostics::default();
        pipeline::build(&edition, &BuildOptions::default(), &mut diags).unwrap().artifacts[0].pages.unwrap()
    };
    println!("anthology benchmark — content/en ({pages} pages), median of {RUNS} cold runs\n");

    let runs: Vec<Stages> = (0..RUNS).map(|_| stages(&edition)).collect();
    let pick = |f: fn(&Stages) -> Duration| median(runs.iter().map(f).collect());
    let (load, compile, export, epub) = (pick(|s| s.load), pick(|s| s.compile), pick(|s| s.export), pick(|s| s.epub));
    let sequential = load + compile + export + epub;
    println!("stage (one after another)            ms    share");
    for (name, d) in [
        ("load: manifest, stories, model, checks", load),
        ("lay out: typst, pagination, cover PNG", compile),
        ("PDF export (PDF/UA-1, PDF/A-2a)", export),
        ("EPUB (XHTML, stylesheet, zip)", epub),
    ] {
        println!("  {name:<38} {:>7.1}  {:>5.1}%", ms(d), 100.0 * d.as_secs_f64() / sequential.as_secs_f64());
    }
    println!("  {:<38} {:>7.1}", "sum", ms(sequential));

    // Interleaved, so that both see the same machine load.
    let (fulls, typsts): (Vec<Duration>, Vec<Duration>) =
        (0..RUNS).map(|_| (full(&edition), typst_alone(&edition))).unzip();
    let (full_build, typst) = (median(fulls.clone()), median(typsts.clone()));
    println!("\nfull build, PDF and EPUB concurrently   {:>7.1} ms", ms(full_build));
    println!("typst alone (compile + PDF export)      {:>7.1} ms", ms(typst));
    println!(
        "ratio full / typst alone                {:>7.2}  (target ≤ 1.10)",
        full_build.as_secs_f64() / typst.as_secs_f64()
    );
    let (full_min, typst_min) = (fastest(&fulls), fastest(&typsts));
    println!(
        "  fastest of each: {:.1} ms / {:.1} ms = {:.2}",
        ms(full_min),
        ms(typst_min),
        full_min.as_secs_f64() / typst_min.as_secs_f64()
    );

    // The web edition and the story PDFs (each story laid out on its own), interleaved.
    let four = BuildOptions {
        renderers: ["pdf", "epub", "html", "story-pdf"].into_iter().filter_map(anthology::render::by_name).collect(),
        source_date_epoch: None,
    };
    let (twos, fours): (Vec<Duration>, Vec<Duration>) =
        (0..RUNS).map(|_| (full(&edition), full_with(&edition, &four))).unzip();
    let (two, all) = (median(twos), median(fours));
    println!(
        "
pdf,epub                                {:>7.1} ms",
        ms(two)
    );
    println!("pdf,epub,html,story-pdf                 {:>7.1} ms", ms(all));
    println!("ratio all four / pdf,epub               {:>7.2}", all.as_secs_f64() / two.as_secs_f64());

    let large_runs = 3;
    let large_build = median((0..large_runs).map(|_| full(large.path())).collect());
    println!("\n20× edition: full build                 {:>7.1} ms (median of {large_runs})", ms(large_build));
    println!(
        "ratio 20× / 1×                          {:>7.2}  (target ≤ 22)",
        large_build.as_secs_f64() / full_build.as_secs_f64()
    );

    // Photos: processes, alternating, so that both see the same machine load.
    let with_photos = tempfile::tempdir().unwrap();
    photos::edition_with_photos(&root, with_photos.path());
    let (plain, photos): (Vec<Duration>, Vec<Duration>) =
        (0..9).map(|_| (process(&edition).0, process(with_photos.path()).0)).unzip();
    let (plain, photos) = (median(plain), median(photos));
    println!("\nphotos (3000×2000 JPEG, 2400×1600 PNG, 240×160 JPEG), `anthology build`, median of 9:");
    println!(
        "  without {:>7.1} ms   with {:>7.1} ms   ratio {:.2}  (target ≤ 1.5)",
        ms(plain),
        ms(photos),
        photos.as_secs_f64() / plain.as_secs_f64()
    );

    println!("\n`anthology build` process, wall time and peak memory (RSS):");
    println!("  1×   {:>7.1} ms  {:>7.1} MiB", ms(time_1), memory_1);
    println!("  20×  {:>7.1} ms  {:>7.1} MiB  (target < 2048 MiB)", ms(time_20), memory_20);
}
