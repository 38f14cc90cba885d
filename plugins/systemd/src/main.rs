//! The `npd-systemd` binary: everything lives in the library, see `npd_systemd`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_systemd::Systemd);
