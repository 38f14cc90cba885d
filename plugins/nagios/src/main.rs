//! The `npd-nagios` binary: everything lives in the library, see `npd_nagios`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_nagios::Nagios);
