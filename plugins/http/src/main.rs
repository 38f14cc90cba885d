//! The `npd-http` binary: everything lives in the library, see `npd_http`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_http::Http);
