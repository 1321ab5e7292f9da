//! What Python packaging means by a name, a distribution file, a virtualenv and an INI file: the vocabulary
//! every gate shares, each defined once here.
//!
//! - [`name`]: project (distribution) names and their PEP 503 normal form, through `pep508_rs`.
//! - [`dist_file`]: the names of sdists, wheels and eggs, and the version they carry.
//! - [`venv`]: the project's virtualenv, found the same way by every check that runs the project's tools.
//! - [`ini`]: the INI dialect of setup.cfg, tox.ini, mypy.ini and .flake8, with line numbers.

pub mod dist_file;
pub mod ini;
pub mod name;
pub mod venv;
