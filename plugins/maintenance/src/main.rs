//! The `npd-maintenance` binary: everything lives in the library, see `npd_maintenance`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_maintenance::Maintenance);
