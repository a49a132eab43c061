//! Source structure per language, beyond one line: statements, blocks, the function and loop
//! around a line, and how a module logs. Line-local lexing stays in `builtin::code`.

pub mod python;
