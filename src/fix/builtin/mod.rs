//! The built-in generators, one module per language.

use super::generator::Generator;

/// Every built-in generator.
pub fn all() -> Vec<Box<dyn Generator>> {
    Vec::new()
}
