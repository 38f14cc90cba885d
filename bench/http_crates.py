"""Suites `http-crates` and `https-crates`: npd-http's hand-written HTTP/1.1 client
(crates/http-probe) side by side with the same GET made by HTTP crates, to decide by
measurement whether one of them should replace it. The crate-based programs are built
from bench/http-crates (a Cargo project of its own, never part of the workspace) by
build() before the suites run, into $CARGO_TARGET_DIR/http-crates (target/http-crates
without it), with the plugins' release profile and static linking.
"""

import os
import shutil
import subprocess

import peers
from spec import Command, Ratio, Skip, Suite, nagios, plugin, program

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = os.path.join(REPO, "bench", "http-crates")
TARGET = "x86_64-unknown-linux-gnu"
# One program per candidate client, and the control: the hand-written client in the
# same frame, so that the programs differ only in their client. Each is built by a cargo
# invocation of its own, so that no candidate's features reach another's binary.
CONTROL = "npd-http-handwritten"
CANDIDATES = ("npd-http-ureq", "npd-http-reqwest", "npd-http-hyper")
PROBES = (CONTROL, *CANDIDATES)
TIMEOUT = "3s"
BUILD_TIMEOUT_S = 1800


def build(opts, log) -> str:
    """Builds the probes (release, static) and returns the directory holding them."""
    if not shutil.which("cargo"):
        raise Skip("cargo not found on PATH: the crate-based programs cannot be built")
    target_dir = os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target"),
                              "http-crates")
    env = {**os.environ, "CARGO_TARGET_DIR": target_dir}
    for package in PROBES:
        log(f"http-crates: cargo build --release -p {package} (bench/http-crates)")
        # From inside the repository, so that cargo reads its .cargo/config.toml: the gnu
        # target and crt-static, as for the plugins.
        try:
            r = subprocess.run(["cargo", "build", "--release", "--locked", "--target", TARGET,
                                "--manifest-path", os.path.join(PROJECT, "Cargo.toml"),
                                "-p", package],
                               cwd=PROJECT, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise Skip(f"building {package} took over {BUILD_TIMEOUT_S} s") from None
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or ["?"])[-1][:200]
            raise Skip(f"building {package} failed: {last}")
    return os.path.join(target_dir, TARGET, "release")


def _candidate(binary: str, *args: str) -> Command:
    # plugin=True: the peak RSS and size targets of a plugin apply to it.
    return Command(binary, (f"{{build_dir}}/{binary}", *args), plugin=True)


def _probes(url: str, *tls: str) -> tuple:
    args = ("--url", url, "--timeout", TIMEOUT, *tls)
    return (plugin("npd-http", *args),) + tuple(_candidate(b, *args) for b in PROBES)


DECISION = ("Decision rule: a crate may replace the hand-written client only if its program "
            "meets every target npd-http has (wall median <= 0.7x check_http over http://, "
            "<= 0.7x check_curl over https://, peak RSS <= 4 MiB, binary <= 4 MB).")
WHAT = ("The npd-http-* programs (bench/http-crates) do npd-http's job, nothing more: the "
        "same flags, one GET, 200..399 OK, redirects followed only to the same host and at "
        "most 10 requests, one deadline, rustls on ring trusting only the CA file given (no "
        "certificate read for http://), the body read up to 10 KiB; clap as the plugins "
        "use it. npd-http-handwritten is the control: npd-http's own client "
        "(crates/http-probe) in that frame. npd-http itself also keeps debounce state.")

SUITES = (
    Suite(
        name="http-crates",
        rss_limit_kib=4096,
        title="HTTP client: hand-written vs crates, an HTTP GET on 127.0.0.1",
        commands=_probes("http://127.0.0.1:{http_port}/healthz") + (
            nagios("check_http", "-H", "127.0.0.1", "-p", "{http_port}", "-u", "/healthz"),
            program("curl", "curl", "-fsS", "-o", "/dev/null",
                    "http://127.0.0.1:{http_port}/healthz"),
        ),
        baseline="check_http",
        targets=tuple(Ratio(name, "check_http", 0.7) for name in ("npd-http", *PROBES)),
        fixtures=(peers.http_server,),
        build=build,
        runs=500,
        budget_s=120,
        notes=(WHAT, DECISION),
    ),
    Suite(
        name="https-crates",
        rss_limit_kib=4096,
        title="HTTP client: hand-written vs crates, an HTTPS GET on 127.0.0.1, "
              "certificate verified against a given CA",
        commands=_probes("https://127.0.0.1:{https_port}/healthz", "--ca-file", "{ca_file}") + (
            nagios("check_curl", "--ssl", "-H", "127.0.0.1", "-p", "{https_port}",
                   "-u", "/healthz", "--verify-cert", "--ca-cert", "{ca_file}"),
            program("curl", "curl", "-fsS", "-o", "/dev/null", "--cacert", "{ca_file}",
                    "https://127.0.0.1:{https_port}/healthz"),
        ),
        # curl, not check_curl, for the table's ratios: check_curl is not on every machine.
        baseline="curl",
        targets=tuple(Ratio(name, "check_curl", 0.7) for name in ("npd-http", *PROBES)),
        fixtures=(peers.https_server,),
        build=build,
        runs=300,
        budget_s=120,
        notes=(WHAT, DECISION),
    ),
)
