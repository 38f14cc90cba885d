//! The `npd-disk` binary: everything lives in the library, see `npd_disk`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_disk::Disk);
