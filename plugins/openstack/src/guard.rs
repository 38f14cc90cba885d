//! The shared-outage guard: when this host's service looks down, is that this host's
//! problem or the cloud's? And the verdict on this host's rows that it guards.
//!
//! A message bus, conductor or database outage stops every heartbeat at once, so every
//! host looks down; blaming each node for it would raise a problem on all of them. The
//! guard counts the hosts of the same binary cloud-wide and answers Unknown when the
//! down ones are both a large share and more than a coincidence:
//!
//! * more than `max_fraction` of the counted hosts are down, and
//! * at least `min_hosts` are down, or every counted host is down and there are two
//!   or more of them (a whole cloud silent is a shared cause at any size).
//!
//! The second condition is what lets a small cloud blame one host: with two to four
//! computes a single host down is already a large share, but one host is no evidence
//! of a shared cause. A host an operator disabled or forced down is left out of both
//! counts: its state says what the operator did, not what the control plane can hear,
//! and a host parked for maintenance must not make a second host's failure look shared.
//! Hosts, not rows, are counted: cinder lists one row per backend (`host@backend`), and
//! a host with three backends down is still one host.
//!
//! Not here: asking for the fleet (`measure`), judging one row (`services`).

use npd_plugin::{Error, Outcome, Result};

use crate::services::{self, Row};

/// When a down service is a shared outage rather than this host's problem.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guard {
    /// The share (0..1) of counted hosts down above which an outage may be shared.
    pub max_fraction: f64,
    /// How many hosts must be down for an outage to be shared, unless all are.
    pub min_hosts: u32,
}

/// One binary's hosts cloud-wide, as the guard counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Hosts with at least one counted service down.
    pub down: usize,
    /// Hosts with at least one service neither disabled nor forced down.
    pub total: usize,
}

impl Tally {
    /// Counts `fleet`, the rows of one binary: by host (cinder's `host@backend` rows
    /// of one host count once), leaving out services an operator parked.
    pub fn of(fleet: &[Row]) -> Tally {
        let mut hosts: Vec<(String, bool)> = Vec::new();
        for r in fleet.iter().filter(|r| r.enabled && !r.forced_down) {
            let name = services::base_host(&r.host).to_ascii_lowercase();
            match hosts.iter_mut().find(|(h, _)| *h == name) {
                Some((_, down)) => *down |= !r.up,
                None => hosts.push((name, !r.up)),
            }
        }
        Tally {
            down: hosts.iter().filter(|(_, down)| *down).count(),
            total: hosts.len(),
        }
    }
}

impl Guard {
    /// Whether `t` is a shared outage. "More than" a share, as every limit of
    /// npd-checks: 2 of 10 down is not more than 0.2 of them.
    pub fn trips(&self, t: Tally) -> bool {
        let share = t.down as f64 > self.max_fraction * t.total as f64;
        let enough = t.down >= self.min_hosts as usize || (t.down == t.total && t.total >= 2);
        share && enough
    }

    /// The rule in words, for `--explain`.
    pub fn rule(&self) -> String {
        format!(
            "shared when more than {} of them and at least {} are down, \
             or all of 2 or more",
            self.max_fraction, self.min_hosts
        )
    }

    /// The Unknown line when `t` of `binary` is a shared outage.
    pub fn outage(&self, binary: &str, t: Tally) -> Option<String> {
        self.trips(t).then(|| {
            format!(
                "{} of {} {binary} down: control-plane problem",
                t.down, t.total
            )
        })
    }
}

/// The binaries whose fleet the verdict needs: those of this host's rows that are
/// merely down (not forced down), each once, in order. A healthy run needs none, so
/// it costs no listing.
pub fn to_ask(rows: &[Row], allow_disabled: bool) -> Vec<String> {
    let mut binaries: Vec<String> = Vec::new();
    for r in rows {
        let down = services::judge_row(r, allow_disabled).is_some() && !r.up && !r.forced_down;
        if down && !binaries.contains(&r.binary) {
            binaries.push(r.binary.clone());
        }
    }
    binaries
}

/// This host's `rows` judged one by one (they are not empty): the first problem and
/// how many more, or `ok`. A row merely down (not forced down) is checked against the
/// tally of its binary cloud-wide in `fleets` (those [`to_ask`] named) first, and a
/// shared outage is an error: Unknown, not this host's problem.
pub fn verdict(
    rows: &[Row],
    allow_disabled: bool,
    guard: &Guard,
    ok: &str,
    fleets: &[(String, Tally)],
) -> Result<Outcome> {
    let mut problems = Vec::new();
    for r in rows {
        let Some(problem) = services::judge_row(r, allow_disabled) else {
            continue;
        };
        if !r.up && !r.forced_down {
            let tally = fleets.iter().find(|(b, _)| *b == r.binary).map(|(_, t)| *t);
            if let Some(shared) = tally.and_then(|t| guard.outage(&r.binary, t)) {
                return Err(Error::unobserved(shared));
            }
        }
        problems.push(problem);
    }
    Ok(Outcome::from_problems(problems, ok))
}

#[cfg(test)]
mod tests {
    use super::*;
    use npd_plugin::Status;

    const DEFAULT: Guard = Guard {
        max_fraction: 0.2,
        min_hosts: 3,
    };

    fn t(down: usize, total: usize) -> Tally {
        Tally { down, total }
    }

    fn compute(host: &str, up: bool) -> Row {
        Row {
            binary: "nova-compute".into(),
            kind: String::new(),
            host: host.into(),
            up,
            enabled: true,
            forced_down: false,
            disabled_reason: None,
            last_seen: None,
        }
    }

    /// A cloud of `total` computes, the first `down` of them down; this host is n0.
    fn cloud(down: usize, total: usize) -> Vec<Row> {
        (0..total)
            .map(|i| compute(&format!("n{i}"), i >= down))
            .collect()
    }

    /// The answer for this host (n0, or `this`) in `fleet`, and how many binaries'
    /// fleets the verdict needed.
    fn answer(guard: &Guard, fleet: &[Row], this: &str) -> (Status, String, usize) {
        let mine: Vec<Row> = fleet.iter().filter(|r| r.host == this).cloned().collect();
        let asked = to_ask(&mine, false);
        let fleets: Vec<(String, Tally)> = asked
            .iter()
            .map(|b| {
                assert_eq!(b, "nova-compute");
                (b.clone(), Tally::of(fleet))
            })
            .collect();
        let out = verdict(
            &mine,
            false,
            guard,
            "nova-compute is up and enabled",
            &fleets,
        );
        match out {
            Ok(o) => (o.status, o.message, asked.len()),
            Err(e) => (Status::Unknown, e.message().to_string(), asked.len()),
        }
    }

    #[test]
    fn the_decision_table_with_the_defaults() {
        let problem = (Status::Problem, "nova-compute on n0 down".to_string(), 1);
        // One host down in a small cloud is that host's problem...
        assert_eq!(answer(&DEFAULT, &cloud(1, 2), "n0"), problem);
        assert_eq!(answer(&DEFAULT, &cloud(1, 1), "n0"), problem);
        assert_eq!(answer(&DEFAULT, &cloud(2, 3), "n0"), problem);
        assert_eq!(answer(&DEFAULT, &cloud(2, 4), "n0"), problem);
        // ...and the host that is up is fine, without listing the fleet.
        assert_eq!(
            answer(&DEFAULT, &cloud(1, 2), "n1"),
            (Status::Ok, "nova-compute is up and enabled".into(), 0)
        );
        // Every host down is a shared cause at any size from two.
        for (down, total) in [(2, 2), (3, 3), (4, 4)] {
            assert_eq!(
                answer(&DEFAULT, &cloud(down, total), "n0"),
                (
                    Status::Unknown,
                    format!("{down} of {total} nova-compute down: control-plane problem"),
                    1
                )
            );
        }
        assert_eq!(answer(&DEFAULT, &cloud(1, 10), "n0"), problem);
        assert_eq!(answer(&DEFAULT, &cloud(2, 10), "n0"), problem);
        assert_eq!(
            answer(&DEFAULT, &cloud(6, 10), "n0"),
            (
                Status::Unknown,
                "6 of 10 nova-compute down: control-plane problem".into(),
                1
            )
        );
    }

    #[test]
    fn boundaries_are_more_than_the_share_and_at_least_the_hosts() {
        // 3 of 10: more than 0.2 of them, exactly the minimum of hosts.
        assert!(DEFAULT.trips(t(3, 10)));
        // 2 of 10 is exactly 0.2 of them: not more.
        assert!(!DEFAULT.trips(t(2, 10)));
        // 3 of 15 is exactly 0.2; 4 of 15 is more.
        assert!(!DEFAULT.trips(t(3, 15)));
        assert!(DEFAULT.trips(t(4, 15)));
        // In a big cloud the share decides: 20 of 100 is not more than 0.2.
        assert!(!DEFAULT.trips(t(20, 100)));
        assert!(DEFAULT.trips(t(21, 100)));
        // In a small one the count does: 2 of 4 is half, but two hosts.
        assert!(!DEFAULT.trips(t(2, 4)));
        assert!(DEFAULT.trips(t(3, 4)));
        // A single host is never a shared outage by "all down"...
        assert!(!DEFAULT.trips(t(1, 1)));
        // ...unless one host is enough (--min-down-hosts 1, the guard by share alone).
        let share_only = Guard {
            min_hosts: 1,
            ..DEFAULT
        };
        assert!(share_only.trips(t(1, 1)));
        assert!(share_only.trips(t(1, 2)));
        assert!(!share_only.trips(t(1, 10)));
        // A fraction of 1 never trips: the guard is off, even with all down.
        let off = Guard {
            max_fraction: 1.0,
            ..DEFAULT
        };
        assert!(!off.trips(t(2, 2)) && !off.trips(t(100, 100)));
        // A minimum above the cloud's size still lets "all down" trip.
        let many = Guard {
            min_hosts: 50,
            ..DEFAULT
        };
        assert!(many.trips(t(10, 10)) && !many.trips(t(9, 10)));
        assert!(!DEFAULT.trips(t(0, 0)));
    }

    #[test]
    fn hosts_not_rows_are_counted_and_parked_hosts_not_at_all() {
        let vol = |host: &str, up: bool| Row {
            binary: "cinder-volume".into(),
            ..compute(host, up)
        };
        // One storage host with three backends down among three hosts: one of three.
        let fleet = vec![
            vol("s1@lvm", false),
            vol("s1@ceph", false),
            vol("s1@nfs#pool", false),
            vol("s2@lvm", true),
            vol("s3@lvm", true),
            vol("s3@ceph", false),
        ];
        assert_eq!(Tally::of(&fleet), t(2, 3));
        // A host parked by an operator (disabled, or forced down) is in no count.
        let mut parked = cloud(2, 2);
        parked[1].enabled = false;
        assert_eq!(Tally::of(&parked), t(1, 1));
        parked[1].enabled = true;
        parked[1].forced_down = true;
        assert_eq!(Tally::of(&parked), t(1, 1));
        assert_eq!(
            answer(&DEFAULT, &parked, "n0"),
            (Status::Problem, "nova-compute on n0 down".into(), 1)
        );
        // Host names are compared as the services write them, case aside.
        assert_eq!(
            Tally::of(&[compute("Node-A", false), compute("node-a", true)]),
            t(1, 1)
        );
    }

    #[test]
    fn the_fleet_is_asked_once_per_binary_and_only_for_a_row_merely_down() {
        let mut mine = vec![
            Row {
                binary: "neutron-l3-agent".into(),
                kind: "L3 agent".into(),
                ..compute("n0", false)
            },
            Row {
                binary: "neutron-dhcp-agent".into(),
                kind: "DHCP agent".into(),
                ..compute("n0", false)
            },
        ];
        mine.push(mine[0].clone());
        assert_eq!(
            to_ask(&mine, false),
            ["neutron-l3-agent", "neutron-dhcp-agent"]
        );
        let out = verdict(&mine, false, &DEFAULT, "alive", &[]).unwrap();
        assert_eq!(out.status, Status::Problem);
        // Forced down is the operator's word: no fleet needed to blame it.
        let forced = vec![Row {
            forced_down: true,
            ..compute("n0", false)
        }];
        assert!(to_ask(&forced, false).is_empty());
        let out = verdict(&forced, false, &DEFAULT, "ok", &[]).unwrap();
        assert_eq!(out.message, "nova-compute on n0 forced down");
    }
}
