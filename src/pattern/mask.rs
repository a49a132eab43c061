//! Masking of variable tokens before clustering, so that `job 17 failed` and `job 18 failed` are
//! one template from the first line on.

use regex::Regex;

/// Built-in masks, by name, applied in this order.
pub const BUILTIN: &[&str] = &["number", "hex"];

/// Applies the configured masks to a message.
#[derive(Debug, Clone)]
pub struct Masker {
    masks: Vec<Regex>,
}

impl Masker {
    pub fn new(names: &[String], extra: &[(String, Regex)]) -> Masker {
        let mut masks: Vec<Regex> = extra.iter().map(|(_, re)| re.clone()).collect();
        for name in names {
            let pattern = match name.as_str() {
                "hex" => r"\b0x[0-9a-fA-F]+\b",
                "number" => r"\b\d+(?:\.\d+)?\b",
                _ => continue,
            };
            masks.push(Regex::new(pattern).expect("built-in mask compiles"));
        }
        Masker { masks }
    }

    /// The message with every masked token replaced by `<*>`.
    pub fn mask(&self, message: &str) -> String {
        let mut out = message.to_owned();
        for re in &self.masks {
            out = re.replace_all(&out, "<*>").into_owned();
        }
        out
    }
}
