//! The `npd-limits` binary: everything lives in the library, see `npd_limits`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_limits::Limits);
