//! `namespaces`: the node-local side of the neutron agents. The DHCP agent runs one
//! dnsmasq per network it serves, in that network's `qdhcp-<network id>` namespace;
//! the L3 agent runs one keepalived per HA router, in `qrouter-<router id>`. Each is
//! started with its network's or router's id in its command line (dnsmasq's pid and
//! hosts files, keepalived's config under `ha_confs/<router id>/`), so a namespace
//! whose id no such process names has lost its daemon: the network gets no DHCP
//! here, the router no failover. The API cannot see this: the agent stays alive.
//!
//! Read from the host: the namespaces `ip netns` keeps under `/run/netns`, and each
//! process's kernel name and command line under `/proc` (readable without any
//! privilege, unlike another process's namespace links). No request is sent.

use std::path::Path;

use npd_plugin::{explain, Context, Error, Outcome, Result};

/// What `namespaces` looks for (its flags).
#[derive(clap::Args, Debug)]
pub struct Want {
    /// The namespaces' name prefix: qdhcp-, qrouter-. The rest of a name is its id.
    #[arg(long, value_name = "PREFIX")]
    pub prefix: String,
    /// The kernel name of the process each needs: dnsmasq, keepalived.
    #[arg(long, value_name = "NAME")]
    pub process: String,
    /// Judge only the namespaces for which this host path exists, {id} replaced by
    /// the namespace's id (/var/lib/neutron/ha_confs/{id}/keepalived.conf: HA routers).
    #[arg(long, value_name = "PATH")]
    pub if_exists: Option<String>,
}

impl Want {
    /// Refuses what could never match, before anything is read.
    pub fn validate(&self) -> Result<()> {
        if self.prefix.is_empty() || self.prefix.contains('/') {
            return Err(Error::config(
                "--prefix: give a namespace name prefix (qdhcp-)",
            ));
        }
        if self.process.is_empty() || self.process.contains('/') || self.process.len() > 15 {
            return Err(Error::config(
                "--process: give a kernel process name, 15 bytes at most",
            ));
        }
        if let Some(p) = &self.if_exists {
            if !p.starts_with('/') || !p.contains("{id}") {
                return Err(Error::config("--if-exists: a host path from / with {id}"));
            }
        }
        Ok(())
    }
}

/// One run's reading: the ids of the namespaces judged, and the command lines of the
/// processes named `process`.
pub struct Seen {
    pub ids: Vec<String>,
    pub cmdlines: Vec<String>,
}

pub fn measure(want: &Want, ctx: &Context) -> Result<Seen> {
    let dir = ctx.host_path("/run/netns");
    let mut ids = Vec::new();
    match std::fs::read_dir(&dir) {
        Ok(entries) => {
            for e in entries {
                let e = e.map_err(|e| Error::io(dir.display(), &e))?;
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(id) = name.strip_prefix(&want.prefix) {
                    ids.push(id.to_string());
                }
            }
        }
        // No namespace was ever made here: nothing to judge, on a host root that is
        // one (its /run is there).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let run = ctx.host_path("/run");
            std::fs::metadata(&run).map_err(|e| Error::io(run.display(), &e))?;
        }
        Err(e) => return Err(Error::io(dir.display(), &e)),
    }
    if let Some(template) = &want.if_exists {
        ids.retain(|id| {
            let marker = ctx.host_path(template.replace("{id}", id));
            let judged = marker.exists();
            explain!(ctx, "{}{id}: {} {}", want.prefix, marker.display(), judged);
            judged
        });
    }
    ids.sort();
    let cmdlines = if ids.is_empty() {
        Vec::new()
    } else {
        cmdlines_of(ctx, &ctx.host_path("/proc"), &want.process)?
    };
    explain!(
        ctx,
        "{} {}* namespaces judged, {} {} processes",
        ids.len(),
        want.prefix,
        cmdlines.len(),
        want.process
    );
    Ok(Seen { ids, cmdlines })
}

/// The command lines (arguments joined by spaces) of the processes whose kernel name
/// is `name`. A process that ends during the scan is skipped.
fn cmdlines_of(ctx: &Context, proc: &Path, name: &str) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(proc).map_err(|e| Error::io(proc.display(), &e))?;
    let mut out = Vec::new();
    for e in entries.flatten() {
        let file_name = e.file_name();
        let pid = file_name.to_string_lossy();
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(comm) = std::fs::read(e.path().join("comm")) else {
            continue;
        };
        if comm.strip_suffix(b"\n").unwrap_or(&comm) != name.as_bytes() {
            continue;
        }
        // A command line is read behind the process's memory map lock, which a process
        // stuck in the kernel can hold for ever.
        let path = e.path().join("cmdline");
        ctx.waiting_killably_for(format!("reading {}", path.display()));
        let Ok(raw) = std::fs::read(&path) else {
            continue;
        };
        let args: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        out.push(args.join(" "));
    }
    Ok(out)
}

/// Every namespace judged needs a process naming its id.
pub fn judge(want: &Want, seen: &Seen) -> Outcome {
    let (prefix, process) = (&want.prefix, &want.process);
    let missing: Vec<&String> = seen
        .ids
        .iter()
        .filter(|id| !seen.cmdlines.iter().any(|c| names_id(c, id)))
        .collect();
    match missing.first() {
        None if seen.ids.is_empty() => Outcome::ok(format!("no {prefix} namespace to serve")),
        None => Outcome::ok(format!("every {prefix} namespace has its {process}")),
        Some(first) => Outcome::problem(format!(
            "no {process} in {prefix}{first} ({} of {})",
            missing.len(),
            seen.ids.len()
        )),
    }
}

/// Whether a command line names `id` as a whole path component or value: the id of
/// one network must not match inside a longer one.
fn names_id(cmdline: &str, id: &str) -> bool {
    cmdline.match_indices(id).any(|(at, _)| {
        let before = cmdline[..at].chars().next_back();
        let after = cmdline[at + id.len()..].chars().next();
        let edge = |c: Option<char>| !c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
        edge(before) && edge(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want() -> Want {
        Want {
            prefix: "qdhcp-".into(),
            process: "dnsmasq".into(),
            if_exists: None,
        }
    }

    #[test]
    fn each_namespace_needs_its_own_process() {
        let net = "0c5a9e3e-6f0b-4f5e-9a5e-2f5d1e7c8b9a";
        let other = "7d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
        let line = format!("dnsmasq --no-hosts --pid-file=/var/lib/neutron/dhcp/{net}/pid");
        let seen = Seen {
            ids: vec![net.into(), other.into()],
            cmdlines: vec![line.clone()],
        };
        let o = judge(&want(), &seen);
        assert_eq!(o.message, format!("no dnsmasq in qdhcp-{other} (1 of 2)"));
        let seen = Seen {
            ids: vec![net.into()],
            cmdlines: vec![line],
        };
        assert_eq!(
            judge(&want(), &seen).message,
            "every qdhcp- namespace has its dnsmasq"
        );
        let none = Seen {
            ids: vec![],
            cmdlines: vec![],
        };
        assert_eq!(
            judge(&want(), &none).message,
            "no qdhcp- namespace to serve"
        );
    }

    #[test]
    fn an_id_inside_a_longer_one_does_not_count() {
        assert!(names_id(
            "keepalived -f /x/ha_confs/ab-1/keepalived.conf",
            "ab-1"
        ));
        assert!(!names_id(
            "keepalived -f /x/ha_confs/ab-12/keepalived.conf",
            "ab-1"
        ));
        assert!(!names_id("dnsmasq --pid-file=/d/xab-1/pid", "ab-1"));
        assert!(names_id("dnsmasq --pid-file=/d/ab-1", "ab-1"));
    }
}
