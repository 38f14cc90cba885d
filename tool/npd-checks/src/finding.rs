//! What `lint` reports: one finding per problem, located in its file, with how bad it is.

use std::fmt;

/// How bad a finding is. Every finding but a note makes `lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// NPD refuses to start with this config (or crashes on it): `run` refuses too.
    Fatal,
    /// NPD starts but misbehaves: a setting silently ignored, a rule that can never
    /// answer, two monitors fighting over one condition.
    Error,
    /// Against the conventions every npd-checks config follows (names, casing).
    Warning,
    /// Worth knowing, not a problem (a check that could not be made).
    Note,
}

/// One problem in one config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file as the user named it.
    pub file: String,
    /// Where in the file (`pluginConfig.timeout`, `rules[2] (condition X)`), or empty.
    pub location: String,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    pub fn new(
        file: &str,
        location: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            file: file.to_string(),
            location: location.into(),
            severity,
            message: message.into(),
        }
    }

    /// Whether this finding makes `lint` fail.
    pub fn counts(&self) -> bool {
        self.severity != Severity::Note
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: ", self.file)?;
        if !self.location.is_empty() {
            write!(f, "{}: ", self.location)?;
        }
        match self.severity {
            Severity::Fatal | Severity::Error => {}
            Severity::Warning => f.write_str("warning: ")?,
            Severity::Note => f.write_str("note: ")?,
        }
        f.write_str(&self.message)
    }
}

/// Collects findings for one file.
#[derive(Debug, Default)]
pub struct Findings {
    pub file: String,
    pub list: Vec<Finding>,
}

impl Findings {
    pub fn new(file: &str) -> Findings {
        Findings {
            file: file.to_string(),
            list: Vec::new(),
        }
    }

    pub fn push(
        &mut self,
        location: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
    ) {
        let finding = Finding::new(&self.file, location, severity, message);
        self.list.push(finding);
    }

    pub fn fatal(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.push(location, Severity::Fatal, message);
    }

    pub fn error(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.push(location, Severity::Error, message);
    }

    pub fn warning(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.push(location, Severity::Warning, message);
    }

    pub fn note(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.push(location, Severity::Note, message);
    }
}

/// A one-line summary: "2 errors (1 that NPD refuses to start on), 1 warning".
pub fn summary(findings: &[Finding], files: usize) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (fatal, errors, warnings) = (
        count(Severity::Fatal),
        count(Severity::Error),
        count(Severity::Warning),
    );
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut text = format!(
        "{}: {}",
        plural(files, "file"),
        plural(fatal + errors, "error")
    );
    if fatal > 0 {
        text.push_str(&format!(" ({fatal} that NPD refuses to start on)"));
    }
    text.push_str(&format!(", {}", plural(warnings, "warning")));
    text
}
