//! dcgm-exporter's page judged; an exporter that fails is only the way to ask
//! (Unknown), whatever it does, and the answer comes by --timeout.

use std::time::Duration;

use npd_test_support::{closed_port, run, Reply, Server};

use crate::util::BIN;

/// Process start and exit of a debug binary on a loaded machine.
const MARGIN: Duration = Duration::from_millis(1500);

fn sample(name: &str, gpu: u32, addr: &str, value: &str) -> String {
    format!(
        "# HELP {name} x\n# TYPE {name} gauge\n{name}{{gpu=\"{gpu}\",UUID=\"GPU-{gpu}\",\
         pci_bus_id=\"{addr}\",device=\"nvidia{gpu}\",modelName=\"NVIDIA A100-SXM4-80GB\",\
         Hostname=\"node-1\"}} {value}\n"
    )
}

fn healthy_page() -> String {
    let mut page = String::new();
    for (gpu, addr) in [(0, "00000000:3B:00.0"), (1, "00000000:86:00.0")] {
        page += &sample("DCGM_FI_DEV_XID_ERRORS", gpu, addr, "0");
        page += &sample("DCGM_FI_DEV_ROW_REMAP_FAILURE", gpu, addr, "0");
        page += &sample("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", gpu, addr, "2");
        page += &sample("DCGM_FI_DEV_GPU_TEMP", gpu, addr, "41");
    }
    page
}

fn judged(page: String) -> (i32, String) {
    let peer = Server::http(move |_| Reply::ok(page.clone()));
    let r = run(
        BIN,
        &["--check", "dcgm", "--dcgm-url", &peer.url("/metrics")],
    );
    (r.code, r.line().to_string())
}

#[test]
fn a_healthy_page_is_ok() {
    assert_eq!(
        judged(healthy_page()),
        (0, "DCGM reports no GPU error".into())
    );
    // A last XID that is not critical is the application's.
    let page = healthy_page() + &sample("DCGM_FI_DEV_XID_ERRORS", 2, "00000000:AF:00.0", "13");
    assert_eq!(judged(page), (0, "DCGM reports no GPU error".into()));
}

#[test]
fn critical_xids_failed_remapping_and_dbe_errors_are_problems() {
    let page = healthy_page() + &sample("DCGM_FI_DEV_XID_ERRORS", 2, "00000000:AF:00.0", "79");
    assert_eq!(
        judged(page),
        (1, "GPU 0000:af:00.0 last XID 79 (DCGM)".into())
    );
    let page = sample("DCGM_FI_DEV_XID_ERRORS", 0, "00000000:3B:00.0", "0")
        + &sample("DCGM_FI_DEV_ROW_REMAP_FAILURE", 0, "00000000:3B:00.0", "1");
    assert_eq!(
        judged(page),
        (1, "GPU 0000:3b:00.0 row remapping failed (DCGM)".into())
    );
    let page = sample("DCGM_FI_DEV_XID_ERRORS", 0, "00000000:3B:00.0", "48")
        + &sample("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 0, "00000000:3B:00.0", "2");
    assert_eq!(
        judged(page),
        (1, "GPU 0000:3b:00.0 last XID 48 (DCGM) (+1 more)".into())
    );
}

#[test]
fn critical_xids_can_be_given() {
    let page = healthy_page() + &sample("DCGM_FI_DEV_XID_ERRORS", 2, "00000000:AF:00.0", "13");
    let peer = Server::http(move |_| Reply::ok(page.clone()));
    let url = peer.url("/metrics");
    let r = run(
        BIN,
        &[
            "--check",
            "dcgm",
            "--dcgm-url",
            &url,
            "--critical-xids",
            "13,31",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (1, "GPU 0000:af:00.0 last XID 13 (DCGM)")
    );
}

#[test]
fn pages_that_cannot_be_judged_are_unknown() {
    for (page, ends) in [
        (
            "<html><body>dcgm</body></html>".to_string(),
            "not Prometheus text (line 1)",
        ),
        ("{\"gpus\": []}".to_string(), "not Prometheus text (line 1)"),
        (
            "# no GPU\nup 1\n".to_string(),
            "lists no GPU (DCGM_FI_DEV_XID_ERRORS)",
        ),
        (String::new(), "lists no GPU (DCGM_FI_DEV_XID_ERRORS)"),
    ] {
        let (code, line) = judged(page.clone());
        assert_eq!(code, 2, "{page:?}: {line}");
        assert!(line.ends_with(ends), "{page:?}: {line}");
    }
    let peer = Server::http(|_| Reply::status(503, "", "starting"));
    let url = peer.url("/metrics");
    let r = run(BIN, &["--check", "dcgm", "--dcgm-url", &url]);
    assert_eq!(
        (r.code, r.line()),
        (2, format!("{url} status 503").as_str())
    );
    let peer = Server::http(|_| Reply::Raw(b"SSH-2.0-OpenSSH_9.2p1\r\n".to_vec()));
    let r = run(
        BIN,
        &["--check", "dcgm", "--dcgm-url", &peer.url("/metrics")],
    );
    assert_eq!(r.code, 2, "{}", r.line());
}

#[test]
fn an_exporter_that_is_down_is_unknown() {
    let closed = closed_port();
    let url = format!("http://127.0.0.1:{}/metrics", closed.port());
    let r = run(BIN, &["--check", "dcgm", "--dcgm-url", &url]);
    assert_eq!(
        (r.code, r.line()),
        (2, format!("{url} connection refused").as_str())
    );
}

#[test]
fn an_exporter_that_never_answers_is_unknown_by_the_timeout() {
    let peer = Server::silent();
    let url = peer.url("/metrics");
    let r = run(
        BIN,
        &["--check", "dcgm", "--dcgm-url", &url, "--timeout", "1s"],
    );
    assert_eq!(
        (r.code, r.line()),
        (2, format!("{url} no answer in 1s").as_str())
    );
    assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);
}
