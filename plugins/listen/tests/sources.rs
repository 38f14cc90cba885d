//! Which way the sockets are read, and that both ways answer alike: over netlink
//! sock_diag when the plugin shares the network namespace of the tables under the
//! host root, from those tables otherwise (a copy under a fixture root, a plugin in
//! a network namespace of its own, netlink refused by a seccomp filter). The sockets
//! are real ones this test opens on ephemeral ports of 127.0.0.1 and ::1.

use std::io;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::util::{BIN, TCP, TCP6, UDP, UDP6};
use npd_test_support::{is_root, run, skip, FakeHost, Invocation, Run};

/// Whether this process shares PID 1's network namespace, told as the plugin tells
/// it (PID 1's namespace link itself can be closed to root without CAP_SYS_PTRACE).
fn shares_pid_1s_namespace() -> bool {
    let inode = |path: &str| std::fs::metadata(path).map(|m| m.ino()).ok();
    inode("/proc/1/net/tcp").is_some() && inode("/proc/1/net/tcp") == inode("/proc/self/net/tcp")
}

/// Real sockets: TCP listeners and unconnected UDP sockets on both loopbacks, and
/// sockets on other ports that must not count (a TCP connection's ends, a UDP
/// client connected to a peer).
struct Sockets {
    tcp4: TcpListener,
    tcp6: TcpListener,
    udp4: UdpSocket,
    udp6: UdpSocket,
    client: TcpStream,
    _server_end: TcpStream,
    udp_client: UdpSocket,
}

impl Sockets {
    fn open(test: &str) -> Option<Sockets> {
        let (Ok(tcp6), Ok(udp6)) = (TcpListener::bind("[::1]:0"), UdpSocket::bind("[::1]:0"))
        else {
            skip(test, "no IPv6 loopback");
            return None;
        };
        let tcp4 = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(tcp4.local_addr().unwrap()).unwrap();
        let (server_end, _) = tcp4.accept().unwrap();
        let udp4 = UdpSocket::bind("127.0.0.1:0").unwrap();
        let udp_client = UdpSocket::bind("127.0.0.1:0").unwrap();
        udp_client.connect(udp4.local_addr().unwrap()).unwrap();
        Some(Sockets {
            tcp4,
            tcp6,
            udp4,
            udp6,
            client,
            _server_end: server_end,
            udp_client,
        })
    }

    fn port(addr: io::Result<std::net::SocketAddr>) -> u16 {
        addr.unwrap().port()
    }

    /// Flags every socket meets: ports alone and with their addresses.
    fn bound(&self) -> Vec<String> {
        vec![
            "--tcp".into(),
            Self::port(self.tcp4.local_addr()).to_string(),
            "--tcp".into(),
            format!("[::1]:{}", Self::port(self.tcp6.local_addr())),
            "--udp".into(),
            format!("127.0.0.1:{}", Self::port(self.udp4.local_addr())),
            "--udp".into(),
            Self::port(self.udp6.local_addr()).to_string(),
        ]
    }

    /// Flags no socket meets, and the answer naming them.
    fn unbound(&self) -> (Vec<String>, String) {
        let client = Self::port(self.client.local_addr());
        let tcp4 = Self::port(self.tcp4.local_addr());
        let udp_client = Self::port(self.udp_client.local_addr());
        let flags = vec![
            "--tcp".into(),
            client.to_string(),
            // An IPv4 listener does not take an IPv6 address.
            "--tcp".into(),
            format!("[::1]:{tcp4}"),
            "--udp".into(),
            udp_client.to_string(),
        ];
        let line = format!(
            "no TCP listener on port {client}, [::1]:{tcp4}; no UDP socket on port {udp_client}"
        );
        (flags, line)
    }
}

fn explained(root: &str, flags: &[String]) -> Run {
    let mut args = vec!["--host-root", root, "--explain", "--max-output", "400"];
    args.extend(flags.iter().map(String::as_str));
    run(BIN, &args)
}

/// A fixture root holding copies of this namespace's tables as they are now.
fn copied_tables() -> FakeHost {
    let host = FakeHost::new();
    for (table, own) in [(TCP, "tcp"), (TCP6, "tcp6"), (UDP, "udp"), (UDP6, "udp6")] {
        host.write(
            table,
            std::fs::read(format!("/proc/self/net/{own}")).unwrap(),
        );
    }
    host
}

#[test]
fn real_sockets_are_judged_alike_over_netlink_and_from_the_tables() {
    let test = "real_sockets_are_judged_alike_over_netlink_and_from_the_tables";
    if !shares_pid_1s_namespace() {
        skip(test, "not in PID 1's network namespace");
        return;
    }
    let Some(sockets) = Sockets::open(test) else {
        return;
    };
    let (tcp4, tcp6) = (
        sockets.tcp4.local_addr().unwrap(),
        sockets.tcp6.local_addr().unwrap(),
    );
    let (udp4, udp6) = (
        sockets.udp4.local_addr().unwrap(),
        sockets.udp6.local_addr().unwrap(),
    );
    let (unbound, missing) = sockets.unbound();
    let host = copied_tables();

    let r = explained("/", &sockets.bound());
    assert_eq!(
        (r.code, r.line()),
        (0, "required TCP ports listening, UDP ports bound"),
        "{}",
        r.stderr
    );
    for said in [
        "TCP: asking netlink sock_diag: /proc/1/net/tcp is this process's network namespace's"
            .to_string(),
        "UDP: asking netlink sock_diag: /proc/1/net/udp is this process's".to_string(),
        format!("met by {tcp4} in netlink sock_diag IPv4"),
        format!("met by {tcp6} in netlink sock_diag IPv6"),
        format!("met by {udp4} in netlink sock_diag IPv4"),
        format!("met by {udp6} in netlink sock_diag IPv6"),
    ] {
        assert!(r.stderr.contains(&said), "{said:?} in:\n{}", r.stderr);
    }
    let r = explained("/", &unbound);
    assert_eq!((r.code, r.line()), (1, missing.as_str()), "{}", r.stderr);
    assert!(
        r.stderr.contains("asking netlink sock_diag"),
        "{}",
        r.stderr
    );

    // The same sockets in copies of the tables, read as files.
    let r = explained(host.root(), &sockets.bound());
    assert_eq!(
        (r.code, r.line()),
        (0, "required TCP ports listening, UDP ports bound"),
        "{}",
        r.stderr
    );
    let tables = format!(
        "TCP: reading the tables: {} is not on procfs",
        host.path(TCP).display()
    );
    assert!(r.stderr.contains(&tables), "{}", r.stderr);
    for said in [
        format!("met by {tcp4} in {}", host.path(TCP).display()),
        format!("met by {tcp6} in {}", host.path(TCP6).display()),
        format!("met by {udp4} in {}", host.path(UDP).display()),
        format!("met by {udp6} in {}", host.path(UDP6).display()),
    ] {
        assert!(r.stderr.contains(&said), "{said:?} in:\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("netlink"), "{}", r.stderr);
    let r = explained(host.root(), &unbound);
    assert_eq!((r.code, r.line()), (1, missing.as_str()), "{}", r.stderr);
}

/// Whether this process may make network namespaces (root with CAP_SYS_ADMIN).
fn can_unshare_the_network() -> bool {
    let mut probe = Command::new("true");
    // SAFETY: unshare(2) is async-signal-safe; nothing else runs in the child.
    unsafe { probe.pre_exec(enter_a_new_network_namespace) };
    is_root() && probe.status().is_ok_and(|s| s.success())
}

fn enter_a_new_network_namespace() -> io::Result<()> {
    // SAFETY: unshare(2) with a constant flag.
    match unsafe { libc::unshare(libc::CLONE_NEWNET) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

#[test]
fn in_a_network_namespace_of_its_own_the_plugin_reads_pid_1s_tables() {
    let test = "in_a_network_namespace_of_its_own_the_plugin_reads_pid_1s_tables";
    if !shares_pid_1s_namespace() || !can_unshare_the_network() {
        skip(
            test,
            "needs root able to unshare the network, in PID 1's namespace",
        );
        return;
    }
    // A listener of PID 1's namespace only: netlink asked from the new, empty
    // namespace would not list it; PID 1's tables do.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let port = addr.port().to_string();
    let r = Invocation::new(BIN, &["--host-root", "/", "--tcp", &port, "--explain"])
        // SAFETY: as in can_unshare_the_network.
        .setup(|cmd| unsafe {
            cmd.pre_exec(enter_a_new_network_namespace);
        })
        .go();
    assert_eq!(
        (r.code, r.line()),
        (0, "required TCP ports listening"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("TCP: reading the tables: /proc/1/net/tcp is another network namespace's"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("met by {addr} in /proc/1/net/tcp")),
        "{}",
        r.stderr
    );
}

/// In the child before exec: socket(AF_NETLINK, ...) fails with EPERM, as under a
/// container runtime's seccomp profile that refuses netlink; every other call runs.
#[cfg(target_arch = "x86_64")]
fn refuse_netlink() -> io::Result<()> {
    const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
    // struct seccomp_data: nr at 0, arch at 4, args[0] at 16 (its low half first).
    let load = |at: u32| libc::sock_filter {
        code: (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16,
        jt: 0,
        jf: 0,
        k: at,
    };
    // Equal: the next instruction; otherwise skip `jf` of them.
    let unless = |k: u32, jf: u8| libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt: 0,
        jf,
        k,
    };
    let ret = |k: u32| libc::sock_filter {
        code: (libc::BPF_RET | libc::BPF_K) as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let filter = [
        load(4),
        unless(AUDIT_ARCH_X86_64, 5),
        load(0),
        unless(libc::SYS_socket as u32, 3),
        load(16),
        unless(libc::AF_NETLINK as u32, 1),
        ret(libc::SECCOMP_RET_ERRNO | libc::EPERM as u32),
        ret(libc::SECCOMP_RET_ALLOW),
    ];
    let program = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: prctl(2) with a filter that outlives the call; no allocation happens
    // in the child.
    let installed = unsafe {
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
            && libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, &program) == 0
    };
    match installed {
        true => Ok(()),
        false => Err(io::Error::last_os_error()),
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn netlink_refused_by_seccomp_falls_back_to_the_tables() {
    let test = "netlink_refused_by_seccomp_falls_back_to_the_tables";
    if !shares_pid_1s_namespace() {
        skip(test, "not in PID 1's network namespace");
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let (addr, udp_addr) = (listener.local_addr().unwrap(), udp.local_addr().unwrap());
    let (port, udp_port) = (addr.port().to_string(), udp_addr.port().to_string());
    let args = [
        "--host-root",
        "/",
        "--tcp",
        &port,
        "--udp",
        &udp_port,
        "--explain",
    ];
    let r = Invocation::new(BIN, &args)
        // SAFETY: prctl(2) only, in the child.
        .setup(|cmd| unsafe {
            cmd.pre_exec(refuse_netlink);
        })
        .go();
    assert_eq!(
        (r.code, r.line()),
        (0, "required TCP ports listening, UDP ports bound"),
        "{}",
        r.stderr
    );
    for said in [
        "TCP: netlink sock_diag failed (socket: permission denied): reading the tables instead"
            .to_string(),
        "UDP: netlink sock_diag failed (socket: permission denied)".to_string(),
        format!("met by {addr} in /proc/1/net/tcp"),
        format!("met by {udp_addr} in /proc/1/net/udp"),
    ] {
        assert!(r.stderr.contains(&said), "{said:?} in:\n{}", r.stderr);
    }
    // Without the filter, the same run asks netlink.
    let r = run(BIN, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("met by") && !r.stderr.contains("failed"),
        "{}",
        r.stderr
    );
    assert!(r
        .stderr
        .contains(&format!("met by {addr} in netlink sock_diag IPv4")));
}
