"""Suite `node-budget`: what a node pays for the base DaemonSet's plugins per minute, not one
check's cost. Every rule of every config the base DaemonSet loads (npd-config files named
by its --config.custom-plugin-monitor flags) is run as NPD runs it, round after round,
and the CPU time (user + system) of all plugin processes is added up per simulated
minute, against the same rules running /bin/true.

As NPD does: each rule's path is exec'd directly with its args (the install dir mapped
to --bin-dir, as `npd-checks run --plugin-dir` does), stdin from /dev/null, stdout and
stderr on pipes that are read to the end, in a process group of its own, killed at the
rule's effective timeout; all configs start together, each runs its rules up to its
own concurrency at once. The environment is the DaemonSet's: HOST_ROOT (here /, this
machine), NPD_CHECKS_STATE_DIR and NPD_CHECKS_METRICS_DIR (temporary directories),
NODE_NAME (this host's name).

Besides the rules as deployed, each round kind below runs the same rules with one cost
taken away, so that the difference says where the CPU goes: the metrics textfile,
debounce state, everything after the flags are parsed (--lint-args exits there), and
the program itself (/bin/true; a static C program that exits at once).
"""

import contextlib
import os
import re
import resource
import signal
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import engine
import npdrules
import peers
from spec import Skip

NAME = "node-budget"
TITLE = "a node's whole budget: the base DaemonSet's rules, CPU per minute"
RUNS = 300           # rounds of each kind (about a minute in all)
BUDGET_S = 180.0     # time for the timed rounds before stopping early
TARGET_RATIO = 1.5   # plugins' CPU per minute against the same rules running /bin/true
NOTES = (
    "Rounds follow each other at once, not an invoke_interval apart: caches stay warmer "
    "than between two ticks on a node, so every kind reads somewhat low, alike.",
    "Off a cluster (no KUBERNETES_SERVICE_HOST) both npd-kube rules answer Unknown "
    "before sending anything; on a node every run also makes an HTTPS request to the "
    "apiserver, TLS handshake included, so their figures here are a floor.",
    "This machine runs no kubelet: `npd-process KubeletProcessMissing` answers a problem "
    "once debounced; it scans the same process table either way.",
)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    metrics: bool = True        # NPD_CHECKS_METRICS_DIR set, as in the DaemonSet
    debounce: bool = True       # --fail-after / --recover-after kept
    lint: bool = False          # --lint-args: exit once the flags are parsed and checked
    program: str = ""           # run this instead of the rule's binary


DEPLOYED = "deployed"
TRUE = "true"
KINDS = (
    Kind(DEPLOYED, "the rules as deployed"),
    Kind("no-metrics", "without the metrics textfile", metrics=False),
    Kind("no-debounce", "... and without debounce state", metrics=False, debounce=False),
    Kind("start-up", "... flags parsed and checked, then exit (--lint-args)",
         metrics=False, debounce=False, lint=True),
    Kind(TRUE, "/bin/true with the rules' args", program="/bin/true"),
    Kind("noop", "a static C program that exits at once", program="{helper}"),
)


@dataclass
class Result:
    """What the suite measured; report.py renders it and targets.py judges it."""
    name: str = NAME
    title: str = TITLE
    skipped: str = ""
    configs: list = field(default_factory=list)            # npdrules.Config
    kinds: list = field(default_factory=list)              # Kind actually run
    changed: list = field(default_factory=list)            # (rule label, what was changed)
    setup: list = field(default_factory=list)              # sentences
    cpu_us: dict = field(default_factory=dict)             # (kind, label) -> [per run]
    exits: dict = field(default_factory=dict)              # (kind, label) -> {code: n}
    timeouts: dict = field(default_factory=dict)           # (kind, label) -> n
    answers: dict = field(default_factory=dict)            # label -> (exit, line), deployed
    per_minute: dict = field(default_factory=dict)         # kind -> [CPU ms per sim. minute]
    rounds: int = 0
    warmup: int = 0
    cut_by_budget: bool = False
    budget_s: float = 0.0
    seconds: float = 0.0
    harness_cpu_ms: float = 0.0    # this Python process, playing NPD's part
    unattributed_ms: float = 0.0   # children's CPU not seen in any run's own rusage

    def rules(self):
        return [r for c in self.configs for r in c.rules]

    def mean_ms(self, kind: str, label: str) -> float | None:
        xs = self.cpu_us.get((kind, label))
        return statistics.fmean(xs) / 1e3 if xs else None

    def minute_ms(self, kind: str) -> float | None:
        xs = self.per_minute.get(kind)
        return statistics.fmean(xs) if xs else None


# ---- running one rule -------------------------------------------------------------------

def _run(argv, env, timeout_s, devnull) -> tuple[int, int, bool, str]:
    """(CPU us of the process and the descendants it reaped, exit, timed out, first
    line of stdout)."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        pid = os.posix_spawn(argv[0], argv, env, setpgroup=0, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 0),
            (os.POSIX_SPAWN_DUP2, out_w, 1),
            (os.POSIX_SPAWN_DUP2, err_w, 2)])
    finally:
        os.close(out_w)
        os.close(err_w)
    fired = threading.Event()

    def kill():
        fired.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)

    timer = threading.Timer(timeout_s, kill)
    timer.start()
    try:
        out = _drain(out_r, 4096)
        _drain(err_r, 0)
        _, status, ru = os.wait4(pid, 0)
    finally:
        timer.cancel()
        os.close(out_r)
        os.close(err_r)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)   # anything of its group left behind
    cpu = round((ru.ru_utime + ru.ru_stime) * 1e6)
    line = out.decode(errors="replace").strip().splitlines()
    return cpu, engine.decode_status(status), fired.is_set(), (line[0][:100] if line else "")


def _drain(fd: int, keep: int) -> bytes:
    """Reads fd to its end (NPD drains both pipes); returns the first `keep` bytes."""
    kept = b""
    while chunk := os.read(fd, 65536):
        if len(kept) < keep:
            kept += chunk[:keep - len(kept)]
    return kept


# ---- what a healthy node answers --------------------------------------------------------

LOCAL_URL = re.compile(r"^(https?://127\.0\.0\.1:)([0-9]+)(/.*)?$")


def _localize(args: list[str], work: str, peers_info: dict):
    """Points a rule at the suite's own peers where it would ask something outside this
    machine, or something a node has and this machine may not (the kubelet's healthz):
    a local HTTP server for loopback URLs, a local DNS server for --resolv-conf. Returns
    (args, what was changed or '')."""
    changed = []
    out = list(args)
    for i, a in enumerate(out):
        m = LOCAL_URL.match(a)
        if m and m.group(1).startswith("http:"):
            out[i] = f"{m.group(1)}{peers_info['http_port']}{m.group(3) or ''}"
            changed.append(f"`{a}` served by the suite's HTTP server")
    if "--resolv-conf" in out:
        i = out.index("--resolv-conf")
        if peers_info["dns_port"] == "53":
            conf = os.path.join(work, "resolv.conf")
            with open(conf, "w") as f:
                f.write(f"nameserver {peers_info['dns_address']}\n")
            changed.append(f"`--resolv-conf {out[i + 1]}` names the suite's DNS server")
            out[i + 1] = conf
        else:
            server = f"{peers_info['dns_address']}:{peers_info['dns_port']}"
            changed.append(f"`--resolv-conf {out[i + 1]}` replaced by `--server {server}`")
            out[i:i + 2] = ["--server", server]
    return out, "; ".join(changed)


def _strip_debounce(args: list[str]) -> list[str]:
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in ("--fail-after", "--recover-after"):
            skip = True
        elif not a.startswith(("--fail-after=", "--recover-after=")):
            out.append(a)
    return out


def _argv(kind: Kind, rule, args: list[str], bin_dir: str, helper: str | None):
    if kind.program == "{helper}":
        return [helper, "noop"]
    if kind.program:
        return [kind.program, *args]
    a = args if kind.debounce else _strip_debounce(args)
    return [npdrules.local_path(rule.path, bin_dir), *a, *(["--lint-args"] if kind.lint else [])]


# ---- rounds ------------------------------------------------------------------------------

def run(opts, log) -> Result:
    res = Result()
    try:
        res.configs = npdrules.base_rules()
    except (OSError, ValueError, KeyError) as e:
        res.skipped = f"the base configs could not be read: {e}"
        return res
    missing = sorted({r.binary for r in res.rules()
                      if not os.access(npdrules.local_path(r.path, opts.bin_dir), os.X_OK)})
    if missing:
        res.skipped = (f"{', '.join(missing)} not found in `{opts.bin_dir}` (build it, or "
                       "point --bin-dir at it)")
        return res
    res.kinds = [k for k in KINDS if k.program != "{helper}" or opts.helper]
    if not os.access("/bin/true", os.X_OK):
        res.skipped = "/bin/true not found"
        return res
    with contextlib.ExitStack() as stack:
        work = stack.enter_context(engine.tempdir("npd-bench-budget-"))
        try:
            info = {}
            for fixture in (peers.http_server, peers.dns_server):
                info.update(stack.enter_context(fixture(opts)))
        except Skip as e:
            res.skipped = str(e)
            return res
        res.setup.append(f"a Python HTTP server on 127.0.0.1:{info['http_port']} answering "
                         f"200 `ok` and a DNS server on {info['dns_address']}:"
                         f"{info['dns_port']} answering every A question with 192.0.2.10")
        _measure(res, opts, log, work, info)
    return res


def _fs_type(path: str) -> str:
    """The filesystem type of the mount holding path, from /proc/self/mountinfo."""
    path, best, kind = os.path.realpath(path), "", "unknown"
    with contextlib.suppress(OSError), open("/proc/self/mountinfo") as f:
        for line in f:
            fields, _, rest = line.partition(" - ")
            point = fields.split()[4].replace("\\040", " ")
            inside = path == point or path.startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best):
                best, kind = point, rest.split()[0]
    return kind


def _measure(res: Result, opts, log, work: str, info: dict) -> None:
    state, metrics = os.path.join(work, "state"), os.path.join(work, "metrics")
    os.makedirs(metrics)
    res.setup.append(f"the state and metrics directories in `{work}`, on "
                     f"{_fs_type(work)} (on a node: hostPaths on its disk); every "
                     "state write replaces a file by rename")
    env = dict(engine.CHILD_ENV, HOST_ROOT="/", NPD_CHECKS_STATE_DIR=state,
               NPD_CHECKS_METRICS_DIR=metrics, NODE_NAME=socket.gethostname())
    bare_env = {k: v for k, v in env.items() if k != "NPD_CHECKS_METRICS_DIR"}
    plan = {}   # kind key -> [(config, [(rule, argv, env)])]
    for kind in res.kinds:
        plan[kind.key] = []
        for c in res.configs:
            runs = []
            for r in c.rules:
                args, changed = _localize(list(r.args), work, info)
                if changed and kind.key == DEPLOYED:
                    res.changed.append((r.label, changed))
                argv = _argv(kind, r, args, opts.bin_dir, opts.helper)
                runs.append((r, argv, env if kind.metrics else bare_env))
                res.cpu_us[(kind.key, r.label)] = []
                res.exits[(kind.key, r.label)] = {}
                res.timeouts[(kind.key, r.label)] = 0
            plan[kind.key].append((c, runs))
        res.per_minute[kind.key] = []
    rounds = opts.runs or RUNS
    res.warmup = opts.warmup
    res.budget_s = opts.budget if opts.budget is not None else BUDGET_S
    pools = [ThreadPoolExecutor(max_workers=c.concurrency) for c in res.configs]
    devnull = os.open(os.devnull, os.O_RDONLY)
    log(f"{NAME}: {len(res.rules())} rules in {len(res.configs)} configs, "
        f"{len(res.kinds)} kinds, {rounds} rounds (budget {res.budget_s:g} s)")
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    seen_us = 0
    start = time.monotonic()
    try:
        keys = [k.key for k in res.kinds]
        for n in range(res.warmup + rounds):
            timed = n >= res.warmup
            order = keys[n % len(keys):] + keys[:n % len(keys)]
            for key in order:
                total_ms = 0.0
                for r, (cpu, code, tout, line) in _round(plan[key], pools, devnull):
                    seen_us += cpu
                    if key == DEPLOYED and r.label not in res.answers:
                        res.answers[r.label] = (code, line)
                    if not timed:
                        continue
                    res.cpu_us[(key, r.label)].append(cpu)
                    ex = res.exits[(key, r.label)]
                    ex[code] = ex.get(code, 0) + 1
                    res.timeouts[(key, r.label)] += tout
                    total_ms += cpu / 1e3 * r.runs_per_minute()
                if timed:
                    res.per_minute[key].append(total_ms)
            if timed:
                res.rounds += 1
            elapsed = time.monotonic() - start
            if timed and res.rounds % max(1, rounds // 5) == 0:
                log(f"{NAME}: {res.rounds}/{rounds} rounds, {elapsed:.0f} s")
            if n + 1 < res.warmup + rounds and timed and elapsed > res.budget_s:
                res.cut_by_budget = True
                break
    finally:
        for p in pools:   # on an interrupt: the runs under way end by their timeout
            p.shutdown(wait=True, cancel_futures=True)
        os.close(devnull)
    res.seconds = time.monotonic() - start
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = lambda a, b: (b.ru_utime - a.ru_utime + b.ru_stime - a.ru_stime) * 1e3
    res.harness_cpu_ms = cpu(self0, self1)
    res.unattributed_ms = cpu(children0, children1) - seen_us / 1e3


def _round(configs, pools, devnull):
    """One invocation of every config, all at once, each config's rules up to its
    concurrency at a time (NPD's runRules); yields (rule, outcome) in config order."""
    futures = []
    for (_, runs), pool in zip(configs, pools):
        for rule, argv, env in runs:
            futures.append((rule, pool.submit(_run, argv, env, rule.timeout_s, devnull)))
    for rule, fut in futures:
        yield rule, fut.result()
