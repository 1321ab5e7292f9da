//! relgate's integration tests: one binary, a module per area, real git repositories in temporary directories.

mod common;

mod build;
mod check;
mod ci;
mod faults;
mod hooks;
mod hostile;
mod index;
mod install;
mod install_managers;
mod install_sh;
mod publish;
mod quality;
mod runner;
mod shallow;
mod version;
