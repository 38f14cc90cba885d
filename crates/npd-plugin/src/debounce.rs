//! Debounce: `--fail-after N` and `--recover-after M`, a probe's failureThreshold and
//! successThreshold. A problem is reported once seen N runs in a row and cleared once
//! health is seen M runs in a row; in between, the last reported verdict stands.
//!
//! Unknown passes straight through and leaves the counters alone: it is not evidence
//! either way, and hiding it would hide a broken check.

use serde::{Deserialize, Serialize};

use crate::outcome::{Outcome, Status};

/// Said while a problem has been seen but not yet `--fail-after` times, when no earlier
/// OK message is known.
pub const PENDING_OK_MESSAGE: &str = "no confirmed problem";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DebounceState {
    /// Consecutive runs that observed a problem.
    pub fails: u32,
    /// Consecutive runs that observed health.
    pub oks: u32,
    /// Whether the problem is currently reported.
    pub reporting_problem: bool,
    pub last_ok_message: Option<String>,
    pub last_problem_message: Option<String>,
}

/// What debounce decided for this run, and why (for `--explain`).
pub struct Decision {
    pub outcome: Outcome,
    pub reason: Option<String>,
}

/// Applies one observation to the state and returns the verdict to report.
pub fn apply(
    state: &mut DebounceState,
    observed: Outcome,
    fail_after: u32,
    recover_after: u32,
) -> Decision {
    match observed.status {
        Status::Unknown => Decision {
            outcome: observed,
            reason: None,
        },
        Status::Problem => {
            // Counted up to the threshold only: beyond it the count changes nothing,
            // and a state that stays the same need not be written again.
            state.fails = state.fails.saturating_add(1).min(fail_after.max(1));
            state.oks = 0;
            if state.reporting_problem || state.fails >= fail_after {
                state.reporting_problem = true;
                state.last_problem_message = Some(observed.message.clone());
                Decision {
                    outcome: observed,
                    reason: None,
                }
            } else {
                let message = state
                    .last_ok_message
                    .clone()
                    .unwrap_or_else(|| PENDING_OK_MESSAGE.to_string());
                Decision {
                    reason: Some(format!(
                        "problem seen {} of {fail_after} runs in a row before it is reported: {}",
                        state.fails, observed.message
                    )),
                    outcome: Outcome::ok(message),
                }
            }
        }
        Status::Ok => {
            state.oks = state.oks.saturating_add(1).min(recover_after.max(1));
            state.fails = 0;
            if !state.reporting_problem || state.oks >= recover_after {
                state.reporting_problem = false;
                state.last_ok_message = Some(observed.message.clone());
                Decision {
                    outcome: observed,
                    reason: None,
                }
            } else {
                let message = state
                    .last_problem_message
                    .clone()
                    .unwrap_or_else(|| "problem not yet cleared".to_string());
                Decision {
                    reason: Some(format!(
                        "health seen {} of {recover_after} runs in a row before the problem is cleared",
                        state.oks
                    )),
                    outcome: Outcome::problem(message),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: &mut DebounceState, seq: &[Status], n: u32, m: u32) -> Vec<Status> {
        seq.iter()
            .map(|s| {
                let o = Outcome {
                    status: *s,
                    message: format!("{s:?}"),
                };
                apply(state, o, n, m).outcome.status
            })
            .collect()
    }

    use Status::{Ok as G, Problem as B, Unknown as U};

    #[test]
    fn fail_after_three_like_failure_threshold() {
        let mut st = DebounceState::default();
        assert_eq!(
            run(&mut st, &[B, B, G, B, B, B, B], 3, 1),
            [G, G, G, G, G, B, B]
        );
    }

    #[test]
    fn recover_after_two_like_success_threshold() {
        let mut st = DebounceState::default();
        assert_eq!(run(&mut st, &[B, G, B, G, G, G], 1, 2), [B, B, B, B, G, G]);
    }

    #[test]
    fn unknown_passes_through_and_keeps_counters() {
        let mut st = DebounceState::default();
        assert_eq!(run(&mut st, &[B, U, B], 2, 1), [G, U, B]);
    }

    #[test]
    fn pending_messages_are_the_stable_ones_reported_before() {
        let mut st = DebounceState::default();
        apply(&mut st, Outcome::ok("disk fine"), 2, 2);
        let d = apply(&mut st, Outcome::problem("/var 97 pct used > 90"), 2, 2);
        assert_eq!(d.outcome, Outcome::ok("disk fine"));
        assert!(d.reason.unwrap().contains("1 of 2"));
        apply(&mut st, Outcome::problem("/var 98 pct used > 90"), 2, 2);
        let d = apply(&mut st, Outcome::ok("disk fine"), 2, 2);
        assert_eq!(d.outcome, Outcome::problem("/var 98 pct used > 90"));
    }

    #[test]
    fn first_run_without_history_uses_a_stable_pending_message() {
        let mut st = DebounceState::default();
        let d = apply(&mut st, Outcome::problem("x"), 3, 1);
        assert_eq!(d.outcome, Outcome::ok(PENDING_OK_MESSAGE));
    }
}
