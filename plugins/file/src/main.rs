//! The `npd-file` binary: everything lives in the library, see `npd_file`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_file::File);
