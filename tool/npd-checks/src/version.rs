//! The NPD release a config is judged for. `lint` and `run` default to the release the
//! shipped manifests deploy ([`DEPLOYED`], the image tag of
//! manifests/daemonset/daemonset.yaml; a test keeps the two equal); `--npd-version`
//! names another. Releases differ in what a config may say: a rule's own
//! `invoke_interval` is honoured only after [`LAST_WITHOUT_RULE_INTERVAL`].

use std::cmp::Ordering;
use std::fmt;

/// The NPD release manifests/daemonset/daemonset.yaml deploys.
pub const DEPLOYED: &str = "v1.36.0";

/// The newest NPD tag that ignores a rule's `invoke_interval`: the feature was merged
/// into NPD's master branch after it, so every later release honours the key.
pub const LAST_WITHOUT_RULE_INTERVAL: &str = "v1.37.0-alpha.1";

/// A release number: `v1.36.0`, `1.37.0`, `v1.37.0-alpha.2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpdVersion {
    numbers: [u64; 3],
    /// Pre-release identifiers (`alpha`, `2`); empty for a release.
    pre: Vec<String>,
    text: String,
}

impl NpdVersion {
    pub fn parse(text: &str) -> Result<NpdVersion, String> {
        let bad = || format!("{text:?} is not an NPD release such as v1.36.0 or v1.37.0-alpha.1");
        let body = text.strip_prefix('v').unwrap_or(text);
        let (core, pre) = match body.split_once('-') {
            Some((core, pre)) => (core, pre.split('.').map(str::to_string).collect()),
            None => (body, Vec::new()),
        };
        let parts: Vec<u64> = core
            .split('.')
            .map(|p| p.parse::<u64>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let [major, minor, patch] = parts[..] else {
            return Err(bad());
        };
        let pre: Vec<String> = pre;
        if pre.iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        Ok(NpdVersion {
            numbers: [major, minor, patch],
            pre,
            text: format!("v{body}"),
        })
    }

    /// The release the manifests deploy.
    pub fn deployed() -> NpdVersion {
        NpdVersion::parse(DEPLOYED).expect("DEPLOYED is a version")
    }

    /// Whether a rule's own `invoke_interval` is honoured (else NPD ignores the key and
    /// runs the rule at the config's interval).
    pub fn honours_rule_interval(&self) -> bool {
        let last = NpdVersion::parse(LAST_WITHOUT_RULE_INTERVAL).expect("a version");
        *self > last
    }
}

impl fmt::Display for NpdVersion {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialOrd for NpdVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Semantic versioning's order: a pre-release comes before its release; numeric
/// identifiers compare as numbers and before alphanumeric ones.
impl Ord for NpdVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let order = match (a.parse::<u64>(), b.parse::<u64>()) {
                            (Ok(x), Ok(y)) => x.cmp(&y),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => a.cmp(b),
                        };
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> NpdVersion {
        NpdVersion::parse(s).unwrap()
    }

    #[test]
    fn releases_order_as_semantic_versions() {
        assert!(v("v1.36.0") < v("v1.37.0-alpha.1"));
        assert!(v("v1.37.0-alpha.1") < v("v1.37.0-alpha.2"));
        assert!(v("v1.37.0-alpha.2") < v("v1.37.0-beta.1"));
        assert!(v("v1.37.0-alpha.10") > v("v1.37.0-alpha.9"));
        assert!(v("v1.37.0-rc.1") < v("1.37.0"));
        assert_eq!(v("1.36.0").to_string(), "v1.36.0");
        assert!(NpdVersion::parse("v1.36").is_err());
        assert!(NpdVersion::parse("latest").is_err());
        assert!(NpdVersion::parse("v1.37.0-").is_err());
    }

    #[test]
    fn a_rules_interval_is_honoured_after_v1_37_0_alpha_1() {
        assert!(!v("v1.36.0").honours_rule_interval());
        assert!(!v("v1.36.9").honours_rule_interval());
        assert!(!v("v1.37.0-alpha.1").honours_rule_interval());
        assert!(v("v1.37.0-alpha.2").honours_rule_interval());
        assert!(v("v1.37.0").honours_rule_interval());
        assert!(v("v2.0.0").honours_rule_interval());
    }
}
