//! One integration-test binary: every test drives the real `hephaestus` binary on files in
//! `fixtures/`. Modules are named for the capability they cover.

mod harness;
mod support;

mod analyze;
mod cli;
mod config;
mod deploy;
mod hostile;
mod lifecycle;
mod llm;
mod notify;
mod parse;
mod patterns;
mod repair;
mod repos;
mod rotation;
mod rules;
mod same_output;
mod snapshots;
mod stopping;
mod threshold;
mod watch;
mod wrapped;
