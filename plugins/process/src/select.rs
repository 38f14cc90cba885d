//! A selector: one `--name` or `--cmdline`, how it is tried on a process's kernel
//! name, argv[0] and command line, and its count limits.

use regex_lite::Regex;

/// The kernel keeps a process's name in 16 bytes including the final NUL.
pub const COMM_LEN: usize = 15;

/// One `--name` or `--cmdline` with the limits its count must stay within.
#[derive(Debug)]
pub struct Selector {
    /// How messages name it: the name itself, or the pattern between slashes.
    pub label: String,
    pub what: What,
    pub min: u32,
    pub max: Option<u32>,
}

#[derive(Debug)]
pub enum What {
    /// The executable's name in full.
    Name(Vec<u8>),
    /// Searched (unanchored) in the command line, arguments joined by spaces.
    Cmdline(Regex),
}

impl Selector {
    /// Whether the kernel's name for a process can be this selector's. For a name
    /// longer than the kernel keeps, a match still needs [`Selector::argv0_matches`].
    pub fn comm_matches(&self, comm: &[u8]) -> bool {
        match &self.what {
            What::Name(name) => comm == &name[..name.len().min(COMM_LEN)],
            What::Cmdline(_) => false,
        }
    }

    /// A name the kernel cuts, which only argv[0] can confirm.
    pub fn needs_argv0(&self) -> bool {
        matches!(&self.what, What::Name(name) if name.len() > COMM_LEN)
    }

    /// Confirms a long name with the last component of argv[0].
    pub fn argv0_matches(&self, argv0_basename: &[u8]) -> bool {
        matches!(&self.what, What::Name(name) if name.as_slice() == argv0_basename)
    }

    /// Whether a command line (arguments joined by spaces) matches a pattern selector.
    pub fn cmdline_matches(&self, cmdline: &[u8]) -> bool {
        match &self.what {
            // Command lines are bytes; the few that are not UTF-8 are matched with
            // U+FFFD in place of their bad bytes.
            What::Cmdline(re) => match std::str::from_utf8(cmdline) {
                Ok(text) => re.is_match(text),
                Err(_) => re.is_match(&String::from_utf8_lossy(cmdline)),
            },
            What::Name(_) => false,
        }
    }

    /// "min 1, max 3", "min 1, no max": the rule, for --explain.
    pub fn rule_text(&self) -> String {
        match self.max {
            Some(max) => format!("min {}, max {max}", self.min),
            None => format!("min {}, no max", self.min),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Selector {
        Selector {
            label: n.to_string(),
            what: What::Name(n.as_bytes().to_vec()),
            min: 1,
            max: None,
        }
    }

    #[test]
    fn short_names_match_the_kernel_name_exactly() {
        let s = name("kubelet");
        assert!(s.comm_matches(b"kubelet"));
        assert!(!s.comm_matches(b"kubelet2") && !s.comm_matches(b"kube"));
        assert!(!s.needs_argv0());
    }

    #[test]
    fn long_names_match_the_cut_name_then_need_argv0() {
        let s = name("kube-controller-manager");
        assert!(s.comm_matches(b"kube-controller"));
        assert!(!s.comm_matches(b"kube-controller-manager"));
        assert!(s.needs_argv0());
        assert!(s.argv0_matches(b"kube-controller-manager"));
        assert!(!s.argv0_matches(b"kube-controller-mangler"));
        // Exactly the kernel's length: the name is complete, no confirmation.
        assert!(!name("systemd-journal").needs_argv0());
    }
}
