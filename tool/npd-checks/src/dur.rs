//! Durations as NPD's Go code reads them (`time.ParseDuration`, negative values
//! included): the timeouts and intervals of custom plugin monitors, the lookback and
//! delay of system log monitors.

use std::time::Duration;

/// A duration as written in the config and as Go reads it (it may be negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dur {
    pub text: String,
    pub nanos: i128,
}

impl Dur {
    /// Parses Go's `time.ParseDuration` grammar, negative values included.
    pub fn parse(text: &str) -> Result<Dur, String> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if negative && (rest.starts_with('-') || rest.starts_with('+')) {
            return Err(format!("invalid duration {text:?}"));
        }
        let d = npd_plugin::units::parse_duration(rest).map_err(|e| e.to_string())?;
        let nanos = d.as_nanos() as i128;
        Ok(Dur {
            text: text.to_string(),
            nanos: if negative { -nanos } else { nanos },
        })
    }

    /// The wait it stands for; a negative duration waits nothing.
    pub fn duration(&self) -> Duration {
        Duration::from_nanos(self.nanos.max(0) as u64)
    }

    pub fn is_positive(&self) -> bool {
        self.nanos > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_go_reads_them() {
        assert_eq!(Dur::parse("5s").unwrap().nanos, 5_000_000_000);
        assert_eq!(Dur::parse("-1s").unwrap().nanos, -1_000_000_000);
        assert_eq!(Dur::parse("0").unwrap().nanos, 0);
        assert!(Dur::parse("--1s").is_err());
        assert!(Dur::parse("5").is_err());
        assert!(Dur::parse("").is_err());
    }
}
