//! The typst `World`: the layout files, the publication as `/data.json`, the
//! edition's images under `/assets/…` (by their published names), and the bundled fonts. Nothing is read
//! from the machine's fonts or the network.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::fonts::FontStore;
use crate::layouts::LayoutFile;

/// Virtual path of the publication data.
pub const DATA_PATH: &str = "/data-v4.json";
/// Virtual path of how this lay-out is wanted (`{"proof": false}`).
pub const OPTIONS_PATH: &str = "/options.json";
/// Virtual folder of the images, by their published names.
pub const ASSETS_DIR: &str = "/assets/";

/// typst's standard library: built once per process, shared by every world.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// A typst world over in-memory files.
pub struct PublicationWorld {
    main: FileId,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    /// Which layout file each id comes from, for diagnostics.
    layout_names: HashMap<FileId, LayoutFile>,
    fonts: Arc<FontStore>,
    today: Datetime,
}

/// The interned id of a virtual path (`/layouts/publication.typ`); `None` for
/// a path typst refuses (anthology only builds plain ones).
pub fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl PublicationWorld {
    /// A world whose main file is `/layouts/<main>`.
    pub fn new(layouts: &[LayoutFile], fonts: Arc<FontStore>, main: &str, today: Datetime) -> Self {
        let mut world = Self {
            // The main file's name is anthology's own constant, not user input.
            main: file_id(&format!("/layouts/{main}")).expect("the main layout's name is a valid path"),
            sources: HashMap::new(),
            files: HashMap::new(),
            layout_names: HashMap::new(),
            fonts,
            today,
        };
        for layout in layouts {
            // Names were checked when the layouts were read.
            let Some(id) = file_id(&format!("/layouts/{}", layout.name)) else { continue };
            if layout.name.ends_with(".typ") {
                let text = String::from_utf8_lossy(&layout.bytes).into_owned();
                world.sources.insert(id, Source::new(id, text));
            } else {
                world.files.insert(id, Bytes::new(layout.bytes.clone()));
            }
            world.layout_names.insert(id, layout.clone());
        }
        world
    }

    /// Serves bytes at a virtual path, replacing what was there.
    pub fn set_file(&mut self, path: &str, bytes: Bytes) {
        if let Some(id) = file_id(path) {
            self.files.insert(id, bytes);
        }
    }

    /// Sets the date `datetime.today()` returns.
    pub fn set_today(&mut self, today: Datetime) {
        self.today = today;
    }

    /// The fonts this world serves.
    pub fn fonts(&self) -> &Arc<FontStore> {
        &self.fonts
    }

    /// The layout file behind a file id, if it is one.
    pub fn layout(&self, id: FileId) -> Option<&LayoutFile> {
        self.layout_names.get(&id)
    }
}

/// The same world compiling another of its layout files, or serving other
/// bytes at some paths: the EPUB cover is laid out beside the pages, and a
/// story printed on its own over the publication's layouts and fonts with
/// its own data and options, while other stories are laid out beside it.
pub struct Overlay<'a> {
    pub world: &'a PublicationWorld,
    main: FileId,
    files: HashMap<FileId, Bytes>,
}

impl PublicationWorld {
    /// This world with `/layouts/<main>` as the file typst compiles.
    pub fn with_main(&self, main: &str) -> Overlay<'_> {
        let main = file_id(&format!("/layouts/{main}")).expect("a valid layout name");
        Overlay { world: self, main, files: HashMap::new() }
    }

    /// This world with `files` (virtual path, bytes) served instead of its own.
    pub fn overlay(&self, files: &[(&str, Bytes)]) -> Overlay<'_> {
        let files = files.iter().filter_map(|(path, bytes)| Some((file_id(path)?, bytes.clone()))).collect();
        Overlay { world: self, main: self.main(), files }
    }
}

impl World for Overlay<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.world.library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.world.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.world.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        match self.files.get(&id) {
            Some(bytes) => Ok(bytes.clone()),
            None => self.world.file(id),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.world.font(index)
    }

    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        self.world.today(offset)
    }
}

impl World for PublicationWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.sources.get(&id) {
            Some(source) => Ok(source.clone()),
            None if self.files.contains_key(&id) => Err(FileError::NotSource),
            None => Err(FileError::NotFound(id.vpath().get_with_slash().into())),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.files.get(&id) {
            return Ok(bytes.clone());
        }
        if let Some(source) = self.sources.get(&id) {
            return Ok(Bytes::from_string(source.text().to_string()));
        }
        Err(FileError::NotFound(id.vpath().get_with_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Fixed, so that builds are reproducible.
        Some(self.today)
    }
}
