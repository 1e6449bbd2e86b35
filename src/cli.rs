//! The command line (clap derive): the doc comments below are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diag::DiagnosticFormat;

/// anthology compiles a collection of stories — Markdown files and a TOML
/// manifest — into a paginated PDF (through embedded typst) and an EPUB 3.
///
/// Exit status: 0 success (warnings allowed), 1 content or build errors,
/// 2 usage errors.
#[derive(Debug, Parser)]
#[command(name = "anthology", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the PDF and EPUB of one or more editions.
    Build(BuildArgs),
    /// Load and validate editions without rendering anything.
    Check(CheckArgs),
    /// Rebuild an edition whenever its manifest, stories, images or layouts
    /// change, keeping typst's caches warm; runs until interrupted.
    Watch(WatchArgs),
    /// Start next year's edition: copy an edition into a new folder with a
    /// new date, identifier, file stem and citation year, and list the old
    /// year where the text still says it.
    New(NewArgs),
    /// Start a translation: copy an edition into a new folder, recording
    /// what each file was translated from.
    Init(InitArgs),
    /// Show what a translation lacks against its source: stories missing,
    /// extra, not translated yet or only in part, the paragraphs changed in
    /// the source since translated (old and new text), manifest texts and
    /// labels still in the source's language.
    Status(StatusArgs),
    /// Exchange a translation's texts with CAT tools as XLIFF 1.2.
    Xliff(XliffArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The new edition folder, e.g. content/en-2027.
    #[arg(value_name = "NEW_EDITION_DIR")]
    pub edition: PathBuf,

    /// The edition to start from, e.g. content/en.
    #[arg(long, value_name = "EDITION_DIR")]
    pub from: PathBuf,

    /// The new edition's date, YYYY-MM-DD (its year is printed on the cover
    /// and in the citation).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: String,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The new edition folder, e.g. content/fr.
    #[arg(value_name = "NEW_EDITION_DIR")]
    pub edition: PathBuf,

    /// The edition to translate from, e.g. content/en.
    #[arg(long, value_name = "EDITION_DIR")]
    pub from: PathBuf,

    /// The new edition's language (BCP 47), e.g. fr. Default: the source's.
    #[arg(long, value_name = "TAG")]
    pub language: Option<String>,
}

/// `anthology xliff`: translation units to and from CAT tools.
#[derive(Debug, Args)]
pub struct XliffArgs {
    #[command(subcommand)]
    pub command: XliffCommand,
}

#[derive(Debug, Subcommand)]
pub enum XliffCommand {
    /// Write the texts of a translation as XLIFF 1.2: one unit per paragraph,
    /// heading, list item, quote, caption, table cell and footnote, per
    /// front-matter title and per text of the manifest, with the source's
    /// text and the translation's where it has it. Prints word counts.
    Export(XliffExportArgs),
    /// Write the targets of an XLIFF file (as a CAT tool saved it) into the
    /// translation's files, and record the files it translates in full.
    Import(XliffImportArgs),
}

#[derive(Debug, Args)]
pub struct XliffExportArgs {
    /// The translated edition (made with `anthology init`).
    #[arg(value_name = "EDITION_DIR")]
    pub edition: PathBuf,

    /// The XLIFF file to write, e.g. es.xlf.
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct XliffImportArgs {
    /// The XLIFF file.
    #[arg(value_name = "FILE")]
    pub xliff: PathBuf,

    /// The translated edition to write into.
    #[arg(value_name = "EDITION_DIR")]
    pub edition: PathBuf,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The translated edition.
    #[arg(value_name = "EDITION_DIR")]
    pub edition: PathBuf,

    /// The source edition to compare with. Default: the one recorded in the
    /// manifest's [translation] table.
    #[arg(long, value_name = "EDITION_DIR")]
    pub against: Option<PathBuf>,

    /// Record the source's current version of these files as translated,
    /// after updating the translation (paths relative to the edition, or as
    /// the shell completes them, `content/es/stories/x.md`).
    #[arg(long, value_name = "FILE", num_args = 0.., conflicts_with = "against")]
    pub record: Option<Vec<String>>,

    /// With --record: record every file.
    #[arg(long, requires = "record")]
    pub all: bool,

    /// Exit with status 1 unless the translation is complete and up to date.
    #[arg(long)]
    pub strict: bool,
}

/// Which editions to work on and how to report problems.
#[derive(Debug, Args)]
pub struct EditionArgs {
    /// Edition folders (each holds a publication.toml). Default: every folder
    /// under ./content that holds one.
    #[arg(value_name = "EDITION_DIR")]
    pub editions: Vec<PathBuf>,

    /// How to print problems: `human` (source snippets) or `short`
    /// (`file:line:col: severity: message`, one per line).
    #[arg(long, value_enum, default_value_t = DiagnosticStyle::Human)]
    pub diagnostic_format: DiagnosticStyle,

    /// Treat warnings as errors (exit 1 if there are any).
    #[arg(long)]
    pub deny_warnings: bool,

    /// With --deny-warnings, accept these placeholders of a draft
    /// (comma-separated): unknown-link (`[text](unknown:)`), missing-photo
    /// (`![](unknown:)`). They are still printed.
    #[arg(long, value_delimiter = ',', value_name = "KIND", value_parser = ["unknown-link", "missing-photo"])]
    pub allow: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub editions: EditionArgs,

    /// Folder to write the artifacts, SHA256SUMS and build-report.json into.
    #[arg(long, short, value_name = "DIR", default_value = "dist")]
    pub out: PathBuf,

    /// Which outputs to make, comma-separated: pdf, epub, proof, print.
    #[arg(long, short, value_delimiter = ',', default_value = "pdf,epub", value_parser = formats())]
    pub format: Vec<String>,

    #[arg(long, env = "SOURCE_DATE_EPOCH", value_name = "SECONDS", value_parser = epoch_parser(), help = EPOCH_HELP)]
    pub source_date_epoch: Option<i64>,

    /// Also write a proof sheet, <file-stem>-<language>-proof.png: every
    /// page of the PDF as a thumbnail, to see the layout at a glance.
    #[arg(long)]
    pub proof: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The edition folder. Default: the only edition under ./content.
    #[arg(value_name = "EDITION_DIR")]
    pub edition: Option<PathBuf>,

    /// Folder to write the artifacts into.
    #[arg(long, short, value_name = "DIR", default_value = "dist")]
    pub out: PathBuf,

    /// Which outputs to make, comma-separated: pdf, epub, proof, print.
    #[arg(long, short, value_delimiter = ',', default_value = "pdf,epub", value_parser = formats())]
    pub format: Vec<String>,

    /// How to print problems: `human` or `short`.
    #[arg(long, value_enum, default_value_t = DiagnosticStyle::Human)]
    pub diagnostic_format: DiagnosticStyle,

    #[arg(long, env = "SOURCE_DATE_EPOCH", value_name = "SECONDS", value_parser = epoch_parser(), help = EPOCH_HELP)]
    pub source_date_epoch: Option<i64>,
}

/// The latest time every output format can record: zip entry times end in 2107.
pub const MAX_EPOCH: i64 = 4_354_819_199;

const EPOCH_HELP: &str = "Seconds since 1970 (0 to 4354819199, that is up to the end of 2107) used for every \
    timestamp in the outputs, for reproducible builds. Default: the manifest's date";

fn epoch_parser() -> clap::builder::RangedI64ValueParser<i64> {
    clap::value_parser!(i64).range(0..=MAX_EPOCH)
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub editions: EditionArgs,
}

/// The output formats, by the names of their renderers.
fn formats() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::render::names())
}

/// How problems are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DiagnosticStyle {
    /// Source snippets with carets and hints.
    #[default]
    Human,
    /// One `file:line:col: severity: message` line each.
    Short,
}

impl From<DiagnosticStyle> for DiagnosticFormat {
    fn from(style: DiagnosticStyle) -> Self {
        match style {
            DiagnosticStyle::Human => DiagnosticFormat::Human,
            DiagnosticStyle::Short => DiagnosticFormat::Short,
        }
    }
}
