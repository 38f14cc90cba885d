//! `--file` wildcards: `*`, `?` and `[..]` in any path component, matched against
//! the host's directories under the host root, as a shell would (a leading `.` is only
//! matched by a literal `.`). Symlinks are followed as the host would follow them
//! (/var/log/containers/*.log point into /var/log/pods), through
//! [`npd_plugin::hostfs`]: nothing is looked up, listed or read on a mount that can
//! hang.

use std::io;
use std::path::{Path, PathBuf};

use npd_plugin::glob::Pattern;
use npd_plugin::hostfs::{HostFs, Reach};
use npd_plugin::{Error, Result};

/// More files than this under one pattern is a pattern gone wrong.
const MAX_FILES: usize = 1000;

/// A file the pattern names: its host path (for messages) and where it is read here.
#[derive(Debug, Clone)]
pub struct Named {
    pub host: String,
    pub local: PathBuf,
}

pub fn has_wildcards(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Where `host_path` is read from here: `Some` on a local mount, `None` when it does
/// not exist, an error when it is on a mount that can hang (logs there are not read:
/// a read could keep this process past its deadline) or cannot be looked up.
pub fn local(fs: &HostFs, host_path: &str) -> Result<Option<PathBuf>> {
    match fs.resolve(host_path) {
        Ok(Reach::Local { real, .. }) => Ok(Some(real)),
        Ok(Reach::Missing(_)) => Ok(None),
        Ok(Reach::Guarded(g)) => Err(Error::unobserved(format!(
            "{host_path} is on {}: not read (a read there can hang)",
            g.describe()
        ))),
        Err(e) => Err(Error::io(e.path.display(), &e.error)),
    }
}

/// The files `pattern` names, sorted; empty when none exists. A literal pattern
/// names its file whether it exists or not.
pub fn expand(fs: &HostFs, pattern: &str) -> Result<Vec<Named>> {
    let absolute = format!("/{}", pattern.trim_start_matches('/'));
    if !has_wildcards(&absolute) {
        let local = match local(fs, &absolute)? {
            Some(l) => l,
            None => fs.root().join(absolute.trim_start_matches('/')),
        };
        return Ok(vec![Named {
            host: absolute,
            local,
        }]);
    }
    let mut found = vec![String::new()];
    let parts: Vec<&str> = absolute.split('/').filter(|p| !p.is_empty()).collect();
    for part in parts {
        let mut next = Vec::new();
        for prefix in &found {
            if !has_wildcards(part) {
                next.push(format!("{prefix}/{part}"));
                continue;
            }
            // A bad pattern is a bad flag, found only now.
            let matcher = Pattern::parse(part).map_err(|e| Error::from(e).context("--file"))?;
            let dir_host = if prefix.is_empty() {
                "/"
            } else {
                prefix.as_str()
            };
            let Some(dir) = local(fs, dir_host)? else {
                continue;
            };
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e)
                    if e.kind() == io::ErrorKind::NotFound
                        || e.raw_os_error() == Some(libc::ENOTDIR) =>
                {
                    continue
                }
                Err(e) => return Err(Error::io(dir.display(), &e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| Error::io(dir.display(), &e))?;
                let name = entry.file_name();
                if matcher.matches(&name) {
                    next.push(format!("{prefix}/{}", name.to_string_lossy()));
                }
            }
            if next.len() > MAX_FILES {
                return Err(Error::unobserved(format!(
                    "--file {pattern} matches more than {MAX_FILES} paths"
                )));
            }
        }
        found = next;
    }
    found.sort();
    let mut named = Vec::new();
    for h in found {
        if let Some(local) = local(fs, &h)? {
            named.push(Named { host: h, local });
        }
    }
    Ok(named)
}

/// The host path of `local` (a path this process reads, under the host root).
pub fn host_of(fs: &HostFs, local: &Path) -> Option<PathBuf> {
    let rest = local.strip_prefix(fs.root()).ok()?;
    Some(Path::new("/").join(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_match_as_in_a_shell() {
        let m = |p: &str, s: &str| Pattern::parse(p).unwrap().matches(s.as_ref());
        assert!(m("*.log", "0.log"));
        assert!(!m("*.log", "0.log.20240101"));
        assert!(m("keystone-*", "keystone-7d9f"));
        assert!(m("[0-9].log", "3.log"));
        assert!(!m("[!0-9].log", "3.log"));
        assert!(m("a?c", "abc"));
        assert!(m("a+b(c)", "a+b(c)"));
        assert!(Pattern::parse("[abc").is_err());
    }

    #[test]
    fn expands_under_the_host_root_sorted() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for d in [
            "var/log/pods/ns_a-1/c",
            "var/log/pods/ns_a-2/c",
            "var/log/pods/ns_b/c",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
            std::fs::write(root.join(d).join("0.log"), b"").unwrap();
            std::fs::write(root.join(d).join(".hidden.log"), b"").unwrap();
        }
        let host = HostFs::new(root);
        let got: Vec<String> = expand(&host, "/var/log/pods/ns_a-*/c/*.log")
            .unwrap()
            .into_iter()
            .map(|n| n.host)
            .collect();
        assert_eq!(
            got,
            [
                "/var/log/pods/ns_a-1/c/0.log",
                "/var/log/pods/ns_a-2/c/0.log"
            ]
        );
        assert!(expand(&host, "/var/log/none-*/x.log").unwrap().is_empty());
    }
}
