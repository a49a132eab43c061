//! Embedding the pipeline in a Rust program: read log lines from stdin, feed them to a [`Node`],
//! and handle incidents and solutions as they arrive.
//!
//! ```sh
//! cargo run --example embed < fixtures/logs/app.log
//! ```

// An embedding program prints its own way; this one just shows the events on the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, BufReader};
use std::sync::Arc;

use hephaestus::config::Settings;
use hephaestus::parse::Parser;
use hephaestus::source::{LineReader, DEFAULT_MAX_LINE_BYTES};
use hephaestus::{Node, NodeEvent};

fn main() -> anyhow::Result<()> {
    let settings = Settings::defaults();
    let (mut node, events) = Node::new(&settings);
    let mut parser = Parser::new(Arc::from("stdin"), &settings.parse);
    let lines = LineReader::new(BufReader::new(io::stdin()), DEFAULT_MAX_LINE_BYTES);

    let handle = |node: &mut Node, entry| {
        node.process_log(entry);
        for event in events.try_iter() {
            match event {
                NodeEvent::Incident(incident) => println!(
                    "incident: {} ×{} ({})",
                    incident.fingerprint.error_type, incident.count, incident.template
                ),
                NodeEvent::Solution(solution) => {
                    println!("solution: {}\n{}", solution.description, solution.diff)
                }
                NodeEvent::Error(error) => eprintln!("error: {error}"),
                NodeEvent::Warning(warning) => eprintln!("warning: {warning}"),
                NodeEvent::Note(_)
                | NodeEvent::Fix(_)
                | NodeEvent::Held(_)
                | NodeEvent::Plan(_)
                | NodeEvent::Notification(_) => {}
            }
        }
    };
    for line in lines {
        if let Some(entry) = parser.push(&line?) {
            handle(&mut node, entry);
        }
    }
    for entry in parser.finish() {
        handle(&mut node, entry);
    }
    println!(
        "{} entries, {} incidents",
        node.summary().entries,
        node.summary().incidents
    );
    Ok(())
}
