//! The build script of every plugin package (each names this file in its Cargo.toml),
//! and of this crate for its contract fixture: it links their binaries without unwind
//! tables.
//!
//! A plugin never unwinds. Release builds abort on panic, and in every build the
//! panic hook that `npd_plugin::run` installs first answers Unknown and exits the
//! process before the panic runtime would begin to unwind; that hook prints where
//! the panic happened, never a backtrace. So `.eh_frame` (with its index and the
//! landing-pad tables) has no reader in a plugin binary, yet it is ~130 KB of each
//! (npd-process: 1,592,824 bytes with it, 1,458,000 without). The tables are
//! discarded at link time by a linker script that augments the default one, all but
//! those of the C start-up files: crtbegin's code names the start of the table to
//! register it, and ld.bfd refuses to drop a section that code refers to (lld drops
//! it anyway). What is left is crtend's terminator, an empty table (4 bytes), which
//! the registration finds empty and ignores, as it is written to.
//!
//! Only binaries: test harnesses, which unwind to report a failing test, keep them.

use std::path::PathBuf;

const DISCARD_UNWIND_TABLES: &str = "\
SECTIONS {
  /DISCARD/ : {
    *(EXCLUDE_FILE(*crtbegin*.o *crtend*.o) .eh_frame)
    *(.eh_frame_hdr)
    *(.gcc_except_table .gcc_except_table.*)
  }
}
INSERT AFTER .text;
";

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let script = out.join("discard-unwind-tables.ld");
    std::fs::write(&script, DISCARD_UNWIND_TABLES).expect("writing the linker script");
    // Two arguments to the C compiler that links, not -Wl,-T,<path>: a comma in the
    // path (a checkout under "a,b/") would split that one.
    println!("cargo:rustc-link-arg-bins=-T");
    println!("cargo:rustc-link-arg-bins={}", script.display());
    // Nothing in the package changes what this writes; the script itself is
    // recompiled, and rerun, when it changes.
    println!("cargo:rerun-if-changed=Cargo.toml");
}
