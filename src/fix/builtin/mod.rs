//! The built-in generators, one module per language; [`code`] holds the line lexing they share.

pub mod braces;
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
        let (sols, notes) = propose(
            &[("src/bin/unwrap_none.rs", &src)],
            &fixture("rust/unwrap_none_release.txt"),
        );
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert!(added(&sols[0].diff)[0].contains(".unwrap_or_default()"));
    }

    #[test]
    fn java_npe_from_jdk_17_and_25() {
        let src = fixture("java/src/app/Greeter.java");
        for f in ["java/npe.txt", "java/jdk25/npe.txt"] {
            let (sols, notes) = propose(&[("src/main/java/app/Greeter.java", &src)], &fixture(f));
            assert_eq!(sols.len(), 1, "{f}: {notes:?}");
            assert!(
                added(&sols[0].diff)[0].contains("name == null ? 0 : name.length()"),
                "{}",
                sols[0].diff
            );
        }
    }

    #[test]
    fn node_undefined_property() {
        let src = fixture("node/src/src/labels.js");
        fixed(
            &[("src/labels.js", &src)],
            &fixture("node/undefined_property.txt"),
            "  const city = order.customer.address?.city;",
        );
    }

    #[test]
    fn node_error_rethrown_by_a_library_is_fixed_in_the_app_callback() {
        let app = fixture("node/src/library_frames.js");
        let lib = fixture("node/src/node_modules/retry-lite/index.js");
        let (sols, notes) = propose(
            &[
                ("library_frames.js", &app),
                ("node_modules/retry-lite/index.js", &lib),
            ],
            &fixture("node/library_frames.txt"),
        );
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(sols[0].files, vec!["library_frames.js"]);
        assert_eq!(
            added(&sols[0].diff),
            vec!["  return attempt(() => order.card?.number.slice(-4), 2);"]
        );
    }
}
