//! `NAMESPACE/NAME`, the object a cluster-scoped check names, and the names of the
//! API it is made of.

use npd_plugin::{Error, Result};

/// A DNS name as the API writes its names: lower case, digits, `-` and `.`.
pub fn is_dns_name(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

#[derive(Debug, Clone)]
pub struct Target {
    pub namespace: String,
    pub name: String,
}

impl Target {
    /// Parses `NAMESPACE/NAME`; both parts are DNS names (lower case, digits, `-`, `.`).
    pub fn parse(text: &str, what: &str) -> Result<Target> {
        let (ns, name) = text
            .split_once('/')
            .ok_or_else(|| Error::config(format!("{what} {text:?}: write it NAMESPACE/NAME")))?;
        if !is_dns_name(ns, 63) || ns.contains('.') || !is_dns_name(name, 253) {
            return Err(Error::config(format!(
                "{what} {text:?}: not a NAMESPACE/NAME of the API"
            )));
        }
        Ok(Target {
            namespace: ns.to_string(),
            name: name.to_string(),
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_and_name() {
        let t = Target::parse("openstack/keystone-api", "deployment").unwrap();
        assert_eq!(
            (t.namespace.as_str(), t.name.as_str()),
            ("openstack", "keystone-api")
        );
        for bad in ["keystone", "/x", "x/", "a.b/x", "A/b", "a/b/c", "a/b c"] {
            assert!(Target::parse(bad, "deployment").is_err(), "{bad}");
        }
    }
}
