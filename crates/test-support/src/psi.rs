//! A PSI check run against this machine's own kernel, whose PSI support the test
//! cannot choose: judged where the kernel has it, Unknown saying so where not.

use crate::run::run;

/// Runs `bin` with `--host-root / ` and `args` (a PSI check whose limits cannot be
/// exceeded) and asserts the answer this machine allows: OK with `ok` where
/// `/proc/pressure/<resource>` exists, else Unknown starting with "no PSI: ".
pub fn assert_real_psi(bin: &str, resource: &str, args: &[&str], ok: &str) {
    let mut argv = vec!["--host-root", "/"];
    argv.extend_from_slice(args);
    let r = run(bin, &argv);
    if std::fs::metadata(format!("/proc/pressure/{resource}")).is_ok() {
        assert_eq!((r.code, r.line()), (0, ok), "{}", r.stderr);
    } else {
        assert_eq!(r.code, 2, "{}", r.stdout);
        assert!(r.line().starts_with("no PSI: "), "{}", r.stdout);
    }
}
