//! `npd-checks prune`: removes from this node the conditions that this DaemonSet's
//! configs once claimed and no longer claim. NPD sets the conditions of the configs it
//! loads and never deletes one: a rule or config removed leaves its condition on the
//! Node with its last status, where draino or an alert keeps acting on it.
//!
//! A type is removed only when all of these hold: this owner's record ([`claims`])
//! names it (it was ours), the configs loaded now do not claim it, no other owner's
//! record claims it, and it is not one of the kubelet's. The first run of an owner on a
//! node has no record: it records and removes nothing. The record is replaced only
//! after the node was patched (or had nothing to remove); when the apiserver could not
//! be asked, it keeps what it had and learns what is claimed now, so nothing ours is
//! forgotten. [`node`] speaks to the apiserver, [`show`] prints.

pub mod claims;
pub mod node;
pub mod show;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kube_api::Access;

use claims::{Records, KUBELET};
use node::{NodeApi, Patched};

/// Reads of the node after a 409 before giving up for this start.
const ATTEMPTS: u32 = 5;

pub struct Options {
    /// Every config the DaemonSet's NPDs load.
    pub files: Vec<PathBuf>,
    pub node: String,
    /// The DaemonSet whose record this is.
    pub owner: String,
    pub state_dir: PathBuf,
    pub access: Access,
    pub dry_run: bool,
    /// For everything: the record's lock and every request.
    pub timeout: Duration,
}

/// Prunes (or, dry, says what it would); the text is for stdout. An error says why
/// nothing was removed.
pub fn prune(o: &Options) -> Result<String, String> {
    let deadline = Instant::now() + o.timeout;
    let claimed = claims::claimed(&o.files)?;
    let records = Records::open(&o.state_dir, &o.owner, deadline, !o.dry_run)?;
    let Some(recorded) = records.mine()? else {
        let n = claimed.len();
        let path = records.path();
        if o.dry_run {
            return Ok(format!(
                "No record of {} at {}: nothing would be removed; a run records the {n} types claimed now.\n",
                o.owner,
                path.display()
            ));
        }
        records.save(&claimed)?;
        return Ok(format!(
            "First run of {} on node {}: recorded {n} condition types in {}; nothing removed.\n",
            o.owner,
            o.node,
            path.display()
        ));
    };
    let others = records.others()?;
    let unclaimed: BTreeSet<&String> = recorded
        .iter()
        .filter(|t| !claimed.contains(*t) && !KUBELET.contains(&t.as_str()))
        .collect();
    let kept: Vec<&str> = unclaimed
        .iter()
        .filter(|t| others.contains(**t))
        .map(|t| t.as_str())
        .collect();
    let candidates: BTreeSet<&str> = unclaimed
        .iter()
        .filter(|t| !others.contains(**t))
        .map(|t| t.as_str())
        .collect();
    let mut text = String::new();
    if !kept.is_empty() {
        text.push_str(&format!(
            "Kept (another DaemonSet's record claims them): {}\n",
            kept.join(", ")
        ));
    }
    let result = if candidates.is_empty() {
        Ok(format!(
            "No condition of {} to remove from node {}.\n",
            o.owner, o.node
        ))
    } else {
        remove(o, &candidates, deadline)
    };
    if o.dry_run {
        return result.map(|t| text + &t);
    }
    match result {
        Ok(t) => {
            records.save(&claimed)?;
            text.push_str(&t);
            text.push_str(&format!(
                "Recorded {} condition types of {} in {}.\n",
                claimed.len(),
                o.owner,
                records.path().display()
            ));
            Ok(text)
        }
        Err(e) => {
            let union: BTreeSet<String> = recorded.union(&claimed).cloned().collect();
            records
                .save(&union)
                .map_err(|s| format!("{e}; and the record: {s}"))?;
            Err(e)
        }
    }
}

/// Reads the node and removes the conditions of `candidates` it has, read again after
/// each 409.
fn remove(o: &Options, candidates: &BTreeSet<&str>, deadline: Instant) -> Result<String, String> {
    let api = NodeApi::new(&o.access, &o.node, deadline)?;
    for attempt in 1..=ATTEMPTS {
        let node = api.get()?;
        let stale: Vec<&node::Condition> = node
            .conditions()
            .iter()
            .filter(|c| candidates.contains(c.type_.as_str()))
            .collect();
        if stale.is_empty() {
            return Ok(format!(
                "No condition of {} to remove from node {}.\n",
                o.owner, o.node
            ));
        }
        let table = show::conditions(&stale);
        if o.dry_run {
            return Ok(format!("Would remove from node {}:\n{table}", o.node));
        }
        let types: Vec<&str> = stale.iter().map(|c| c.type_.as_str()).collect();
        match api.remove(&node, &types)? {
            Patched::Done => {
                let again = match attempt {
                    1 => String::new(),
                    n => format!(" (after {} conflicts)", n - 1),
                };
                return Ok(format!("Removed from node {}{again}:\n{table}", o.node));
            }
            Patched::Conflict => continue,
        }
    }
    Err(format!(
        "node {} changed under every one of {ATTEMPTS} patches (409 Conflict)",
        o.node
    ))
}
