//! The `npd-kube` binary: everything lives in the library, see `npd_kube`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_kube::Kube);
