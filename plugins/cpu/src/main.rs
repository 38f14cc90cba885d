//! The `npd-cpu` binary: everything lives in the library, see `npd_cpu`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_cpu::Cpu);
