//! End-to-end tests of the `npd-log` binary, run as NPD runs it, on real files in
//! temporary directories.
//!
//! Where a new test belongs:
//! - `reading.rs`: what one file's new bytes count as: first run, partial and long
//!   lines, garbage, big sparse files, CRI pod logs, writers appending meanwhile.
//! - `rotation.rs`: a file rotated between runs (rename+create, copytruncate,
//!   delete-and-recreate, created late, inode reused) and wildcard patterns.
//! - `window.rs`: counts and response times across runs: the window sliding, clock
//!   steps, percentiles and means against their limits.
//! - `shipped.rs`: npd-config/npd-log-openstack.json run against fixture logs.
//! - `broken.rs`: what blinds the check (unreadable or missing file, unusable or
//!   corrupt state, bad flags): Unknown, never a problem.
//!
//! `util.rs` runs the binary against a host root and a state dir kept across the runs
//! of one test, with the clock the test sets; running it as NPD does (bounded in
//! time, one line, exit 0/1/2) is `npd_test_support`.

mod broken;
mod reading;
mod rotation;
mod shipped;
mod util;
mod window;
