//! Where a config of npd-config/ belongs, judged from its name: which NPD (DaemonSet and
//! container) should load it, which file names it, and which overlay deploys it. Used by
//! the delivery tests to say what line to add where when a config is wired nowhere.

use super::{flag_for, LOG_CONFIG_FLAG};

/// Where a config belongs, from its name: the NPD that should pass it, the file that
/// names it, and the overlay that deploys it. Configs for OpenStack nodes never go to
/// the base, whose NPD runs on every node; cluster-scoped and control-plane checks run
/// on the control-plane nodes only, so that 5,000 nodes do not ask the apiserver.
/// OpenStack configs go where openstack-helm's charts place the daemons they judge by
/// default: nova-compute and libvirt on `openstack-compute-node=enabled` (the compute
/// role); Open vSwitch and its agent's process on `openvswitch=enabled` (the
/// openvswitch role, compute and control hosts); the APIs, the neutron L3, DHCP and metadata agents and cinder-volume on
/// `openstack-control-plane=enabled` (its network and storage nodes: the
/// openstack-control-plane role).
pub struct Home {
    pub npd: &'static str,
    /// The NPD container of that DaemonSet that loads it.
    pub container: &'static str,
    pub args_file: &'static str,
    pub overlay: &'static str,
}

pub fn home(config: &str) -> Home {
    let stem = config.trim_end_matches(".json");
    let has = |words: &[&str]| words.iter().any(|w| stem.contains(w));
    if has(&["openvswitch", "ovs"]) {
        Home {
            npd: "npd-checks-openvswitch",
            container: "node-problem-detector",
            args_file: "manifests/roles/openvswitch/daemonset/args.yaml",
            overlay: "manifests/overlays/openvswitch",
        }
    } else if has(&["openstack-compute", "nova-compute", "libvirt"]) {
        Home {
            npd: "npd-checks-openstack-compute",
            container: "node-problem-detector",
            args_file: "manifests/roles/openstack-compute/daemonset/args.yaml",
            overlay: "manifests/overlays/openstack-compute",
        }
    } else if has(&[
        "openstack",
        "keystone",
        "nova",
        "glance",
        "cinder",
        "neutron",
    ]) {
        Home {
            npd: "npd-checks-openstack-control-plane",
            container: "node-problem-detector",
            args_file: "manifests/roles/openstack-control-plane/daemonset/args.yaml",
            overlay: "manifests/overlays/openstack-control-plane",
        }
    } else if has(&[
        "apiserver",
        "etcd",
        "scheduler",
        "controller-manager",
        "control-plane",
        "deployments",
        "endpoints",
        "kube-services",
    ]) {
        Home {
            npd: "npd-checks-control-plane",
            container: "node-problem-detector",
            args_file: "manifests/roles/control-plane/daemonset/args.yaml",
            overlay: "manifests/overlays/control-plane",
        }
    } else if has(&["gpu"]) {
        Home {
            npd: "npd-checks-gpu-nvidia",
            container: "node-problem-detector",
            args_file: "manifests/roles/gpu-nvidia/daemonset/args.yaml",
            overlay: "manifests/overlays/gpu-nvidia",
        }
    } else {
        // The kernel log is read by the base's second container, the only privileged one.
        let log = flag_for(config) == LOG_CONFIG_FLAG;
        Home {
            npd: "npd-checks",
            container: if log {
                "kernel-log-monitor"
            } else {
                "node-problem-detector"
            },
            args_file: "manifests/daemonset/daemonset.yaml",
            overlay: "manifests, the base: every node",
        }
    }
}
