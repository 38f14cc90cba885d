//! What a check concluded: the three verdicts of NPD's custom-plugin protocol.
//!
//! A detected problem is a successful check (`Ok(Outcome::problem(..))`); "could not
//! check" is an [`crate::Error`], never an `Outcome`.

/// The verdict NPD reads from the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Exit 0: the subject was observed healthy; the condition is False.
    Ok,
    /// Exit 1: the subject was observed bad; the condition is True. This can drain a
    /// node, so it is only ever the result of an observation, never of a failure to look.
    Problem,
    /// Exit 2: the check could not judge (bad flags, unreadable input, a way-to-ask that
    /// is down, a panic). The condition becomes Unknown.
    Unknown,
}

impl Status {
    /// The process exit code NPD maps to this status.
    pub fn exit_code(self) -> i32 {
        match self {
            Status::Ok => 0,
            Status::Problem => 1,
            Status::Unknown => 2,
        }
    }

    /// The inverse of [`Status::exit_code`], as NPD reads an exit code: anything other
    /// than 0 and 1 is Unknown.
    pub fn from_exit_code(code: i32) -> Status {
        match code {
            0 => Status::Ok,
            1 => Status::Problem,
            _ => Status::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Problem => "NonOK",
            Status::Unknown => "Unknown",
        }
    }
}

/// A verdict with its one-line message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
}

impl Outcome {
    /// Healthy. The message must be stable (no measured numbers): NPD patches the Node
    /// object whenever a message changes.
    pub fn ok(message: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::Ok,
            message: message.into(),
        }
    }

    /// A problem observed. The message names the offender and the limit first:
    /// `"/var 97 pct used > 90"`.
    pub fn problem(message: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::Problem,
            message: message.into(),
        }
    }

    /// Builds the answer from a list of problems found (most important first): OK with
    /// `ok_message` when empty, else the first problem and how many more there are.
    pub fn from_problems(problems: Vec<String>, ok_message: impl Into<String>) -> Outcome {
        let mut problems = problems.into_iter();
        match problems.next() {
            None => Outcome::ok(ok_message),
            Some(first) => {
                let more = problems.count();
                if more == 0 {
                    Outcome::problem(first)
                } else {
                    Outcome::problem(format!("{first} (+{more} more)"))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_round_trip_as_npd_reads_them() {
        for s in [Status::Ok, Status::Problem, Status::Unknown] {
            assert_eq!(Status::from_exit_code(s.exit_code()), s);
        }
        assert_eq!(Status::from_exit_code(3), Status::Unknown);
        assert_eq!(Status::from_exit_code(101), Status::Unknown);
        assert_eq!(Status::from_exit_code(-9), Status::Unknown);
    }

    #[test]
    fn problems_list_names_the_first_and_counts_the_rest() {
        assert_eq!(Outcome::from_problems(vec![], "fine").status, Status::Ok);
        let o = Outcome::from_problems(vec!["a bad".into(), "b bad".into(), "c".into()], "x");
        assert_eq!(o, Outcome::problem("a bad (+2 more)"));
    }
}
