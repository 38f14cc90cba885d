//! The `npd-openstack` binary: everything lives in the library, see `npd_openstack`.
#![cfg_attr(not(test), no_main)]

npd_plugin::main!(npd_openstack::OpenStack);
