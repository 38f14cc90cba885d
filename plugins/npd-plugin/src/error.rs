//! The error type of every check: whatever it holds, it means "could not judge", and
//! it always ends in exit code 2 (Unknown), never 1.

use std::fmt;

/// The check could not observe its subject. Its message becomes the Unknown line NPD
/// shows, so it says what was being read and why that failed.
#[derive(Debug)]
pub struct Error {
    message: String,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
        }
    }

    /// An I/O failure on `what` (a path or a description), keeping the OS's reason
    /// short: "cannot read /proc/1/mountinfo: permission denied".
    pub fn io(what: impl fmt::Display, err: &std::io::Error) -> Error {
        Error::new(format!("cannot read {what}: {}", short_io_reason(err)))
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Error {
        Error::new(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Error {
        Error::new(message)
    }
}

/// The OS's reason for an I/O error without the "(os error 13)" suffix, lower case as
/// the rest of a one-line message.
pub fn short_io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let text = match err.kind() {
        NotFound => "not found".to_string(),
        PermissionDenied => "permission denied".to_string(),
        _ => {
            let full = err.to_string();
            match full.find(" (os error") {
                Some(i) => full[..i].to_string(),
                None => full,
            }
        }
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_short() {
        let e = std::io::Error::from_raw_os_error(libc::EACCES);
        assert_eq!(
            Error::io("/x", &e).message(),
            "cannot read /x: permission denied"
        );
        let e = std::io::Error::from_raw_os_error(libc::EIO);
        assert_eq!(short_io_reason(&e), "input/output error");
    }
}
