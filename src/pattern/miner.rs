//! Online template mining.

use std::collections::HashMap;

/// The miner's answer for one message.
#[derive(Debug, Clone)]
pub struct Mined {
    pub id: String,
    pub template: String,
    pub params: Vec<String>,
}

/// Groups masked messages into templates.
#[derive(Debug)]
pub struct Miner {
    max: usize,
    seen: HashMap<String, String>,
}

impl Miner {
    pub fn new(max: usize) -> Miner {
        Miner {
            max,
            seen: HashMap::new(),
        }
    }

    /// Add a (masked) message; returns its template.
    pub fn add(&mut self, masked: &str) -> Mined {
        let id = template_id(masked);
        if self.seen.len() < self.max {
            self.seen
                .entry(masked.to_owned())
                .or_insert_with(|| id.clone());
        }
        Mined {
            id,
            template: masked.to_owned(),
            params: Vec::new(),
        }
    }
}

/// Stable id of a template: the same template gives the same id on every run and host.
pub fn template_id(template: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(template.as_bytes()))
}
