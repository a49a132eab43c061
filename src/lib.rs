//! Hephaestus watches a program's logs, recognises what keeps going wrong, and proposes the code
//! change that fixes it.
//!
//! The pipeline has one module per stage, and data flows through them in this order:
//!
//! | stage        | module        | turns …                 | into …                               |
//! |--------------|---------------|-------------------------|--------------------------------------|
//! | source       | [`source`]    | stdin, files            | [`source::Line`]s                    |
//! | parse        | [`parse`]     | lines                   | [`LogEntry`]s (multi-line joined)    |
//! | pattern      | [`pattern`]   | entries                 | templates, stack traces, fingerprints|
//! | threshold    | [`threshold`] | fingerprinted entries   | [`Incident`]s                        |
//! | fix          | [`fix`]       | incidents               | [`Solution`]s (unified diffs)        |
//! | deploy       | [`deploy`]    | solutions               | printed patches, branches, PRs       |
//!
//! [`Node`] wires the stages together; an embedding program builds one from [`config::Settings`],
//! calls [`Node::process_log`] for every entry and reads [`NodeEvent`]s from the receiver it got
//! back. Only [`report`] prints.

pub mod cli;
pub mod config;
pub mod deploy;
pub mod fix;
pub mod hash;
pub mod node;
pub mod notify;
pub mod parse;
pub mod pattern;
pub mod redact;
pub mod report;
pub mod route;
pub mod source;
pub mod threshold;

mod app;
mod exit;
mod state_dir;

pub use app::run;
pub use exit::ExitStatus;
pub use fix::{Solution, SolutionState};
pub use node::{Node, NodeEvent, NodeState, Summary};
pub use parse::{Level, LogEntry};
pub use threshold::Incident;
