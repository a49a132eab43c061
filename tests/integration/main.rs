//! One integration-test binary: every test drives the real `hephaestus` binary on files in
//! `fixtures/`. Modules are named for the capability they cover.

mod harness;

mod analyze;
mod patterns;
