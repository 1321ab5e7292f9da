//! relgate's integration tests: one binary, a module per area, real git repositories in temporary directories.

mod common;

mod build;
mod check;
mod faults;
mod index;
mod publish;
mod quality;
mod runner;
mod version;
