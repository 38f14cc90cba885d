//! What a plugin says on stderr (`--explain`, warnings), asserted line by line.

/// Asserts that `text` contains each of `needles`, naming the first missing one and
/// showing the whole text.
pub fn assert_says(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}
