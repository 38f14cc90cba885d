//! The keys NPD's Go structs decode, their JSON types and defaults, and how Go's
//! `encoding/json` matches keys to them: exactly, else case-insensitively; anything
//! else is silently ignored, and the last of duplicate keys wins.

use crate::finding::Findings;
use crate::json::Node;

/// The JSON type a key must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Int,
    Bool,
    Strings,
    Object,
    Array,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Int => "an integer",
            Kind::Bool => "true or false",
            Kind::Strings => "an array of strings",
            Kind::Object => "an object",
            Kind::Array => "an array",
        }
    }

    fn accepts(self, node: &Node) -> bool {
        match (self, node) {
            (Kind::Str, Node::String(_)) => true,
            (Kind::Int, Node::Int(_)) => true,
            (Kind::Bool, Node::Bool(_)) => true,
            (Kind::Object, Node::Object(_)) => true,
            (Kind::Array, Node::Array(_)) => true,
            (Kind::Strings, Node::Array(items)) => items
                .iter()
                .all(|i| matches!(i, Node::String(_) | Node::Null)),
            _ => false,
        }
    }
}

/// A key NPD decodes and what it falls back to when absent.
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub default: &'static str,
}

const fn key(name: &'static str, kind: Kind, default: &'static str) -> Key {
    Key {
        name,
        kind,
        default,
    }
}

pub const TOP: &[Key] = &[
    key("plugin", Kind::Str, "empty, which NPD refuses"),
    key("pluginConfig", Kind::Object, "all defaults"),
    key("source", Kind::Str, "empty"),
    key("metricsReporting", Kind::Bool, "true"),
    key("conditions", Kind::Array, "empty"),
    key("rules", Kind::Array, "empty"),
];

pub const PLUGIN_CONFIG: &[Key] = &[
    key("invoke_interval", Kind::Str, "30s"),
    key("timeout", Kind::Str, "5s"),
    key("max_output_length", Kind::Int, "80"),
    key("concurrency", Kind::Int, "3"),
    key(
        "enable_message_change_based_condition_update",
        Kind::Bool,
        "false",
    ),
    key("skip_initial_status", Kind::Bool, "false"),
];

pub const CONDITION: &[Key] = &[
    key("type", Kind::Str, "empty"),
    key("status", Kind::Str, "False"),
    key("transition", Kind::Str, "the start time"),
    key("reason", Kind::Str, "empty"),
    key("message", Kind::Str, "empty"),
];

pub const RULE: &[Key] = &[
    key("type", Kind::Str, "empty"),
    key("condition", Kind::Str, "empty"),
    key("reason", Kind::Str, "empty"),
    key("path", Kind::Str, "empty"),
    key("args", Kind::Strings, "empty"),
    key("timeout", Kind::Str, "the global timeout"),
];

/// A rule of NPD releases that honour a rule's own interval.
pub const RULE_WITH_INTERVAL: &[Key] = &[
    key("type", Kind::Str, "empty"),
    key("condition", Kind::Str, "empty"),
    key("reason", Kind::Str, "empty"),
    key("path", Kind::Str, "empty"),
    key("args", Kind::Strings, "empty"),
    key("timeout", Kind::Str, "the global timeout"),
    key("invoke_interval", Kind::Str, "the global invoke_interval"),
];

/// A system log monitor config (`MonitorConfig` with its embedded `WatcherConfig`).
pub const LOG_TOP: &[Key] = &[
    key("plugin", Kind::Str, "empty, which NPD refuses"),
    key("pluginConfig", Kind::Object, "empty"),
    key("skipList", Kind::Strings, "empty"),
    key("logPath", Kind::Str, "empty"),
    key("lookback", Kind::Str, "0"),
    key("delay", Kind::Str, "none"),
    key("bufferSize", Kind::Int, "10"),
    key("source", Kind::Str, "empty"),
    key("metricsReporting", Kind::Bool, "true"),
    key("conditions", Kind::Array, "empty"),
    key("rules", Kind::Array, "empty"),
];

/// A rule of a system log monitor.
pub const LOG_RULE: &[Key] = &[
    key("type", Kind::Str, "empty"),
    key("condition", Kind::Str, "empty"),
    key("reason", Kind::Str, "empty"),
    key("pattern", Kind::Str, "empty, which matches every line"),
    key("patternGeneratedMessageSuffix", Kind::Str, "empty"),
];

/// Part of every message about a value Go's decoder refuses.
pub const CANNOT_DECODE: &str = "NPD cannot decode the config and refuses to start";

/// The keys of one object, resolved as Go would (null counts as absent).
pub struct Fields<'a> {
    values: Vec<(&'static str, &'a Node)>,
}

impl<'a> Fields<'a> {
    fn get(&self, name: &str) -> Option<&'a Node> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }

    pub fn str_value(&self, name: &str) -> Option<&'a str> {
        match self.get(name) {
            Some(Node::String(s)) => Some(s),
            _ => None,
        }
    }

    pub fn string(&self, name: &str) -> String {
        self.str_value(name).unwrap_or_default().to_string()
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(Node::Int(i)) => Some(*i),
            _ => None,
        }
    }

    pub fn boolean(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(Node::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn strings(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some(Node::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Node::String(s) => s.clone(),
                    _ => String::new(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn array(&self, name: &str) -> &'a [Node] {
        match self.get(name) {
            Some(Node::Array(items)) => items,
            _ => &[],
        }
    }

    pub fn object(&self, name: &str) -> Option<&'a [(String, Node)]> {
        match self.get(name) {
            Some(Node::Object(entries)) => Some(entries),
            _ => None,
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Matches the entries of an object against `keys`, reporting unknown keys (with a
/// suggestion), keys matched only case-insensitively, duplicates and wrong types.
/// `location` names the object in messages.
pub fn fields<'a>(
    entries: &'a [(String, Node)],
    keys: &'static [Key],
    location: &str,
    findings: &mut Findings,
) -> Fields<'a> {
    let mut values: Vec<(&'static str, &'a Node)> = Vec::new();
    let mut seen: Vec<&'static str> = Vec::new();
    for (name, value) in entries {
        let known = keys
            .iter()
            .find(|k| k.name == name)
            .or_else(|| keys.iter().find(|k| k.name.eq_ignore_ascii_case(name)));
        let Some(known) = known else {
            findings.error(location, unknown_key_message(name, keys, entries));
            continue;
        };
        if known.name != name {
            findings.warning(
                location,
                format!(
                    "key {name:?} matches {:?} only because Go ignores case; write {:?}",
                    known.name, known.name
                ),
            );
        }
        if seen.contains(&known.name) {
            findings.error(
                location,
                format!(
                    "duplicate key {:?}: NPD silently uses the last one",
                    known.name
                ),
            );
        }
        seen.push(known.name);
        if matches!(value, Node::Null) {
            continue;
        }
        if !known.kind.accepts(value) {
            findings.fatal(
                location,
                format!(
                    "{:?} must be {}, found {}; {CANNOT_DECODE}",
                    known.name,
                    known.kind.name(),
                    value.kind()
                ),
            );
            continue;
        }
        values.push((known.name, value));
    }
    Fields { values }
}

fn unknown_key_message(name: &str, keys: &[Key], entries: &[(String, Node)]) -> String {
    let mut text = format!("unknown key {name:?}");
    // A custom plugin monitor's global setting written elsewhere in its config (not in
    // pluginConfig itself, nor in a system log monitor's config, which has none).
    let has = |name: &str| keys.iter().any(|k| k.name == name);
    let global = !has("max_output_length")
        && !has("pattern")
        && !has("logPath")
        && PLUGIN_CONFIG
            .iter()
            .any(|k| k.name.eq_ignore_ascii_case(name));
    if global {
        text.push_str(" (it belongs in \"pluginConfig\"): NPD ignores it here");
        return text;
    }
    match suggest(name, keys) {
        Some(k) => {
            text.push_str(&format!(" (did you mean {:?}?)", k.name));
            let present = entries.iter().any(|(n, _)| n.eq_ignore_ascii_case(k.name));
            if present {
                text.push_str(": NPD ignores it");
            } else {
                text.push_str(&format!(
                    ": NPD ignores it, so {:?} is {}",
                    k.name, k.default
                ));
            }
        }
        None => text.push_str(": NPD ignores it"),
    }
    text
}

/// The known key a misspelt one most likely meant.
pub fn suggest<'k>(name: &str, keys: &'k [Key]) -> Option<&'k Key> {
    let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
    let best = suggest_name(name, &names)?;
    keys.iter().find(|k| k.name == best)
}

/// The name of `names` a misspelt `name` most likely meant.
pub fn suggest_name<'k>(name: &str, names: &[&'k str]) -> Option<&'k str> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for &k in names {
        let d = distance(&lower, &k.to_ascii_lowercase());
        let limit = if k.len() <= 4 { 1 } else { 2 };
        let prefix = lower.len() >= 4 && (k.starts_with(&*lower) || lower.starts_with(k));
        let d = if prefix { d.min(limit) } else { d };
        let better = match best {
            None => true,
            Some((bd, _)) => d < bd,
        };
        if d <= limit && better {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

/// Levenshtein distance, counting a swap of two neighbours as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_near_misses_only() {
        let s = |n: &str, keys| suggest(n, keys).map(|k| k.name);
        assert_eq!(s("timout", RULE), Some("timeout"));
        assert_eq!(s("invoke-interval", PLUGIN_CONFIG), Some("invoke_interval"));
        assert_eq!(s("max_output", PLUGIN_CONFIG), Some("max_output_length"));
        assert_eq!(s("resaon", CONDITION), Some("reason"));
        assert_eq!(s("metricReporting", TOP), Some("metricsReporting"));
        assert_eq!(s("command", RULE), None);
        assert_eq!(s("arg", RULE), Some("args"));
    }

    #[test]
    fn global_settings_out_of_place_are_pointed_to_plugin_config() {
        let mut f = Findings::new("x.json");
        let entries = vec![("concurrency".to_string(), Node::Int(2))];
        fields(&entries, RULE, "rules[0] (condition X)", &mut f);
        assert_eq!(
            f.list[0].to_string(),
            "x.json: rules[0] (condition X): unknown key \"concurrency\" (it belongs in \
             \"pluginConfig\"): NPD ignores it here"
        );
    }

    #[test]
    fn wrong_types_nulls_and_case() {
        let mut f = Findings::new("x.json");
        let entries = vec![
            ("Concurrency".to_string(), Node::String("3".into())),
            ("timeout".to_string(), Node::Null),
        ];
        let fields = fields(&entries, PLUGIN_CONFIG, "pluginConfig", &mut f);
        assert!(!fields.has("timeout"));
        assert!(!fields.has("concurrency"));
        let text: Vec<String> = f.list.iter().map(|f| f.to_string()).collect();
        assert!(text[0].contains("only because Go ignores case"), "{text:?}");
        assert!(text[1].contains("\"concurrency\" must be an integer, found a string"));
    }
}
