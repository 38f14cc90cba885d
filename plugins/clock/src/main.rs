//! The `npd-clock` binary: everything lives in the library, see `npd_clock`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_clock::Clock);
