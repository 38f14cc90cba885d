//! The `npd-listen` binary: everything lives in the library, see `npd_listen`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_listen::Listen);
