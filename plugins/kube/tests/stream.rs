//! A huge PodList (50,000 pods, as a field selector the server ignored could
//! return) is parsed as it arrives: the plugin's peak memory stays far below the
//! list's size.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{pod, waiting, Apiserver, Reply, BIN};

const PODS: usize = 50_000;

/// Streams a PodList of `PODS` pods in chunks, one bad pod in the middle; returns
/// the bytes of the body.
fn stream_list(w: &mut dyn Write) {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    let chunk = |w: &mut dyn Write, text: &str| {
        w.write_all(format!("{:x}\r\n{text}\r\n", text.len()).as_bytes())
    };
    if w.write_all(head.as_bytes()).is_err() {
        return;
    }
    let template = pod("tenant", "app-00000", "node-1").to_string();
    let bad = waiting(pod("tenant", "app-25000", "node-1"), "CrashLoopBackOff").to_string();
    let _ = chunk(
        w,
        r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":["#,
    );
    let mut buf = String::with_capacity(1 << 20);
    for i in 0..PODS {
        if i > 0 {
            buf.push(',');
        }
        if i == PODS / 2 {
            buf.push_str(&bad);
        } else {
            buf.push_str(&template.replace("app-00000", &format!("app-{i:05}")));
        }
        if buf.len() > 256 << 10 {
            if chunk(w, &buf).is_err() {
                return;
            }
            buf.clear();
        }
    }
    buf.push_str("]}");
    let _ = chunk(w, &buf);
    let _ = w.write_all(b"0\r\n\r\n");
}

#[test]
fn fifty_thousand_pods_stream_through_in_bounded_memory() {
    let template_len = pod("tenant", "app-00000", "node-1").to_string().len();
    let body_mib = (template_len * PODS) >> 20;
    let api = Apiserver::start(|_| Reply::Stream(Box::new(stream_list)));
    let mut args = vec![
        "pods".to_string(),
        "--node".into(),
        "node-1".into(),
        "--timeout".into(),
        "50s".into(),
    ];
    args.extend(api.access());
    let state = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(&args)
        .arg("--state-dir")
        .arg(state.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    // The kernel's high-water mark of the plugin's own memory (VmHWM), read while it
    // runs: wait4's ru_maxrss would also count this test process, whose memory a
    // spawned child inherits the accounting of until exec.
    let status_file = format!("/proc/{pid}/status");
    let mut peak_kib = 0u64;
    let mut status = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak_kib = peak_kib.max(hwm.unwrap_or(0));
        }
        // SAFETY: reaps our own child without blocking.
        let got = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if got == pid {
            break;
        }
        if started.elapsed() > Duration::from_secs(55) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("npd-kube still running after 55s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Already reaped above; this only satisfies the Child's bookkeeping.
    let _ = child.wait();
    let mut line = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut line).unwrap();
    let code = libc::WEXITSTATUS(status);
    let peak_mib = peak_kib as f64 / 1024.0;
    eprintln!(
        "{PODS} pods, {body_mib} MiB of JSON: peak RSS {peak_mib:.1} MiB in {:?}",
        started.elapsed()
    );
    assert_eq!(code, 1, "{line}");
    assert_eq!(
        line.trim_end(),
        "1 bad pod: tenant/app-25000 CrashLoopBackOff"
    );
    assert!(
        body_mib > 60,
        "the list must dwarf the bound: {body_mib} MiB"
    );
    assert!(peak_mib < 24.0, "peak RSS {peak_mib:.1} MiB");
}
