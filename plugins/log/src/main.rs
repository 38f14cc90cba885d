//! The `npd-log` binary: everything lives in the library, see `npd_log`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_log::Log);
