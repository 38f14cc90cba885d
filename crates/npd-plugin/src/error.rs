//! The error type of every check, typed by whose fault it is. The exit-code table of
//! the contract is applied here, in [`Error::status`], and nowhere else:
//!
//! | [`Kind`] | meaning | exit |
//! |---|---|---|
//! | [`Kind::Problem`] | the subject was observed bad on the way (a probed endpoint refused, a mount did not answer) | 1 |
//! | [`Kind::Unobserved`] | the subject could not be observed: a file the check must read is missing, unreadable or garbage, permission denied, a way-to-ask that is down, a broken state dir a measurement needs | 2 |
//! | [`Kind::Config`] | the flags or a configuration file the check was given are wrong | 2 |
//!
//! A problem found by a measurement that succeeded is not an error but
//! `Ok(Outcome::problem(..))`; [`Kind::Problem`] is for the case where observing the
//! subject failed *because* the subject is bad, deep in a helper that returns
//! `Result`. A caller that knows better (the endpoint is only the way to ask) turns
//! such an error into [`Kind::Unobserved`] with [`Error::unobserved_because`].

use std::fmt;
use std::io;

use npd_host::glob::PatternError;
use npd_host::short_io_reason;

use crate::Status;

/// Whose fault a failure is; decides the exit code (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The subject itself was observed bad: a problem (exit 1), debounced as any.
    Problem,
    /// The subject could not be observed: Unknown (exit 2).
    Unobserved,
    /// The check's flags or configuration are wrong: Unknown (exit 2).
    Config,
}

/// A failure with its kind and the words NPD shows: what was being done and why it
/// failed ("cannot read /proc/1/mountinfo: permission denied").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: Kind,
    message: String,
}

impl Error {
    /// The subject observed bad on the way (exit 1).
    pub fn problem(message: impl Into<String>) -> Error {
        Error {
            kind: Kind::Problem,
            message: message.into(),
        }
    }

    /// The subject could not be observed (exit 2).
    pub fn unobserved(message: impl Into<String>) -> Error {
        Error {
            kind: Kind::Unobserved,
            message: message.into(),
        }
    }

    /// The flags or configuration are wrong (exit 2).
    pub fn config(message: impl Into<String>) -> Error {
        Error {
            kind: Kind::Config,
            message: message.into(),
        }
    }

    /// An I/O failure on `what` (a path or a description), keeping the OS's reason
    /// short: "cannot read /proc/1/mountinfo: permission denied". Unobserved.
    pub fn io(what: impl fmt::Display, err: &io::Error) -> Error {
        Error::unobserved(format!("cannot read {what}: {}", short_io_reason(err)))
    }

    /// A failure of an [`isolate`](crate::isolate) helper itself ("helper process died
    /// before answering"), not of the call it was to make: nothing was observed, so
    /// Unobserved, in the helper's own words.
    pub fn isolation(err: io::Error) -> Error {
        Error::unobserved(err.to_string())
    }

    /// The same words, as Unknown: for a caller whose subject is not what failed (an
    /// endpoint that is only the way to ask).
    pub fn unobserved_because(self) -> Error {
        Error {
            kind: Kind::Unobserved,
            ..self
        }
    }

    /// The same kind with `context` in front: "keystone: cannot connect".
    pub fn context(self, context: impl fmt::Display) -> Error {
        Error {
            kind: self.kind,
            message: format!("{context}: {}", self.message),
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The verdict this failure is: the exit-code table of the contract.
    pub fn status(&self) -> Status {
        match self.kind {
            Kind::Problem => Status::Problem,
            Kind::Unobserved | Kind::Config => Status::Unknown,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A shell pattern a flag gave that does not compile: bad configuration.
impl From<PatternError> for Error {
    fn from(err: PatternError) -> Error {
        Error::config(err.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_short_and_unobserved() {
        let e = io::Error::from_raw_os_error(libc::EACCES);
        let err = Error::io("/x", &e);
        assert_eq!(err.message(), "cannot read /x: permission denied");
        assert_eq!(err.status(), Status::Unknown);
        let e = io::Error::from_raw_os_error(libc::EIO);
        assert_eq!(short_io_reason(&e), "input/output error");
    }

    #[test]
    fn host_layer_failures_keep_their_words_and_get_a_kind() {
        let err = Error::isolation(io::Error::other("helper process died before answering"));
        assert_eq!(err.kind(), Kind::Unobserved);
        assert_eq!(err.message(), "helper process died before answering");
        let bad = npd_host::glob::Pattern::parse("a[bc").unwrap_err();
        let err = Error::from(bad);
        assert_eq!(err.kind(), Kind::Config);
        assert_eq!(err.message(), r#"pattern "a[bc" has an unclosed ["#);
    }

    #[test]
    fn only_a_problem_is_exit_1() {
        assert_eq!(Error::problem("x").status(), Status::Problem);
        assert_eq!(Error::unobserved("x").status(), Status::Unknown);
        assert_eq!(Error::config("x").status(), Status::Unknown);
        let demoted = Error::problem("refused").context("keystone");
        assert_eq!(demoted.kind(), Kind::Problem);
        let demoted = demoted.unobserved_because();
        assert_eq!(demoted.status(), Status::Unknown);
        assert_eq!(demoted.message(), "keystone: refused");
    }
}
