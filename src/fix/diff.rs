//! Unified diffs of in-memory changes: `a/` `b/` prefixes, 3 lines of context, what `git apply`
//! takes.

use similar::TextDiff;

/// The unified diff turning `old` into `new` for `path` (relative to the repository root).
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .missing_newline_hint(true)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_prefixes_and_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n";
        let d = unified("dir/f.txt", old, new);
        assert!(
            d.starts_with("--- a/dir/f.txt\n+++ b/dir/f.txt\n@@ -2,7 +2,7 @@\n"),
            "{d}"
        );
        assert!(d.contains("-5\n+FIVE\n"));
    }

    #[test]
    fn marks_a_missing_final_newline() {
        let d = unified("f", "a\nb", "a\nc");
        assert!(d.contains("\\ No newline at end of file"), "{d}");
        assert!(d.ends_with('\n'));
    }

    #[test]
    fn no_change_no_diff() {
        assert_eq!(unified("f", "a\n", "a\n"), "");
    }
}
