//! The `npd-memory` binary: everything lives in the library, see `npd_memory`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_memory::Memory);
