//! A JSON error of an API's answer as a short reason for the one-line answer: where it
//! failed, not serde's whole text.

/// A JSON error as a short reason: where it failed, not the whole text.
pub fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => {
            format!("not JSON (line {} column {})", e.line(), e.column())
        }
        Category::Data => format!("unexpected JSON: {e}"),
        Category::Io => format!("unreadable JSON: {e}"),
    }
}
