//! The system bus of a test: a real dbus-daemon listening at
//! `<host-root>/run/dbus/system_bus_socket` of a temp host root, and on it, when asked,
//! python-dbusmock serving systemd's manager (`mock_systemd.py`) with units the test
//! describes in JSON. Both are killed when the test lets go of them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use npd_test_support::{run_in, skip, FakeHost, Reaped, Run};
use serde_json::{json, Value};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-systemd");
pub const SOCKET: &str = "run/dbus/system_bus_socket";
/// Debian's python3-dbusmock installs for the system's python.
const PYTHON: &str = "/usr/bin/python3";
const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mock_systemd.py");
const BOOT_ID: &str = "proc/sys/kernel/random/boot_id";

/// A host root with a system bus, and systemd on it when [`HostBus::with_systemd`]
/// made it so. Fields drop in order: the mock, then the bus, then the files.
pub struct HostBus {
    mock: Option<Reaped>,
    _daemon: Reaped,
    pub host: FakeHost,
    pub state: tempfile::TempDir,
    units: PathBuf,
}

/// Whether this machine can run the bus tests; says why not (and fails in CI).
pub fn available(test: &str) -> bool {
    let missing = [
        ("/usr/bin/dbus-daemon", "dbus-daemon (package dbus-daemon)"),
        (
            "/usr/lib/python3/dist-packages/dbusmock",
            "python-dbusmock (package python3-dbusmock)",
        ),
    ]
    .into_iter()
    .find(|(path, _)| !Path::new(path).exists());
    match missing {
        Some((_, what)) => {
            skip(test, &format!("needs {what}"));
            false
        }
        None => true,
    }
}

impl HostBus {
    /// A bus on which nobody owns systemd's name.
    pub fn empty() -> HostBus {
        let host = FakeHost::new();
        host.dir("run/dbus").boot("b0", 1000);
        let socket = host.path(SOCKET);
        let conf = host.path("bus.conf");
        std::fs::write(&conf, bus_conf(&socket)).unwrap();
        let mut daemon = Reaped(
            Command::new("/usr/bin/dbus-daemon")
                .arg(format!("--config-file={}", conf.display()))
                .args(["--print-address", "--nofork"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("dbus-daemon"),
        );
        // It prints its address once it listens.
        let mut line = String::new();
        BufReader::new(daemon.0.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("unix:path="), "dbus-daemon said {line:?}");
        let units = host.path("units.json");
        let bus = HostBus {
            mock: None,
            _daemon: daemon,
            host,
            state: tempfile::tempdir().unwrap(),
            units,
        };
        bus.units(json!({}));
        bus
    }

    /// A bus with systemd's manager on it, serving `units` (see mock_systemd.py).
    pub fn with_systemd(units: Value) -> HostBus {
        let mut bus = HostBus::empty();
        bus.units(units);
        let ready = bus.host.path("mock.ready");
        let params = json!({"units": bus.units, "ready": ready}).to_string();
        let address = format!("unix:path={}", bus.host.path(SOCKET).display());
        let mock = Reaped(
            Command::new(PYTHON)
                .args(["-m", "dbusmock", "--system", "-t", TEMPLATE, "-p", &params])
                .env("DBUS_SYSTEM_BUS_ADDRESS", address)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .expect("python3 -m dbusmock"),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while !ready.exists() {
            assert!(Instant::now() < deadline, "the systemd mock did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        bus.mock = Some(mock);
        bus
    }

    /// Replaces what systemd says of the units, from the next LoadUnit on.
    pub fn units(&self, units: Value) -> &HostBus {
        let tmp = self.units.with_extension("tmp");
        std::fs::write(&tmp, units.to_string()).unwrap();
        std::fs::rename(&tmp, &self.units).unwrap();
        self
    }

    pub fn root(&self) -> &str {
        self.host.root()
    }

    /// Runs the plugin on this host root with the test's state dir.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--host-root", self.root()];
        all.extend_from_slice(args);
        run_in(BIN, self.state.path(), &all)
    }

    /// Runs the plugin and gives its exit code and line.
    pub fn answer(&self, args: &[&str]) -> (i32, String) {
        let r = self.run(args);
        (r.code, r.line().to_string())
    }
}

pub trait BootHost {
    /// Sets the boot id and the seconds since boot (`/proc/uptime`).
    fn boot(&self, id: &str, uptime_s: u64) -> &FakeHost;
}

impl BootHost for FakeHost {
    fn boot(&self, id: &str, uptime_s: u64) -> &FakeHost {
        self.write(BOOT_ID, format!("{id}\n"))
            .write("proc/uptime", format!("{uptime_s}.00 1.00\n"))
    }
}

/// A system bus that lets the test's user in and lets anyone own and call anything.
fn bus_conf(socket: &Path) -> String {
    include_str!("system-bus.conf").replace("{socket}", &socket.display().to_string())
}

/// A service as systemd shows it: loaded, in `active`/`sub`, with its Result and
/// NRestarts, having left inactive `ago` before now on the host's CLOCK_MONOTONIC.
pub fn service(active: &str, sub: &str, result: &str, restarts: u32, ago: Duration) -> Value {
    json!({
        "Unit": {
            "Id": "x.service",
            "Names": ["x.service"],
            "LoadState": "loaded",
            "ActiveState": active,
            "SubState": sub,
            "InactiveExitTimestampMonotonic": monotonic_us().saturating_sub(ago.as_micros() as u64),
            "ActiveExitTimestampMonotonic": 0,
            "StateChangeTimestampMonotonic": monotonic_us().saturating_sub(ago.as_micros() as u64),
        },
        "Service": {"Result": result, "NRestarts": restarts, "MainPID": 4242},
    })
}

/// A service active and running for an hour, restarted `restarts` times since loaded.
pub fn running(restarts: u32) -> Value {
    service(
        "active",
        "running",
        "success",
        restarts,
        Duration::from_secs(3600),
    )
}

pub fn monotonic_us() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000
}
