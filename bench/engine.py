"""Measurement engine of the benchmark harness: how a command is run and measured, how
runs are interleaved, and the statistics. It knows nothing about particular plugins;
those are in suites.py.

Commands are started by a small static helper (spawn.c, compiled here with the system C
compiler) rather than by Python: a child's ru_maxrss on Linux starts at the resident size
of the address space it was started from, so a child of a 10 MiB interpreter never reports
less than 10 MiB. The helper times runs started with posix_spawn (how NPD's Go runtime
starts plugins) and takes peak RSS from separate runs started with fork, which carry over
only its few anonymous pages. Without a C compiler the harness falls back to
os.posix_spawn from Python and reports no RSS.
"""

import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))

# Every measured command gets this environment and nothing else, so that a caller's
# HOST_ROOT, locale or state-dir variables cannot change what is measured.
CHILD_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LC_ALL": "C",
}


class HarnessError(Exception):
    """The harness itself cannot go on (as opposed to a slow or failing command)."""


@dataclass
class Sample:
    """One run of one command."""
    wall_ns: int
    cpu_us: int          # user + system, the child and the descendants it reaped
    rss_kib: int | None  # ru_maxrss from wait4 (exact only for "fork" runs); None from Python
    exit: int            # exit code, or -signal when killed by a signal
    timed_out: bool = False


def decode_status(status: int) -> int:
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return -1


# ---- the helper ---------------------------------------------------------------------

def build_helper(workdir: str) -> tuple[str | None, str]:
    """Compiles spawn.c into workdir; returns (path or None, description)."""
    source = os.path.join(HERE, "spawn.c")
    out = os.path.join(workdir, "benchspawn")
    compilers = [os.environ.get("CC", ""), "cc", "gcc", "clang"]
    why = "no C compiler found"
    for cc in filter(None, compilers):
        exe = shutil.which(cc)
        if not exe:
            continue
        for extra in (["-static"], []):
            cmd = [exe, "-O2", *extra, "-o", out, source]
            try:
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as e:
                why = f"{cc} failed: {e}"
                continue
            if r.returncode == 0:
                kind = "static" if extra else "dynamic"
                return out, f"{os.path.basename(exe)} ({kind} helper)"
            why = f"{cc} failed: {(r.stderr.strip().splitlines() or ['?'])[-1]}"
    return None, why


class HelperSpawner:
    """Runs commands through `benchspawn serve`, a small process that starts them and
    reports wait4's figures over a pipe."""
    rss_exact = True

    def __init__(self, helper: str):
        self.helper = helper
        self.proc = subprocess.Popen([helper, "serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=CHILD_ENV)

    def run(self, argv: list[str], timeout_s: float, mode: str = "spawn") -> Sample:
        """mode "spawn" (posix_spawn, for timing) or "fork" (for peak RSS)."""
        fields = [mode, str(int(timeout_s * 1000)), str(len(argv)), argv[0], *argv]
        if any("\0" in f for f in fields):
            raise HarnessError(f"NUL byte in command {argv!r}")
        try:
            self.proc.stdin.write(b"".join(f.encode() + b"\0" for f in fields))
            self.proc.stdin.flush()
            line = self.proc.stdout.readline().decode()
        except BrokenPipeError:
            line = ""
        parts = line.split()
        if len(parts) != 6:
            raise HarnessError(f"measuring helper stopped answering (got {line!r})")
        status, wall, ut, st, rss, tout = (int(p) for p in parts)
        return Sample(wall, ut + st, rss, decode_status(status), bool(tout))

    def close(self):
        # SIGTERM makes it kill the command it may be running, then exit
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        self.proc.stdout.close()


class _Alarm(Exception):
    pass


def _raise_alarm(signum, frame):
    raise _Alarm()


class PythonSpawner:
    """Fallback without a C compiler: wall and CPU time are exact, peak RSS is not
    (a child of Python inherits Python's resident size as its floor), so it is None."""
    rss_exact = False

    def __init__(self):
        self.devnull = os.open(os.devnull, os.O_RDWR)
        self.actions = [(os.POSIX_SPAWN_DUP2, self.devnull, fd) for fd in (0, 1, 2)]

    def run(self, argv: list[str], timeout_s: float, mode: str = "spawn") -> Sample:
        old = signal.signal(signal.SIGALRM, _raise_alarm)
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, CHILD_ENV, file_actions=self.actions,
                             setpgroup=0)
        timed_out = False
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout_s)
            try:
                _, status, ru = os.wait4(pid, 0)
            except _Alarm:
                timed_out = True
                os.killpg(pid, signal.SIGKILL)
                _, status, ru = os.wait4(pid, 0)
            except BaseException:   # interrupted: take the command down with us
                os.killpg(pid, signal.SIGKILL)
                os.wait4(pid, 0)
                raise
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        wall = time.perf_counter_ns() - t0
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        cpu = round((ru.ru_utime + ru.ru_stime) * 1e6)
        return Sample(wall, cpu, None, decode_status(status), timed_out)

    def close(self):
        os.close(self.devnull)


# ---- background processes -------------------------------------------------------------

@contextlib.contextmanager
def many_processes(helper: str | None, count: int, path: str, argv: list[str]):
    """Keeps `count` copies of the program at path (run with argv) alive for the duration
    of the block; every copy is killed and reaped on the way out, whatever ends the
    block. With the helper, the copies also die if the harness itself is killed."""
    if helper:
        keeper = subprocess.Popen([helper, "keep", str(count), path, *argv],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  env=CHILD_ENV, text=True)
        try:
            line = keeper.stdout.readline().strip()
            if line != f"ready {count}":
                raise HarnessError(f"could not start {count} x {argv[0]}: {line or 'no answer'}")
            yield
        finally:
            with contextlib.suppress(BrokenPipeError):
                keeper.stdin.close()
            try:
                keeper.wait(timeout=60)
            except subprocess.TimeoutExpired:
                keeper.kill()  # its children go with it (PR_SET_PDEATHSIG)
                keeper.wait()
        return
    pids = []
    try:
        with open(os.devnull, "rb+") as dn:
            for _ in range(count):
                pids.append(os.posix_spawn(path, argv, CHILD_ENV, file_actions=[
                    (os.POSIX_SPAWN_DUP2, dn.fileno(), 0),
                    (os.POSIX_SPAWN_DUP2, dn.fileno(), 1)]))
        time.sleep(0.2)
        for pid in pids:
            if os.waitpid(pid, os.WNOHANG)[0]:
                pids.remove(pid)
                raise HarnessError(f"a copy of {path} exited at once")
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


# ---- rounds -------------------------------------------------------------------------

@dataclass
class Measured:
    """The runs of one suite: samples[name][round] (timing, started with posix_spawn)
    and rss[name] (peak RSS in KiB from the runs started with fork)."""
    names: list[str]
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    rss: dict[str, list[int]] = field(default_factory=dict)
    rounds: int = 0
    warmup: int = 0
    rss_every: int = 0
    budget_s: float = 0.0
    cut_by_budget: bool = False
    seconds: float = 0.0


RSS_SAMPLES = 50   # peak RSS hardly varies; this many fork-started runs are plenty


def run_rounds(spawner, commands: dict[str, list[str]], runs: int, warmup: int,
               budget_s: float, timeout_s: float, progress=None) -> Measured:
    """Runs every command once per round, the order rotated each round so that each
    command follows each other one equally often and machine noise falls on all of them
    alike. Warm-up rounds are discarded. Every few rounds (so that about RSS_SAMPLES are
    taken) each command also runs once started by fork, for its peak RSS. Stops early
    (keeping whole rounds) when the time budget is spent."""
    names = list(commands)
    every = max(1, runs // RSS_SAMPLES) if spawner.rss_exact else 0
    m = Measured(names, {n: [] for n in names}, {n: [] for n in names}, warmup=warmup,
                 rss_every=every, budget_s=budget_s)
    start = time.monotonic()
    for r in range(warmup + runs):
        k = r % len(names)
        order = names[k:] + names[:k]
        for name in order:
            s = spawner.run(commands[name], timeout_s)
            if r >= warmup:
                m.samples[name].append(s)
        if r >= warmup and every and (r - warmup) % every == 0:
            for name in order:
                s = spawner.run(commands[name], timeout_s, "fork")
                if not s.timed_out:
                    m.rss[name].append(s.rss_kib)
        if r >= warmup:
            m.rounds += 1
        elapsed = time.monotonic() - start
        if progress:
            progress(r + 1 - warmup, runs, elapsed)
        if r + 1 < warmup + runs and elapsed > budget_s:
            m.cut_by_budget = True
            break
    m.seconds = time.monotonic() - start
    return m


# ---- statistics ---------------------------------------------------------------------

def percentile(values, q: float):
    """Linear interpolation between closest ranks (numpy's default); q in [0, 100]."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass
class Summary:
    runs: int
    wall_med_ms: float
    wall_p90_ms: float
    cpu_med_ms: float
    rss_med_kib: float | None
    rss_max_kib: int | None
    rss_runs: int
    exits: dict[int, int]
    timeouts: int


def summarize(samples: list[Sample], rss: list[int]) -> Summary:
    walls = [s.wall_ns / 1e6 for s in samples]
    exits: dict[int, int] = {}
    for s in samples:
        exits[s.exit] = exits.get(s.exit, 0) + 1
    return Summary(
        runs=len(samples),
        wall_med_ms=statistics.median(walls),
        wall_p90_ms=percentile(walls, 90),
        cpu_med_ms=statistics.median(s.cpu_us / 1e3 for s in samples),
        rss_med_kib=statistics.median(rss) if rss else None,
        rss_max_kib=max(rss) if rss else None,
        rss_runs=len(rss),
        exits=exits,
        timeouts=sum(s.timed_out for s in samples),
    )


def paired_ratios(a: list[Sample], b: list[Sample]) -> list[float]:
    """Round-by-round wall ratios a/b (both ran in the same round)."""
    return [x.wall_ns / y.wall_ns for x, y in zip(a, b) if y.wall_ns > 0]


def tempdir(prefix: str):
    return tempfile.TemporaryDirectory(prefix=prefix)
