//! The `npd-gpu` binary: everything lives in the library, see `npd_gpu`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_gpu::Gpu);
