//! The apiserver of a run, resolved by `kube_api` from the access flags on every run
//! (projected service-account tokens rotate), speaking as `npd-kube`.

use npd_plugin::Result;

pub use kube_api::Apiserver;

use crate::config::Access;

pub fn resolve(access: &Access) -> Result<Apiserver> {
    kube_api::resolve(access, "npd-kube")
}
