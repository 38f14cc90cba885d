//! The `npd-cri` binary: everything lives in the library, see `npd_cri`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_cri::Cri);
