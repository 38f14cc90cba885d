//! The Kubernetes API as npd-checks speaks to it, shared by the plugin `npd-kube` and
//! the tool's `npd-checks prune`:
//!
//! - [`access`]: where the apiserver is and how to authenticate (the pod's
//!   service-account token and CA, a server and token file, or a [`kubeconfig`]),
//!   and the `http_probe` client that trusts only the cluster CA;
//! - [`status`]: the `Status` object the apiserver sends with an error, and
//!   [`denial`]: a 403's message read as who was refused what.
//!
//! What a failure means (Unknown for a check, a skipped prune for the tool) is the
//! caller's to decide; this crate only reads and words.

pub mod access;
pub mod denial;
pub mod kubeconfig;
pub mod status;

pub use access::{resolve, Access, Apiserver, SA_DIR};
pub use status::Status;
