//! The roles' process configs on the nodes they are meant for: an OpenStack compute
//! node (the compute and openvswitch roles), a control host running Open vSwitch only, whose daemons run as packages or as pods in the host's PID namespace (the
//! host's /proc shows both alike; the Python services' kernel name is python3 or cut
//! at 15 bytes, so they are matched by command line); an OpenStack control-plane node
//! (openstack-control-plane=enabled), where openstack-helm runs the network and
//! storage daemons, with them and without them; and a kubeadm control-plane node, whose
//! kube-controller-manager the kernel names `kube-controller`.

use npd_test_support::{FakeHost, ProcessHost};

use super::{conditions_of, status};

/// A booted host with an empty /proc: restart loops need the boot's id and uptime.
fn booted() -> FakeHost {
    let host = FakeHost::with_proc();
    host.boot("7c0e2b4a-5d1f-4e3a-8b6c-9d2e1f0a3b4c", 86_400);
    host
}

/// The openvswitch role's process config: every node that runs Open vSwitch.
const OPENVSWITCH: &[&str] = &["npd-process-openvswitch.json"];
/// A compute node runs both roles.
const COMPUTE_AND_OPENVSWITCH: &[&str] = &[
    "npd-process-openstack-compute.json",
    "npd-process-openvswitch.json",
];

/// A compute node running everything but the daemons named in `gone`.
fn compute_node(gone: &[&str]) -> FakeHost {
    let host = booted();
    let venv = "/var/lib/openstack/bin";
    let daemons: [(u32, &str, Vec<String>); 5] = [
        (
            400,
            "libvirtd",
            vec!["/usr/sbin/libvirtd".into(), "--listen".into()],
        ),
        (
            410,
            "ovsdb-server",
            vec![
                "ovsdb-server".into(),
                "/etc/openvswitch/conf.db".into(),
                "--pidfile".into(),
            ],
        ),
        (
            420,
            "ovs-vswitchd",
            vec![
                "ovs-vswitchd".into(),
                "unix:/run/openvswitch/db.sock".into(),
            ],
        ),
        // Started through its script's shebang: the kernel names it after the script,
        // argv[0] is the interpreter.
        (
            430,
            "nova-compute",
            vec![
                format!("{venv}/python3"),
                format!("{venv}/nova-compute"),
                "--config-file".into(),
                "/etc/nova/nova.conf".into(),
            ],
        ),
        (
            440,
            "neutron-openvsw",
            vec![
                format!("{venv}/python3"),
                format!("{venv}/neutron-openvswitch-agent"),
                "--config-file".into(),
                "/etc/neutron/neutron.conf".into(),
            ],
        ),
    ];
    for (pid, comm, argv) in &daemons {
        if !gone.contains(comm) {
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            host.process(*pid, comm, &argv);
        }
    }
    // Its wrapper script is no agent: the pattern must not count it.
    host.process(
        500,
        "neutron-openvsw",
        &["/bin/bash", "/tmp/neutron-openvswitch-agent.sh", "start"],
    );
    host
}

#[test]
fn a_compute_node_running_its_daemons_raises_nothing() {
    let c = conditions_of(&compute_node(&[]), 2, COMPUTE_AND_OPENVSWITCH);
    assert_eq!(c.len(), 7, "{c:?}");
    for (ty, (s, m)) in &c {
        assert_eq!(s, "False", "{ty}: {m}");
    }
}

#[test]
fn a_compute_node_without_ovs_vswitchd_or_its_agent_says_so() {
    let c = conditions_of(
        &compute_node(&["ovs-vswitchd", "neutron-openvsw"]),
        2,
        COMPUTE_AND_OPENVSWITCH,
    );
    assert_eq!(
        status(&c, "OVSVswitchdProcessMissing"),
        ("True", "ovs-vswitchd not running (0 < min 1)")
    );
    assert_eq!(
        status(&c, "NeutronOVSAgentProcessMissing"),
        (
            "True",
            "/neutron-openvswitch-agent( |$)/ not running (0 < min 1)"
        )
    );
    for ty in [
        "LibvirtdProcessMissing",
        "OVSDBServerProcessMissing",
        "NovaComputeProcessMissing",
        "OpenStackComputeRestartLoop",
        "OpenvSwitchRestartLoop",
    ] {
        assert_eq!(status(&c, ty).0, "False", "{ty}");
    }
}

/// A control host runs Open vSwitch and its agent but no nova-compute or libvirtd: the
/// openvswitch role judges it, and the compute role's rules are not there to complain.
#[test]
fn an_open_vswitch_node_without_nova_is_judged_for_open_vswitch() {
    let control = compute_node(&["libvirtd", "nova-compute"]);
    let c = conditions_of(&control, 2, OPENVSWITCH);
    assert_eq!(c.len(), 4, "{c:?}");
    for (ty, (s, m)) in &c {
        assert_eq!(s, "False", "{ty}: {m}");
    }
    let c = conditions_of(
        &compute_node(&["libvirtd", "nova-compute", "ovsdb-server"]),
        2,
        OPENVSWITCH,
    );
    assert_eq!(
        status(&c, "OVSDBServerProcessMissing"),
        ("True", "ovsdb-server not running (0 < min 1)")
    );
}

/// The openstack-control-plane role's process configs: its network and storage nodes.
const OPENSTACK_CONTROL_PLANE: &[&str] = &[
    "npd-process-openstack-network.json",
    "npd-process-openstack-storage.json",
];

#[test]
fn an_openstack_network_and_storage_node_running_its_agents_raises_nothing() {
    let host = booted();
    let venv = "/var/lib/openstack/bin";
    for (pid, comm, script) in [
        (700, "neutron-l3-agen", "neutron-l3-agent"),
        (710, "neutron-dhcp-ag", "neutron-dhcp-agent"),
        (720, "neutron-metadat", "neutron-metadata-agent"),
        (730, "cinder-volume", "cinder-volume"),
    ] {
        let script = format!("{venv}/{script}");
        host.process(pid, comm, &[&format!("{venv}/python3"), &script]);
    }
    let c = conditions_of(&host, 2, OPENSTACK_CONTROL_PLANE);
    assert_eq!(c.len(), 2, "{c:?}");
    for (ty, (s, m)) in &c {
        assert_eq!(s, "False", "{ty}: {m}");
    }
}

/// An API-only node of the label (or one whose agents a deployment placed elsewhere):
/// nothing to judge, nothing raised.
#[test]
fn an_openstack_control_plane_node_without_agents_raises_nothing() {
    let host = booted();
    host.process(100, "kubelet", &["/usr/bin/kubelet"]);
    // neutron-server is no agent: the agents' patterns must not count it.
    host.process(
        800,
        "neutron-server",
        &[
            "/var/lib/openstack/bin/python3",
            "/var/lib/openstack/bin/neutron-server",
        ],
    );
    let c = conditions_of(&host, 2, OPENSTACK_CONTROL_PLANE);
    assert_eq!(c.len(), 2, "{c:?}");
    for (ty, (s, m)) in &c {
        assert_eq!(s, "False", "{ty}: {m}");
    }
}

/// A kubeadm control-plane node (static pod manifests), with flannel, running all
/// but `gone`.
fn control_plane_node(gone: &[&str]) -> FakeHost {
    let host = booted();
    for m in [
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "etcd",
    ] {
        host.write(
            &format!("etc/kubernetes/manifests/{m}.yaml"),
            b"kind: Pod\n",
        );
    }
    host.write("run/flannel/subnet.env", b"FLANNEL_NETWORK=10.244.0.0/16\n");
    let daemons: [(u32, &str, &[&str]); 6] = [
        (
            600,
            "kube-apiserver",
            &["kube-apiserver", "--secure-port=6443"],
        ),
        (
            610,
            "kube-controller",
            &["kube-controller-manager", "--leader-elect=true"],
        ),
        (
            620,
            "kube-scheduler",
            &["kube-scheduler", "--leader-elect=true"],
        ),
        (630, "etcd", &["etcd", "--data-dir=/var/lib/etcd"]),
        (
            640,
            "kube-proxy",
            &["/usr/local/bin/kube-proxy", "--config=x"],
        ),
        (650, "flanneld", &["/opt/bin/flanneld", "--ip-masq"]),
    ];
    for (pid, comm, argv) in daemons {
        if !gone.contains(&argv[0].rsplit('/').next().unwrap()) {
            host.process(pid, comm, argv);
        }
    }
    host
}

const CONTROL_PLANE: &[&str] = &["npd-process-control-plane.json"];

#[test]
fn a_control_plane_node_running_its_daemons_raises_nothing() {
    let c = conditions_of(&control_plane_node(&[]), 2, CONTROL_PLANE);
    for (ty, (s, m)) in &c {
        assert_eq!(s, "False", "{ty}: {m}");
    }
    // NPD keeps the config's default message while the status stays False.
    let calico = status(&c, "CalicoNodeProcessMissing").1;
    assert!(
        calico == "not judged: no /var/lib/calico/nodename on this host"
            || calico == "calico-node running or not used here",
        "{calico}"
    );
}

#[test]
fn a_control_plane_node_names_the_daemon_gone() {
    let c = conditions_of(
        &control_plane_node(&["kube-controller-manager", "etcd", "flanneld"]),
        2,
        CONTROL_PLANE,
    );
    assert_eq!(
        status(&c, "KubeControllerManagerProcessMissing"),
        ("True", "kube-controller-manager not running (0 < min 1)")
    );
    assert_eq!(
        status(&c, "EtcdProcessMissing"),
        ("True", "etcd not running (0 < min 1)")
    );
    assert_eq!(
        status(&c, "FlanneldProcessMissing"),
        ("True", "flanneld not running (0 < min 1)")
    );
    assert_eq!(status(&c, "KubeAPIServerProcessMissing").0, "False");
}

#[test]
fn a_node_without_static_pods_does_not_judge_them() {
    let host = booted();
    host.process(640, "kube-proxy", &["kube-proxy"]);
    let c = conditions_of(&host, 2, CONTROL_PLANE);
    for (ty, (s, m)) in &c {
        assert_eq!(s, "False", "{ty}: {m}");
    }
}
