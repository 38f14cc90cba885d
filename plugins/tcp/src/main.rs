//! The `npd-tcp` binary: everything lives in the library, see `npd_tcp`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_tcp::Tcp);
