//! Which build backend builds the project: the one question that decides where its version comes from.
//!
//! Each backend reads its own configuration and ignores everyone else's (hatchling never reads
//! `[tool.setuptools.dynamic]`, setuptools never reads `[tool.hatch.version]`), so the version is looked for
//! only where the backend that builds the package looks. A pyproject.toml without `build-backend` gets pip's
//! setuptools (PEP 517), but such projects are also built by their tool's own command (`poetry build`,
//! `flit build`, `hatch build`), which reads its own table: every source is tried, as for an unknown backend.

use crate::toml_file::TomlFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Setuptools,
    Hatchling,
    Flit,
    Pdm,
    Poetry,
    /// poetry-dynamic-versioning's backend, which wraps poetry-core and takes the version from git tags.
    PoetryDynamicVersioning,
    Maturin,
    ScikitBuild,
    Meson,
    /// A backend relgate does not know (an in-tree backend, one of the rarer ones), or none declared: every
    /// known version source is tried, the most specific first.
    Other,
}

impl Backend {
    /// The backend of a project with this pyproject.toml (`None`: a setup.py/setup.cfg-only project).
    pub fn of(py: Option<&TomlFile>) -> Backend {
        let Some(py) = py else {
            return Backend::Setuptools;
        };
        let Some(name) = py.get_str(&["build-system", "build-backend"]) else {
            return Backend::Other;
        };
        // `module:object` names an object in the module; the module decides.
        match name.split(':').next().unwrap_or(name).trim() {
            "setuptools.build_meta" => Backend::Setuptools,
            // Not `hatchling.ouroboros`: hatchling building itself keeps its configuration in Python code.
            "hatchling.build" => Backend::Hatchling,
            "flit_core.buildapi" | "flit.buildapi" | "flit_core.build_thyself" => Backend::Flit,
            "pdm.backend" | "pdm.pep517.api" | "pdm.backend.intree" => Backend::Pdm,
            "poetry.core.masonry.api" | "poetry.masonry.api" => Backend::Poetry,
            "poetry_dynamic_versioning.backend" => Backend::PoetryDynamicVersioning,
            // pyo3-pack was maturin's first name.
            "maturin" | "pyo3_pack" => Backend::Maturin,
            "scikit_build_core.build" => Backend::ScikitBuild,
            "mesonpy" => Backend::Meson,
            _ => Backend::Other,
        }
    }

    /// The backend's name in messages.
    pub fn label(self) -> &'static str {
        match self {
            Backend::Setuptools => "setuptools",
            Backend::Hatchling => "hatchling",
            Backend::Flit => "flit_core",
            Backend::Pdm => "pdm-backend",
            Backend::Poetry => "poetry-core",
            Backend::PoetryDynamicVersioning => "poetry-dynamic-versioning",
            Backend::Maturin => "maturin",
            Backend::ScikitBuild => "scikit-build-core",
            Backend::Meson => "meson-python",
            Backend::Other => "the project's build backend",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Backend {
        Backend::of(Some(
            &TomlFile::parse("pyproject.toml", text.to_owned()).unwrap(),
        ))
    }

    #[test]
    fn named_backends_and_the_legacy_default() {
        assert_eq!(Backend::of(None), Backend::Setuptools);
        assert_eq!(of("[tool.black]\n"), Backend::Other);
        assert_eq!(
            of("[build-system]\nbuild-backend = \"setuptools.build_meta:__legacy__\"\n"),
            Backend::Setuptools
        );
        assert_eq!(
            of("[build-system]\nbuild-backend = \"flit.buildapi\"\n"),
            Backend::Flit
        );
        assert_eq!(
            of("[build-system]\nbuild-backend = \"backend\"\nbackend-path = [\"_build\"]\n"),
            Backend::Other
        );
    }
}
