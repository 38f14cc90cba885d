//! The `npd-process` binary: everything lives in the library, see `npd_process`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_process::Process);
