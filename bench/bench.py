#!/usr/bin/python3
"""Benchmarks the npd-* plugins against the alternatives they replace and writes the
figures, binary sizes and targets to a Markdown report (BENCHMARKS.md).

    /usr/bin/python3 bench/bench.py --bin-dir target/x86_64-unknown-linux-gnu/release \\
        --out BENCHMARKS.md [--quick] [--suite disk] [--runs N]

Python standard library only; the C compiler that Rust links with builds the small
measuring helper (spawn.c). The suites are declared in suites.py; suite `node-budget`
(node_budget.py), a node's whole plugin budget per minute, runs after them. Exit
status: 0 when the report was written, whether or not the targets are met; 1 when the
harness failed; 130 when interrupted. Every process it starts is gone when it exits.
"""

import argparse
import contextlib
import datetime
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace

sys.dont_write_bytecode = True   # no __pycache__ in the source tree for the modules below

import composition  # noqa: E402
import engine  # noqa: E402
import machine  # noqa: E402
import node_budget  # noqa: E402
import report  # noqa: E402
import suites as catalogue  # noqa: E402
import targets as verdicts  # noqa: E402
import spec  # noqa: E402
from spec import Skip  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_TIMEOUT_S = 10.0   # a single command run is killed after this long
COMPOSITION = "composition"   # not a suite: the binaries' bytes by origin
FLOOR_RUNS = 50


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ---- suites -------------------------------------------------------------------------

@dataclass
class SuiteResult:
    suite: spec.Suite
    skipped: str = ""
    dropped: list = field(default_factory=list)      # (name, why)
    fixtures: list = field(default_factory=list)     # what the fixtures yielded (dicts)
    values: dict = field(default_factory=dict)       # their values, for target contexts
    commands: dict = field(default_factory=dict)     # name -> Command
    argv: dict = field(default_factory=dict)         # name -> resolved argv
    shown: dict = field(default_factory=dict)        # name -> argv as printed in the report
    answers: dict = field(default_factory=dict)      # name -> (exit, first line)
    measured: engine.Measured | None = None
    build_dir: str = ""                              # what suite.build made, or ""
    summaries: dict = field(default_factory=dict)    # name -> engine.Summary
    ratios: dict = field(default_factory=dict)       # name -> wall median / baseline's


def _resolve(cmd: spec.Command, bin_dir: str, state_dir: str, build_dir: str = ""):
    """(argv, None) or (None, why it cannot run here)."""
    argv = [a.replace("{bin_dir}", bin_dir).replace("{state_dir}", state_dir)
            .replace("{build_dir}", build_dir) for a in cmd.argv]
    exe = argv[0]
    if "/" not in exe:
        found = shutil.which(exe, path=engine.CHILD_ENV["PATH"])
        if not found:
            return None, f"`{exe}` not found on PATH"
        argv[0] = found
    elif not os.path.exists(exe):
        return None, f"`{os.path.basename(exe)}` not found in `{os.path.dirname(exe)}`"
    elif not os.access(exe, os.X_OK):
        return None, f"`{exe}` is not executable"
    for prog in cmd.requires:
        if not shutil.which(prog, path=engine.CHILD_ENV["PATH"]):
            return None, f"`{prog}` not found on PATH"
    return argv, None


def _answer(argv) -> tuple:
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                           env=engine.CHILD_ENV, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    lines = r.stdout.decode(errors="replace").splitlines()
    return r.returncode, (lines[0].strip()[:160] if lines else "")


def run_suite(suite, opts, spawner) -> SuiteResult:
    res = SuiteResult(suite)
    if suite.build:
        try:
            res.build_dir = suite.build(opts, log)
        except Skip as e:
            res.skipped = str(e)
            return res
    with contextlib.ExitStack() as stack:
        state_dir = stack.enter_context(engine.tempdir(f"npd-bench-{suite.name}-"))
        for cmd in suite.commands:
            argv, why = _resolve(cmd, opts.bin_dir, state_dir, res.build_dir)
            if argv is None and cmd.plugin:
                res.skipped = f"{why} (build it, or point --bin-dir at it)"
                return res
            if argv is None:
                res.dropped.append((cmd.name, why))
                continue
            res.commands[cmd.name] = cmd
            res.argv[cmd.name] = argv
            res.shown[cmd.name] = [a.replace(state_dir, "$STATE_DIR") for a in argv]
            if cmd.plugin and opts.baseline_bin_dir and any("{bin_dir}" in a for a in cmd.argv):
                # The same command from a previous build, measured in the same rounds.
                before, why = _resolve(cmd, opts.baseline_bin_dir, state_dir)
                name = f"{cmd.name} (before)"
                if before is None:
                    res.dropped.append((name, why))
                    continue
                res.commands[name] = replace(cmd, name=name, plugin=False)
                res.argv[name] = before
                res.shown[name] = [a.replace(state_dir, "$STATE_DIR") for a in before]
        try:
            for fixture in suite.fixtures:
                res.fixtures.append(stack.enter_context(fixture(opts)) or {})
        except Skip as e:
            res.skipped = str(e)
            return res
        # Fixtures name what they made ({http_port}, {log_file}): fill it in.
        values = {k: v for info in res.fixtures for k, v in info.items()
                  if isinstance(v, str) and k != "setup"}
        for name, argv in res.argv.items():
            for key, value in values.items():
                argv = [a.replace("{" + key + "}", value) for a in argv]
            res.argv[name] = argv
        for name, argv in res.argv.items():
            res.answers[name] = _answer(argv)
        runs = opts.runs or suite.runs
        budget = opts.budget if opts.budget is not None else suite.budget_s
        log(f"{suite.name}: {len(res.argv)} commands, {runs} rounds (budget {budget:g} s)")
        step = max(1, runs // 5)

        probes = [f["after_round"] for f in res.fixtures if callable(f.get("after_round"))]

        def progress(done, total, elapsed):
            if done <= 0:
                return
            for probe in probes:
                probe()
            if done % step == 0:
                log(f"{suite.name}: {done}/{total} rounds, {elapsed:.0f} s")

        res.measured = engine.run_rounds(spawner, res.argv, runs, opts.warmup, budget,
                                         RUN_TIMEOUT_S, progress)
    for info in res.fixtures:
        res.values.update((k, v) for k, v in info.items() if isinstance(v, str))
    for name, samples in res.measured.samples.items():
        res.summaries[name] = engine.summarize(samples, res.measured.rss[name])
    base = res.summaries.get(suite.baseline)
    if base:
        for name, summ in res.summaries.items():
            res.ratios[name] = summ.wall_med_ms / base.wall_med_ms
    return res


# ---- main ---------------------------------------------------------------------------

@dataclass
class Run:
    command: str
    date: str
    revision: str
    machine: dict
    bin_dir: str
    baseline_dir: str | None
    runs_text: str
    spawner_text: str
    floor: engine.Summary | None
    floor_label: str
    suites: list
    budget: node_budget.Result | None
    sizes: list
    sizes_before: dict
    composition: list
    targets: list
    seconds: float


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    names = [s.name for s in catalogue.SUITES] + [node_budget.NAME, COMPOSITION]
    p.add_argument("--bin-dir", default=os.path.join(REPO, "target/x86_64-unknown-linux-gnu/release"),
                   help="directory holding the npd-* binaries")
    p.add_argument("--baseline-bin-dir", metavar="DIR",
                   help="a previous build's npd-* binaries, measured in the same rounds as "
                        "'<command> (before)', their sizes beside the new ones")
    p.add_argument("--out", default="BENCHMARKS.md", help="report to write (default: %(default)s)")
    p.add_argument("--suite", action="append", choices=names, help="run only this suite (repeatable)")
    declared = ", ".join([f"{s.name} {s.runs}" for s in catalogue.SUITES]
                         + [f"{node_budget.NAME} {node_budget.RUNS} of each kind"])
    p.add_argument("--runs", type=int, help=f"timed rounds per suite (default: {declared})")
    p.add_argument("--warmup", type=int, help="discarded warm-up rounds (default 5, --quick 2)")
    p.add_argument("--budget", type=float, help="seconds of timed rounds per suite before stopping early")
    p.add_argument("--procs", type=int, default=3000, help="sleep processes for the process suite")
    p.add_argument("--quick", action="store_true", help="a few rounds per suite, to try the harness")
    p.add_argument("--no-helper", action="store_true",
                   help="measure from Python (no C compiler needed; peak RSS is not reported)")
    opts = p.parse_args(argv)
    if opts.quick:
        opts.runs = opts.runs or 10
        opts.budget = opts.budget if opts.budget is not None else 15.0
    if opts.warmup is None:
        opts.warmup = 2 if opts.quick else 5
    if (opts.runs is not None and opts.runs < 1) or opts.warmup < 0 or opts.procs < 1:
        p.error("--runs and --procs must be positive, --warmup not negative")
    opts.bin_dir = os.path.abspath(opts.bin_dir)
    if opts.baseline_bin_dir:
        opts.baseline_bin_dir = os.path.abspath(opts.baseline_bin_dir)
    return opts


def main(argv) -> int:
    started = time.monotonic()
    try:
        catalogue.check()
    except ValueError as e:
        raise engine.HarnessError(f"suites.py: {e}") from None
    opts = parse_args(argv)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    host = machine.info()
    selected = [s for s in catalogue.SUITES if not opts.suite or s.name in opts.suite]
    with_budget = not opts.suite or node_budget.NAME in opts.suite
    with_composition = not opts.suite or COMPOSITION in opts.suite
    with engine.tempdir("npd-bench-") as work:
        helper, how = (None, "disabled by --no-helper") if opts.no_helper else engine.build_helper(work)
        opts.helper = helper
        if helper:
            spawner = engine.HelperSpawner(helper)
            spawner_text = (f"a small C helper built with {how}: posix_spawn + wait4 for "
                            "the timed runs, fork + exec + wait4 for peak RSS; stdin, "
                            "stdout and stderr on /dev/null")
        else:
            log(f"measuring from Python ({how}): peak RSS will not be reported")
            spawner = engine.PythonSpawner()
            spawner_text = (f"os.posix_spawn + os.wait4 from Python ({how}); peak RSS not "
                            "measurable this way")
        floor, floor_label = None, ""
        try:
            if helper:
                m = engine.run_rounds(spawner, {"noop": [helper, "noop"]}, FLOOR_RUNS, 3,
                                      30.0, RUN_TIMEOUT_S)
                floor = engine.summarize(m.samples["noop"], m.rss["noop"])
                floor_label = "a static C program that exits at once"
            results = []
            for suite in selected:
                res = run_suite(suite, opts, spawner)
                if res.skipped:
                    log(f"{suite.name}: skipped: {res.skipped}")
                results.append(res)
            budget_res = node_budget.run(opts, log) if with_budget else None
            if budget_res and budget_res.skipped:
                log(f"{node_budget.NAME}: skipped: {budget_res.skipped}")
        finally:
            spawner.close()
    host["load_end"] = machine.load()
    sizes = machine.binaries(opts.bin_dir)
    for build_dir in dict.fromkeys(r.build_dir for r in results if r.build_dir):
        sizes += [b for b in machine.binaries(build_dir)
                  if b["name"] not in {s["name"] for s in sizes}]
    sizes_before = ({b["name"]: b["bytes"] for b in machine.binaries(opts.baseline_bin_dir)}
                    if opts.baseline_bin_dir else {})
    symbols_dir = composition.build(REPO, log) if with_composition else None
    made_of = composition.measure(symbols_dir, sizes) if symbols_dir else []
    targets = verdicts.evaluate(results, sizes, spawner.rss_exact, budget_res)
    declared = [f"{s.name} {s.runs}" for s in selected]
    if with_budget:
        declared.append(f"{node_budget.NAME} {node_budget.RUNS} of each kind")
    runs = (f"{opts.runs} timed rounds per suite" if opts.runs
            else "timed rounds: " + ", ".join(declared))
    run = Run(
        command=shlex.join([sys.executable, *sys.argv]),
        date=date,
        revision=machine.revision(REPO),
        machine=host,
        bin_dir=os.path.relpath(opts.bin_dir, REPO) if opts.bin_dir.startswith(REPO + "/") else opts.bin_dir,
        baseline_dir=opts.baseline_bin_dir,
        runs_text=(f"{runs}{' (--quick)' if opts.quick else ''}, "
                   f"after {opts.warmup} warm-up rounds; each run killed after {RUN_TIMEOUT_S:g} s"),
        spawner_text=spawner_text,
        floor=floor,
        floor_label=floor_label,
        suites=results,
        budget=budget_res,
        sizes=sizes,
        sizes_before=sizes_before,
        composition=made_of,
        targets=targets,
        seconds=time.monotonic() - started,
    )
    text = report.render(run)
    tmp = opts.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, opts.out)
    log(f"wrote {opts.out} in {run.seconds:.0f} s")
    for t in targets:
        verdict, _, why = t.result.partition(": ")
        log(f"  {verdict:>12}  {t.label}: {why or t.measured}")
    return 0


class Terminated(Exception):
    pass


def _terminate(signum, frame):
    raise Terminated(signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        log("interrupted; every process it started has been stopped")
        sys.exit(130)
    except Terminated as e:
        log("terminated; every process it started has been stopped")
        sys.exit(128 + e.args[0])
    except engine.HarnessError as e:
        log(f"failed: {e}")
        sys.exit(1)
