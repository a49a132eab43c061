//! The built-in generators, one module per language; [`code`] holds the line lexing they share.

pub mod code;
pub mod java;
pub mod js;
pub mod python;
pub mod rust;

use super::generator::Generator;

/// Every built-in generator.
pub fn all() -> Vec<Box<dyn Generator>> {
    vec![
        Box::new(python::MissingModule),
        Box::new(python::KeyError),
        Box::new(python::NoneAttribute),
        Box::new(python::ZeroDivision),
        Box::new(js::MissingModule),
        Box::new(js::UndefinedProperty),
        Box::new(rust::Unwrap),
        Box::new(java::NullPointer),
    ]
}
