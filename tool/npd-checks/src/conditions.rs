//! The default conditions of a config (NPD's `types.Condition`), decoded the same way
//! for both kinds of monitor, and naming decoded objects in messages.

use crate::finding::Findings;
use crate::json::Node;
use crate::schema;

#[derive(Debug, Clone)]
pub struct DefaultCondition {
    pub index: usize,
    pub type_: String,
    pub reason: String,
    pub message: String,
}

impl DefaultCondition {
    /// How messages name it: `conditions[0] (type X)`.
    pub fn label(&self) -> String {
        if self.type_.is_empty() {
            format!("conditions[{}]", self.index)
        } else {
            format!("conditions[{}] (type {})", self.index, self.type_)
        }
    }
}

/// Decodes `conditions`, the default conditions of either kind of monitor (NPD's
/// `types.Condition`).
pub fn decode_conditions(items: &[Node], findings: &mut Findings) -> Vec<DefaultCondition> {
    let mut conditions = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let entries: &[(String, Node)] = match item {
            Node::Object(entries) => entries,
            // Go decodes a null element as an empty condition.
            Node::Null => &[],
            other => {
                findings.fatal(
                    format!("conditions[{index}]"),
                    format!(
                        "a condition must be an object, found {}; {}",
                        other.kind(),
                        schema::CANNOT_DECODE
                    ),
                );
                continue;
            }
        };
        let loc = match peek(entries, "type") {
            Some(t) => format!("conditions[{index}] (type {t})"),
            None => format!("conditions[{index}]"),
        };
        let c = schema::fields(entries, schema::CONDITION, &loc, findings);
        if c.has("status") || c.has("transition") {
            findings.warning(
                &loc,
                "\"status\" and \"transition\" are ignored: NPD starts every condition False at its own start",
            );
        }
        conditions.push(DefaultCondition {
            index,
            type_: c.string("type"),
            reason: c.string("reason"),
            message: c.string("message"),
        });
    }
    conditions
}

/// A string value under `key` (exact match, last one), for naming an object in messages
/// before it is decoded.
pub fn peek<'a>(entries: &'a [(String, Node)], key: &str) -> Option<&'a str> {
    entries.iter().rev().find_map(|(k, v)| match v {
        Node::String(s) if k == key && !s.is_empty() => Some(s.as_str()),
        _ => None,
    })
}
