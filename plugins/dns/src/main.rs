//! The `npd-dns` binary: everything lives in the library, see `npd_dns`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_dns::Dns);
