//! `/proc/vmstat`: the kernel's `oom_kill` counter (Linux 4.13 and later), the OOM
//! kills since boot.
//!
//! The counter only tells how many, not who: the victim's name is in the kernel log,
//! which NPD's own kernel monitor reads. What the counter adds is that it cannot be
//! missed (no log rotation, no ring buffer overrun, no journald needed).

use npd_plugin::{Error, Result};

/// The `oom_kill` value of a vmstat text.
pub fn parse_vmstat(text: &str) -> Result<u64> {
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("oom_kill") {
            continue;
        }
        return match (words.next().map(str::parse::<u64>), words.next()) {
            (Some(Ok(n)), None) => Ok(n),
            _ => Err(Error::unobserved(format!(
                "garbage oom_kill line {:?}",
                line
            ))),
        };
    }
    Err(Error::unobserved(
        "no oom_kill counter (kernel before 4.13?)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_is_found_among_the_others() {
        let text = "nr_free_pages 5708127\noom_kill 3\nnuma_hit 1\n";
        assert_eq!(parse_vmstat(text), Ok(3));
        assert_eq!(parse_vmstat("oom_kill 0"), Ok(0));
    }

    #[test]
    fn no_counter_or_a_garbled_one_is_an_error() {
        assert!(parse_vmstat("nr_free_pages 5\n")
            .unwrap_err()
            .message()
            .starts_with("no oom_kill"));
        assert!(parse_vmstat("").is_err());
        assert!(parse_vmstat("oom_kill -1\n").is_err());
        assert!(parse_vmstat("oom_kill\n").is_err());
        assert!(parse_vmstat("oom_kill 1 2\n").is_err());
        // A longer name is another counter.
        assert!(parse_vmstat("oom_kill_total 4\n").is_err());
    }
}
