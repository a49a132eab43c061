//! The built-in generators, one module per language; [`code`] holds the line lexing they share.

pub mod braces;
pub mod code;
pub mod go_index;
pub mod go_nil_map;
pub mod go_nil_pointer;
pub mod java;
pub mod java_class_cast;
pub mod java_concurrent_modification;
pub mod java_index_bounds;
pub mod java_number_format;
pub mod js;
pub mod js_const_assign;
pub mod js_empty_json;
pub mod js_not_a_function;
pub mod js_reference_error;
pub mod py_attribute_typo;
pub mod py_blank_number;
pub mod py_dependency;
pub mod py_empty_json;
pub mod py_index_error;
pub mod py_none_iterable;
pub mod py_none_operand;
pub mod py_none_subscript;
pub mod py_relative_path;
pub mod py_str_concat;
pub mod py_unbound_local;
pub mod python;
pub mod python_flow;
pub mod rust;
pub mod rust_divide_by_zero;
pub mod rust_expect;
pub mod rust_index;
pub mod rust_overflow;
pub mod rust_parse_int;

use super::generator::Generator;

/// Every built-in generator.
pub fn all() -> Vec<Box<dyn Generator>> {
    vec![
        Box::new(python::MissingModule),
        Box::new(python::KeyError),
        Box::new(python::NoneAttribute),
        Box::new(python::ZeroDivision),
        Box::new(py_str_concat::StrConcat),
        Box::new(py_attribute_typo::AttributeTypo),
        Box::new(py_unbound_local::UnboundLocal),
        Box::new(py_blank_number::BlankNumber),
        Box::new(py_empty_json::EmptyJson),
        Box::new(py_relative_path::RelativePath),
        Box::new(js::MissingModule),
        Box::new(js::UndefinedProperty),
        Box::new(js_const_assign::ConstAssign),
        Box::new(js_not_a_function::NotAFunction),
        Box::new(js_reference_error::ReferenceError),
        Box::new(js_empty_json::EmptyJson),
        Box::new(rust::Unwrap),
        Box::new(rust_expect::Expect),
        Box::new(rust_index::IndexOutOfBounds),
        Box::new(java::NullPointer),
        Box::new(java_concurrent_modification::ConcurrentModification),
        Box::new(go_nil_map::NilMap),
        Box::new(java_number_format::NumberFormat),
        Box::new(py_index_error::IndexError),
        Box::new(py_none_subscript::NoneSubscript),
        Box::new(py_none_operand::NoneOperand),
        Box::new(py_none_iterable::NoneIterable),
        Box::new(go_index::IndexOutOfRange),
        Box::new(go_nil_pointer::NilPointer),
        Box::new(rust_overflow::Overflow),
        Box::new(rust_divide_by_zero::DivideByZero),
        Box::new(java_index_bounds::IndexBounds),
        Box::new(java_class_cast::ClassCast),
    ]
}

/// The README's table of what the fix stage repairs, from the generators' declarations.
pub fn repairs_table() -> String {
    let mut table = String::from("| language | crash | generator |\n|---|---|---|\n");
    for generator in all() {
        if let Some(r) = generator.repairs() {
            table.push_str(&format!(
                "| {} | {} | `{}` |\n",
                r.language,
                r.error,
                generator.name()
            ));
        }
    }
    table
}

#[cfg(test)]
mod readme {
    /// The README lists exactly what the generators say they repair, so neither drifts.
    #[test]
    fn the_readme_lists_every_class_repaired() {
        for generator in super::all() {
            assert!(
                generator.repairs().is_some(),
                "{} declares no `repairs()`",
                generator.name()
            );
        }
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"),
        )
        .unwrap();
        let begin = "<!-- repairs: begin -->\n";
        let end = "<!-- repairs: end -->";
        let at = readme.find(begin).expect("README has the repairs table") + begin.len();
        let to = at + readme[at..].find(end).expect("the table ends");
        let want = super::repairs_table();
        if std::env::var_os("UPDATE_README").is_some() {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
            std::fs::write(path, format!("{}{want}{}", &readme[..at], &readme[to..])).unwrap();
            return;
        }
        assert!(
            readme[at..to] == want,
            "README.md's table is out of date (UPDATE_README=1 cargo test --lib readme rewrites it):\n{want}"
        );
    }
}

/// Real captures from the trace fixtures (other runtime versions, other log shapes), against the
/// programs that printed them.
#[cfg(test)]
mod captures {
    use crate::fix::testing::{added, propose};

    fn fixture(rel: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/traces")
            .join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn fixed(files: &[(&str, &str)], trace: &str, line: &str) {
        let (sols, notes) = propose(files, trace);
        assert_eq!(sols.len(), 1, "{notes:?}\n{trace}");
        assert_eq!(added(&sols[0].diff), vec![line.to_string()]);
    }

    #[test]
    fn rust_panics_of_every_format() {
        let mut main = String::new();
        for i in 1..13 {
            main.push_str(&format!("// line {i}\n"));
        }
        main.push_str("    let retries = cfg.get_u32(\"retries\").unwrap();\n");
        let fixed_line = "    let retries = cfg.get_u32(\"retries\").unwrap_or_default();";
        for f in [
            "rust/legacy_1_73_to_1_8x.txt",
            "rust/legacy_before_1_73.txt",
        ] {
            fixed(&[("src/main.rs", &main)], &fixture(f), fixed_line);
        }
        let src = fixture("rust/src/src/bin/unwrap_none.rs");
        // `rates.get(currency)` is an Option<&f64>: no default is right, and none compiles.
        let (sols, notes) = propose(
            &[("src/bin/unwrap_none.rs", &src)],
            &fixture("rust/unwrap_none_release.txt"),
        );
        assert!(sols.is_empty(), "{:?}", sols[0].diff);
        assert!(notes[0].contains("Option<&T>"), "{notes:?}");
    }

    #[test]
    fn java_npe_from_jdk_17_and_25() {
        let src = fixture("java/src/app/Greeter.java");
        for f in ["java/npe.txt", "java/jdk25/npe.txt"] {
            let (sols, notes) = propose(&[("src/main/java/app/Greeter.java", &src)], &fixture(f));
            assert_eq!(sols.len(), 1, "{f}: {notes:?}");
            // `name` is only text (concatenated, its length): "" before its first use keeps the
            // badge's width and prints no "null".
            assert_eq!(
                added(&sols[0].diff),
                vec![
                    "        if (name == null) {",
                    "            name = \"\";",
                    "        }"
                ],
                "{}",
                sols[0].diff
            );
            assert!(sols[0].diff.contains("+        }\n         String label"));
        }
    }

    #[test]
    fn node_undefined_property() {
        let src = fixture("node/src/src/labels.js");
        let main = fixture("node/src/undefined_property.js");
        let (sols, notes) = propose(
            &[("src/labels.js", &src), ("undefined_property.js", &main)],
            &fixture("node/undefined_property.txt"),
        );
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(sols[0].files, vec!["undefined_property.js"]);
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "  if (order.customer?.address == null) {",
                "    console.error(`skipping order ${JSON.stringify(order)}: order.customer.address is missing`);",
                "    continue;",
                "  }"
            ]
        );
        // Without the caller's file, `city` going into the label is reason enough for nothing.
        let (sols, notes) = propose(
            &[("src/labels.js", &src)],
            &fixture("node/undefined_property.txt"),
        );
        assert!(sols.is_empty());
        assert!(
            notes
                .iter()
                .any(|n| n.contains("`city` is formatted into output")),
            "{notes:?}"
        );
    }

    #[test]
    fn node_error_rethrown_by_a_library_is_declined_in_the_app_callback() {
        let app = fixture("node/src/library_frames.js");
        let lib = fixture("node/src/node_modules/retry-lite/index.js");
        let (sols, notes) = propose(
            &[
                ("library_frames.js", &app),
                ("node_modules/retry-lite/index.js", &lib),
            ],
            &fixture("node/library_frames.txt"),
        );
        // The callback's value goes into the library, where undefined is not known to be
        // handled; the app's file, not the library's, is the one looked at.
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes
                .iter()
                .any(|n| n.contains("library_frames.js:4") && n.contains("passed on")),
            "{notes:?}"
        );
    }
}
