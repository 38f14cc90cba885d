"""What the benchmark compares: one Suite per plugin, each a declarative entry naming the
commands run side by side, the one ratios are taken against, the targets, and any setup
the suite needs (a fixture). To benchmark a new plugin, append a Suite to SUITES.

Command argv may use {bin_dir} (where the npd-* binaries are), {state_dir} (a fresh
temporary directory per suite) and {build_dir} (where the suite's build put the programs
it made, see spec.Suite.build); plugin() passes --state-dir itself. A suite whose plugin
binary is missing is skipped, and a missing alternative is dropped from its suite; the
report says so in either case. A new entry looks like:

    Suite(
        name="memory",
        title="available memory",
        commands=(
            plugin("npd-memory", "--min-available", "10"),
            nagios("check_swap", "-w", "20%", "-c", "10%"),
        ),
        baseline="check_swap",
        targets=(Ratio("npd-memory", "check_swap", 0.6),),
    ),

Every plugin command also gets the peak RSS target, and every npd-* binary found the
size target (the suite's rss_limit_kib, size_limit() below).
"""

import http_crates
import node_hardware
import node_services
import peers
from sleepers import sleepers
from spec import Command, Ratio, Suite, nagios, plugin, program, shell

AUTH_401 = '"POST /v(3/auth/tokens|2\\.0/tokens)[^"]*" 401 '
TOKEN_REQUEST = '"POST /v(3/auth/tokens|2\\.0/tokens)[^"]*" [0-9]+ '


def log_plugin(name: str, *args: str) -> Command:
    """npd-log reading the whole generated log as new bytes on every run: its state is
    removed first, and --from-start makes a first run count what the file holds."""
    state = "{state_dir}/" + name.replace(" ", "-")
    script = ("rm -rf " + state + " && exec {bin_dir}/npd-log --host-root {log_dir} "
              "--file /var/log/keystone.log --from-start --timeout 60s "
              "--state-dir " + state + " " + " ".join(args))
    return Command(name, ("/bin/sh", "-c", script), plugin=True)

SUITES = (
    Suite(
        name="disk",
        title="disk usage of /",
        commands=(
            plugin("npd-disk", "--path", "/", "--max-used", "90", "--max-inodes-used", "90"),
            nagios("check_disk", "-w", "10%", "-c", "5%", "-p", "/"),
            shell("df | awk", """df -P / | awk 'NR==2 {sub("%","",$5); exit ($5 > 90)}'""",
                  requires=("df", "awk")),
        ),
        baseline="check_disk",
        targets=(Ratio("npd-disk", "check_disk", 0.6),),
        runs=1000,
        budget_s=60,
    ),
    Suite(
        name="process",
        title="named processes, ~3,000 processes on the machine",
        commands=(
            plugin("npd-process", "--name", "sleep", "--min", "1", name="npd-process sleep"),
            plugin("npd-process", "--name", "kubelet", "--min", "1", name="npd-process kubelet"),
            nagios("check_procs", "-C", "sleep", "-c", "1:"),
            program("pgrep -c", "pgrep", "-c", "sleep"),
        ),
        baseline="check_procs",
        targets=(
            Ratio("npd-process sleep", "check_procs", 0.15, "at {processes} processes"),
            Ratio("npd-process kubelet", "check_procs", 0.15,
                  "at {processes} processes, no match"),
        ),
        fixtures=(sleepers,),
        runs=200,
        budget_s=240,
        notes=("`npd-process kubelet` matches nothing, so it scans every process.",),
        defaults={"processes": "~3,000"},
    ),
    Suite(
        name="memory",
        title="available memory",
        commands=(
            plugin("npd-memory", "--check", "available", "--min-available", "10"),
            nagios("check_swap", "-w", "20%", "-c", "10%"),
            shell("awk meminfo",
                  "awk '/^MemTotal:/ {t=$2} /^MemAvailable:/ {a=$2} "
                  "END {exit (a * 100 / t < 10)}' /proc/meminfo",
                  requires=("awk",)),
        ),
        baseline="check_swap",
        targets=(Ratio("npd-memory", "check_swap", 0.6),
                 Ratio("npd-memory", "awk meminfo", 0.25)),
        runs=1000,
        budget_s=60,
        notes=("check_swap judges swap, not MemAvailable: it is the monitoring-plugins "
               "check closest in kind, reading one /proc file as npd-memory does.",),
    ),
    Suite(
        name="cpu",
        title="load average per CPU",
        commands=(
            plugin("npd-cpu", "--check", "load", "--max-load-per-cpu", "4"),
            nagios("check_load", "-r", "-w", "4,4,4", "-c", "6,6,6"),
            shell("awk loadavg",
                  "awk -v n=\"$(nproc)\" '{exit ($2 / n > 4)}' /proc/loadavg",
                  requires=("awk", "nproc")),
        ),
        baseline="check_load",
        targets=(Ratio("npd-cpu", "check_load", 0.6),
                 Ratio("npd-cpu", "awk loadavg", 0.25)),
        runs=1000,
        budget_s=60,
    ),
    Suite(
        name="file",
        title="age of a heartbeat file",
        commands=(
            plugin("npd-file", "--path", "/etc/hostname", "--problem-if-older-than", "876000h"),
            nagios("check_file_age", "-w", "3153600000", "-c", "3153600000",
                   "-f", "/etc/hostname"),
            shell("find -mmin", "find /etc/hostname -mmin -52560000 | grep -q .",
                  requires=("find", "grep")),
        ),
        baseline="check_file_age",
        targets=(Ratio("npd-file", "check_file_age", 0.6),
                 Ratio("npd-file", "find -mmin", 0.25)),
        runs=500,
        budget_s=60,
        notes=("The limit (100 years) keeps every command's answer OK: the suite measures "
               "the cost of the look, not a verdict.",),
    ),
    Suite(
        name="limits",
        title="kernel limits: tasks and file handles",
        commands=(
            plugin("npd-limits", "--check", "pids,files"),
            shell("awk limits",
                  "awk 'NR == FNR {max = $1; next} {split($4, t, \"/\"); exit (t[2] > 0.7 * max)}' "
                  "/proc/sys/kernel/pid_max /proc/loadavg "
                  "&& awk '{exit ($1 > 0.7 * $3)}' /proc/sys/fs/file-nr",
                  requires=("awk",)),
        ),
        baseline="awk limits",
        targets=(Ratio("npd-limits", "awk limits", 0.25),),
        runs=500,
        budget_s=60,
        notes=("monitoring-plugins has no check for these limits; the shell one-liner reads "
               "the same files (tasks from the fourth field of /proc/loadavg, as the "
               "kernel counts them).",),
    ),
    Suite(
        name="listen",
        title="a TCP port listening",
        commands=(
            plugin("npd-listen", "--tcp", "5000"),
            shell("ss | grep", "ss -Hltn 'sport = :5000' | grep -q .", requires=("ss", "grep")),
        ),
        baseline="ss | grep",
        targets=(Ratio("npd-listen", "ss | grep", 0.25),),
        runs=500,
        budget_s=60,
        notes=("Nothing needs to listen on port 5000: both commands read the socket tables "
               "and answer either way; check_tcp would connect instead, which is another "
               "question.",),
    ),
    Suite(
        name="http",
        rss_limit_kib=4096,
        title="an HTTP GET on 127.0.0.1",
        commands=(
            plugin("npd-http", "--url", "http://127.0.0.1:{http_port}/healthz"),
            nagios("check_http", "-H", "127.0.0.1", "-p", "{http_port}", "-u", "/healthz"),
            program("curl", "curl", "-fsS", "-o", "/dev/null",
                    "http://127.0.0.1:{http_port}/healthz"),
        ),
        baseline="check_http",
        targets=(Ratio("npd-http", "check_http", 0.7),),
        fixtures=(peers.http_server,),
        runs=500,
        budget_s=90,
        notes=("Every command's time includes the Python server's answer, alike for all.",),
    ),
    Suite(
        name="https",
        rss_limit_kib=4096,
        title="an HTTPS GET on 127.0.0.1, certificate verified against a given CA",
        commands=(
            plugin("npd-http", "--url", "https://127.0.0.1:{https_port}/healthz",
                   "--ca-file", "{ca_file}"),
            nagios("check_curl", "--ssl", "-H", "127.0.0.1", "-p", "{https_port}",
                   "-u", "/healthz", "--verify-cert", "--ca-cert", "{ca_file}"),
            program("curl", "curl", "-fsS", "-o", "/dev/null", "--cacert", "{ca_file}",
                    "https://127.0.0.1:{https_port}/healthz"),
        ),
        baseline="check_curl",
        targets=(Ratio("npd-http", "check_curl", 0.7),),
        fixtures=(peers.https_server,),
        runs=300,
        budget_s=90,
        notes=("Every command's time includes the Python server's TLS handshake and "
               "answer, alike for all.",),
    ),
    Suite(
        name="tcp",
        rss_limit_kib=4096,
        title="a TCP connect on 127.0.0.1",
        commands=(
            plugin("npd-tcp", "--connect", "127.0.0.1:{http_port}"),
            nagios("check_tcp", "-H", "127.0.0.1", "-p", "{http_port}"),
        ),
        baseline="check_tcp",
        targets=(Ratio("npd-tcp", "check_tcp", 0.6),),
        fixtures=(peers.http_server,),
        runs=500,
        budget_s=60,
    ),
    Suite(
        name="log",
        rss_limit_kib=4096,
        title="1 GiB of appended access log: a 401 rate and a p95 response time",
        commands=(
            log_plugin("npd-log 401", "--pattern", "'" + AUTH_401 + "'",
                       "--max-count", "0", "--window", "5m"),
            # Through a pipe: with stdout on /dev/null GNU grep stops at the first match.
            shell("grep -c", "grep -c -E '" + AUTH_401 + "' {log_file} | cat",
                  requires=("grep", "cat")),
            log_plugin("npd-log p95", "--pattern", "'" + TOKEN_REQUEST + "'", "--field", "-1",
                       "--max-p95", "100ms", "--min-samples", "1", "--window", "5m"),
            shell("awk p95",
                  "awk '/" + TOKEN_REQUEST.replace("/", "\\/") + "/ { print $NF }' "
                  "{log_file} | sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.95); "
                  "if (i < NR * 0.95) i++; print \"p95\", v[i], \"of\", NR }'",
                  requires=("awk", "sort")),
        ),
        baseline="grep -c",
        targets=(Ratio("npd-log 401", "grep -c", 1.0),
                 Ratio("npd-log p95", "awk p95", 0.25)),
        fixtures=(peers.keystone_log,),
        runs=5,
        budget_s=300,
        notes=("`LC_ALL=C` for every command, grep included (its fastest setting). "
               "npd-log's time includes a `sh -c` that removes its state first "
               "(about 1 ms).",),
    ),
    Suite(
        name="openstack",
        rss_limit_kib=4096,
        title="this host's nova-compute as the control plane sees it",
        commands=(
            Command("npd-openstack authenticating",
                    ("/bin/sh", "-c",
                     "rm -rf {state_dir}/auth && exec {bin_dir}/npd-openstack compute "
                     "--host node-up --os-cloud pw --os-config {os_config} --timeout 8s "
                     "--state-dir {state_dir}/auth"),
                    plugin=True),
            plugin("npd-openstack", "compute", "--host", "node-up", "--os-cloud", "pw",
                   "--os-config", "{os_config}", "--timeout", "8s",
                   name="npd-openstack cached token"),
            shell("curl auth + GET",
                  "t=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' "
                  "-d '{\"auth\": {\"identity\": {\"methods\": [\"password\"], "
                  "\"password\": {\"user\": {\"name\": \"admin\", \"domain\": "
                  "{\"id\": \"default\"}, \"password\": \"{admin_password}\"}}}, "
                  "\"scope\": {\"project\": {\"name\": \"admin\", \"domain\": "
                  "{\"id\": \"default\"}}}}}' {auth_url}/auth/tokens "
                  "| sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: *\\([^[:space:]]*\\).*/\\1/p') && "
                  "curl -fsS -H \"X-Auth-Token: $t\" -H 'OpenStack-API-Version: compute 2.11' "
                  "'{nova_url}/os-services?binary=nova-compute&host=node-up' "
                  "| grep -q '\"state\": \"up\"'",
                  requires=("curl", "sed", "grep")),
        ),
        baseline="curl auth + GET",
        fixtures=(peers.openstack,),
        runs=20,
        budget_s=180,
        notes=("Keystone here hashes passwords with bcrypt at 4 rounds, the test peers' "
               "setting; at its default of 12 every authentication costs 0.1 to 1 s more. "
               "npd-openstack keeps its token in the state dir and authenticates again only "
               "near expiry or on a 401 (the cached-token row).",),
    ),
    Suite(
        name="network",
        title="node networking: lo up, a usable default route",
        commands=(
            plugin("npd-network", "--check", "interfaces,default-route", "--host-root", "/"),
            shell("ip | grep",
                  "ip -o link show up | grep -q '^[0-9]*: lo:' "
                  "&& ip route show default | grep -q '^default '",
                  requires=("ip", "grep")),
        ),
        baseline="ip | grep",
        targets=(Ratio("npd-network", "ip | grep", 0.25),),
        runs=1000,
        budget_s=60,
        notes=("Both read the machine's own tables: npd-network from /proc/1/net and "
               "/sys, ip over netlink. npd-network also requires the default route's "
               "device to be up and running, which the shell check does not look at. "
               "Forwarding is left out: it is one sysctl file, read as npd-limits reads "
               "its own, and off on a machine that routes no pods (a problem answer, "
               "not the cost of the look).",),
    ),
) + node_services.SUITES + node_hardware.SUITES + http_crates.SUITES

# Binary sizes, in decimal megabytes, by what a plugin has to carry beyond the floor
# every one shares (static glibc, Rust's std, clap and the contract: ~1.25 MB, the
# composition table; no unwind tables, which the plugins' build script discards):
# 1.5 MB for those that read the host only, with regex-lite where they match a user's
# pattern (npd-file, npd-process); 2 MB for those that ask a peer by name over plain
# TCP (glibc's resolver and NSS, ~105 KB of C library, and the HTTP client: npd-dns,
# npd-tcp, npd-gpu, npd-maintenance); 4 MB for those that carry TLS (rustls and ring),
# gRPC over HTTP/2 (npd-cri: tokio, h2, prost) or a regex engine with its DFA
# (npd-log), and for the crate-based npd-http programs measured against npd-http
# (http_crates.py).
SIZE_LIMIT_BYTES = 1_500_000
LARGER_SIZE_LIMITS = {
    **{name: 2_000_000 for name in ("npd-dns", "npd-tcp", "npd-gpu", "npd-maintenance")},
    **{name: 4_000_000 for name in (
        "npd-http", "npd-kube", "npd-openstack", "npd-log", "npd-cri", *http_crates.PROBES)},
}
NOT_A_PLUGIN = ("npd-checks",)   # companion tool: listed with its size, no target


def size_limit(binary: str) -> int:
    return LARGER_SIZE_LIMITS.get(binary, SIZE_LIMIT_BYTES)


def plugin_binary(cmd: Command) -> str:
    """The npd-* binary a plugin command runs, also through a `sh -c` wrapper."""
    for word in " ".join(cmd.argv).split():
        name = word.rsplit("/", 1)[-1]
        if name.startswith("npd-") and "{bin_dir}" in word:
            return name
    return cmd.argv[0].rsplit("/", 1)[-1]


def check(entries=SUITES) -> None:
    """Raises ValueError when an entry names a command it does not have."""
    seen = set()
    for s in entries:
        names = [c.name for c in s.commands]
        problems = []
        if s.name in seen:
            problems.append("suite name used twice")
        if len(set(names)) != len(names):
            problems.append("two commands share a name")
        if not any(c.plugin for c in s.commands):
            problems.append("no plugin command")
        for ref in [s.baseline] + [n for t in s.targets for n in (t.subject, t.baseline)]:
            if ref not in names:
                problems.append(f"refers to unknown command {ref!r}")
        if problems:
            raise ValueError(f"suite {s.name!r}: {'; '.join(problems)}")
        seen.add(s.name)
