//! Processes a test starts or a plugin should have ended: killed when the test lets
//! go of them, and asked after by PID once the run is over.

use std::process::Child;
use std::time::{Duration, Instant};

/// A process killed and reaped however the test ends, pass or fail: the plugin
/// under test, or a process a test starts for it to find (a sleeper, a server).
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether process `pid` is gone, or a zombie (it runs no more, and its parent may
/// be gone too), by `within` from now: a killed process takes a moment to go.
pub fn gone_within(pid: i32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if !runs(pid) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn runs(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat.rsplit(')').next().unwrap_or("").trim_start();
    !(state.starts_with('Z') || state.starts_with('X'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn a_running_process_is_not_gone_until_killed_and_a_zombie_is() {
        let child = Command::new("/bin/sleep").arg("30").spawn().unwrap();
        let pid = child.id() as i32;
        let mut sleeper = Reaped(child);
        assert!(!gone_within(pid, Duration::from_millis(50)));
        // Killed but not reaped: a zombie.
        sleeper.0.kill().unwrap();
        assert!(gone_within(pid, Duration::from_secs(2)));
        drop(sleeper);
        assert!(gone_within(pid, Duration::ZERO));
    }
}
