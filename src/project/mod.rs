//! What the Python project declares, read statically (never by running Python or setup.py).
//!
//! Files are read through a [`Source`]: the tagged commit's tree (what is released) or the working tree.

mod source;

pub use source::{Source, TreeSource, WorkTreeSource};

use serde::Serialize;

/// Where the declared version comes from; the JSON report's `version_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionSource {
    Static,
    Poetry,
    HatchFile,
    SetuptoolsAttr,
    SetuptoolsFile,
    SetupCfg,
    SetupPy,
    Flit,
    PdmFile,
    /// `[tool.pdm] version`: PDM's own metadata table, before PEP 621.
    Pdm,
    /// maturin: the crate's Cargo.toml.
    Cargo,
    /// scikit-build-core's regex provider.
    ScikitBuild,
    /// meson-python: meson.build's `project(version: ...)`.
    Meson,
    Vcs,
    /// `[tool.relgate] version-file`.
    Config,
}

impl VersionSource {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionSource::Static => "static",
            VersionSource::Poetry => "poetry",
            VersionSource::HatchFile => "hatch-file",
            VersionSource::SetuptoolsAttr => "setuptools-attr",
            VersionSource::SetuptoolsFile => "setuptools-file",
            VersionSource::SetupCfg => "setup-cfg",
            VersionSource::SetupPy => "setup-py",
            VersionSource::Flit => "flit",
            VersionSource::PdmFile => "pdm-file",
            VersionSource::Pdm => "pdm",
            VersionSource::Cargo => "cargo",
            VersionSource::ScikitBuild => "scikit-build",
            VersionSource::Meson => "meson",
            VersionSource::Vcs => "vcs",
            VersionSource::Config => "config",
        }
    }
}

/// The project's name and version as declared in its files.
#[derive(Debug, Clone, Serialize)]
pub struct Declared {
    pub name: Option<String>,
    /// The version string as written; `None` for VCS-derived versions (the tag is the version).
    pub version: Option<String>,
    pub source: VersionSource,
    /// The file the version was read from, relative to the project directory.
    pub file: Option<String>,
    pub line: Option<u32>,
    /// The VCS plugin, for `vcs` sources (e.g. `setuptools-scm`).
    pub vcs_tool: Option<String>,
}

mod backend;
mod backends;
mod discover;
mod dynamic;
mod legacy;
mod pymodule;
pub mod rewrite;

pub use backend::Backend;
pub use discover::declared;
