//! The `npd-network` binary: everything lives in the library, see `npd_network`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_network::Network);
