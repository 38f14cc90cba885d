//! The shipped NPD configs (`npd-config/<name>.json`) as a plugin's tests see them:
//! every rule a config gives a binary must be accepted by that binary, and the
//! binary must answer before NPD gives up on the rule; a plugin whose rules each
//! judge one `--check` also asserts each condition's healthy message here. What else
//! a rule means is each plugin's own test.

use std::path::Path;
use std::time::Duration;

use npd_plugin::Plugin;
use serde_json::Value;

use crate::run::run;

/// Where rules find the binaries on a node.
pub const INSTALL_DIR: &str = "/opt/npd-checks/bin";

/// One file of `npd-config/`, parsed.
pub struct ShippedConfig {
    /// The file stem, which NPD's `source` must repeat.
    pub name: String,
    pub json: Value,
}

impl ShippedConfig {
    /// Reads `npd-config/<name>.json` at the repository's top.
    pub fn load(name: &str) -> ShippedConfig {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../npd-config")
            .join(format!("{name}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let json =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        ShippedConfig {
            name: name.to_string(),
            json,
        }
    }

    pub fn rules(&self) -> &[Value] {
        self.list("rules")
    }

    pub fn conditions(&self) -> &[Value] {
        self.list("conditions")
    }

    /// The condition whose type is `kind`; there must be one.
    pub fn condition(&self, kind: &str) -> &Value {
        self.conditions()
            .iter()
            .find(|c| c["type"] == kind)
            .unwrap_or_else(|| panic!("{}: no condition {kind}", self.name))
    }

    /// The rules that run the binary `bin` (a path ending in its name) once installed.
    pub fn rules_of(&self, bin: &str) -> Vec<&Value> {
        let installed = installed(bin);
        self.rules()
            .iter()
            .filter(|r| r["path"] == installed.as_str())
            .collect()
    }

    /// The permanent rules that set the condition `kind`.
    pub fn permanent_rules_for(&self, kind: &str) -> Vec<&Value> {
        self.rules()
            .iter()
            .filter(|r| r["type"] == "permanent" && r["condition"] == kind)
            .collect()
    }

    /// Asserts that every rule runs `bin` and that `bin` accepts each rule's args and
    /// would answer before the rule's timeout (see [`assert_answers_in_time`]).
    pub fn assert_every_rule_runs(&self, bin: &str) {
        let installed = installed(bin);
        assert!(!self.rules().is_empty(), "{}: no rules", self.name);
        for rule in self.rules() {
            assert_eq!(rule["path"], installed.as_str(), "{}", rule_name(rule));
            assert_answers_in_time(bin, rule);
        }
    }

    /// For every permanent rule: asserts that it judges one thing (one `--check` in
    /// its args) and that its condition's message is `ok_message` of the rule's
    /// configuration as plugin `P` parses it: the line the plugin prints when all is
    /// well, so that the condition's message does not change when the first OK
    /// arrives. Returns each permanent rule with its configuration.
    pub fn assert_ok_messages<P: Plugin>(
        &self,
        ok_message: impl Fn(&P::Config) -> String,
    ) -> Vec<(&Value, P::Config)> {
        let mut configured = Vec::new();
        for rule in self.rules().iter().filter(|r| r["type"] == "permanent") {
            let args = rule_args(rule);
            let name = rule_name(rule);
            assert_eq!(
                args.iter().filter(|a| **a == "--check").count(),
                1,
                "{name}: one --check"
            );
            let config =
                npd_plugin::configure_from::<P>(&args).unwrap_or_else(|e| panic!("{name}: {e}"));
            let condition = self.condition(rule["condition"].as_str().unwrap());
            assert_eq!(condition["message"], ok_message(&config).as_str(), "{name}");
            configured.push((rule, config));
        }
        configured
    }

    fn list(&self, key: &str) -> &[Value] {
        self.json[key]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no {key} list", self.name))
    }
}

/// Asserts that `bin` accepts the rule's args (its hidden `--lint-args` validates them
/// and prints `{"timeout_ms":N}` without checking anything) and that its own
/// `--timeout` is below the rule's, so that it answers before NPD kills it.
pub fn assert_answers_in_time(bin: &str, rule: &Value) {
    let mut args = rule_args(rule);
    args.push("--lint-args");
    let r = run(bin, &args);
    assert_eq!(r.code, 0, "{}: {} {}", rule_name(rule), r.stdout, r.stderr);
    let own: Value = serde_json::from_str(r.line())
        .unwrap_or_else(|e| panic!("{}: {e}: {}", rule_name(rule), r.stdout));
    let own = Duration::from_millis(own["timeout_ms"].as_u64().expect("timeout_ms"));
    assert!(
        own < rule_timeout(rule),
        "{}: plugin timeout {own:?}",
        rule_name(rule)
    );
}

/// The rule's args, as NPD passes them.
pub fn rule_args(rule: &Value) -> Vec<&str> {
    rule["args"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no args", rule_name(rule)))
        .iter()
        .map(|a| a.as_str().expect("args are strings"))
        .collect()
}

/// After how long NPD kills the rule's plugin.
pub fn rule_timeout(rule: &Value) -> Duration {
    let text = rule["timeout"].as_str().expect("a rule timeout");
    npd_plugin::units::parse_duration(text)
        .unwrap_or_else(|e| panic!("{}: timeout {text}: {e}", rule_name(rule)))
}

/// What names a rule in a failure: its condition, or its reason for a temporary rule.
pub fn rule_name(rule: &Value) -> String {
    let name = match rule["condition"].as_str() {
        Some(condition) => condition,
        None => rule["reason"].as_str().unwrap_or("a rule"),
    };
    name.to_string()
}

fn installed(bin: &str) -> String {
    let name = Path::new(bin).file_name().expect("a binary path");
    format!("{INSTALL_DIR}/{}", name.to_string_lossy())
}
