//! What every plugin's flag tests assert: a bad flag is Unknown (exit 2) with one
//! line that starts "bad flags: " and says why, never a problem and never a `%`.

use crate::{assert_one_npd_line, run};

/// Runs `bin` with each of `cases` and asserts each is a bad-flags answer.
pub fn assert_bad_flags(bin: &str, cases: &[&[&str]]) {
    for args in cases {
        let r = run(bin, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert_one_npd_line(&r, 80);
        assert!(
            r.line().starts_with("bad flags: "),
            "{args:?}: {}",
            r.line()
        );
    }
}
