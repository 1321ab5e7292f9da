//! relgate's integration tests: one binary, a module per area, real git repositories in temporary directories.

mod common;

mod build;
mod check;
mod ci;
mod credentials;
mod demo;
mod faults;
mod github;
mod github_format;
mod history;
mod hooks;
mod hostile;
mod index;
mod install;
mod install_managers;
mod install_sh;
mod isolation;
mod output;
mod publish;
mod publish_auth;
mod pylint;
mod quality;
mod reads;
mod release;
mod runner;
mod settings;
mod shallow;
mod version;
