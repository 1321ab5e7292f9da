//! relgate's integration tests: one binary, a module per area, real git repositories in temporary directories.

mod common;
/// The HTTP server the unit tests use, std-only: scripted or routed replies, request log, stops by itself.
#[path = "../../src/http/test_server.rs"]
mod server;

mod build;
mod check;
mod ci;
mod index;
mod publish;
mod version;
