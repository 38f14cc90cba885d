//! PSI (`/proc/pressure/<resource>`), which npd-cpu and npd-memory judge through the
//! same reader: a kernel without it, and a check run against this machine's own
//! kernel, whose PSI support the test cannot choose.

use crate::run::run;
use crate::FakeHost;

/// Makes `host` a kernel without PSI (CONFIG_PSI off, psi=0: no `/proc/pressure`) and
/// asserts that `bin` answers Unknown saying so for `--check psi`, and `ok` with
/// `others`, checks that need no PSI.
pub fn assert_kernel_without_psi(
    bin: &str,
    host: &FakeHost,
    resource: &str,
    others: &[&str],
    ok: &str,
) {
    host.remove("proc/pressure");
    let r = host.run_plugin(bin, &["--check", "psi"]);
    let path = host.path(&format!("proc/pressure/{resource}"));
    let line = format!(
        "no PSI: {} not found (CONFIG_PSI off or psi=0)",
        path.display()
    );
    // Cut as the plugin cuts it, within the host root's path where that is long.
    let line: String = line.chars().take(80).collect();
    assert_eq!(r.unknown_line(), line.trim_end());
    let r = host.run_plugin(bin, others);
    assert_eq!((r.code, r.line()), (0, ok), "{}", r.stderr);
}

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
