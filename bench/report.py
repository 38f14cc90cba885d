"""Renders the results of one benchmark run as Markdown (BENCHMARKS.md). Pure formatting:
every figure it prints was measured by the caller in this run."""

import shlex


def ms(x):
    return "–" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.0f}")


def _kib(x):
    return "–" if x is None else f"{x:,.0f}"


def ratio(x):
    return f"{x:.2f}x" if x >= 0.095 else f"{x:.3f}x"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _exits(summary, ok_exits) -> str:
    parts = []
    for code in sorted(summary.exits):
        label = f"signal {-code}" if code < 0 else str(code)
        if code not in ok_exits:
            label += " (!)"
        n = summary.exits[code]
        parts.append(label if n == summary.runs else f"{label} ×{n}")
    if summary.timeouts:
        parts.append(f"timeout ×{summary.timeouts}")
    return ", ".join(parts)


def render(run) -> str:
    out = []
    w = out.append
    m = run.machine
    w("# Benchmarks")
    w("")
    w("Side-by-side cost of the npd-checks plugins and the usual alternatives on one "
      "machine, written by `make bench` (bench/bench.py). Every figure below was measured "
      "in the run described here; nothing is carried over from earlier runs. The machine "
      "may be shared: the load average below says how busy it was.")
    w("")
    w("## How it was produced")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| command | `{run.command}` |")
    w(f"| date | {run.date} |")
    if run.revision:
        w(f"| source revision | {run.revision} |")
    w(f"| CPUs (`nproc`) | {m['nproc']} |")
    w(f"| CPU model | {m['cpu']} |")
    w(f"| kernel | {m['kernel']} |")
    w(f"| memory | {m['memory']} |")
    w(f"| load average (1 min) at start / end | {m['load_start']} / {m['load_end']} |")
    w(f"| Python | {m['python']} |")
    w(f"| runs | {run.runs_text} |")
    w(f"| binaries | `{run.bin_dir}` |")
    if run.baseline_dir:
        w(f"| previous build, rows `(before)` | `{run.baseline_dir}` |")
    w(f"| spawner | {run.spawner_text} |")
    w(f"| total time | {run.seconds:.0f} s |")
    w("")
    w("How to read the tables:")
    w("")
    if run.baseline_dir:
        w("- A row `<command> (before)` is the same command run from the previous build "
          f"(`{run.baseline_dir}`), in the same rounds, so that a change's cost is read "
          "side by side.")
    w("- In each round every command of a suite runs once, the order rotated from round "
      "to round, so that load on the machine falls on all of them alike; warm-up rounds "
      "are discarded.")
    w("- **wall**: from just before the process is created (posix_spawn, as NPD's Go "
      "runtime starts plugins) to the return of wait4, process start included; median and "
      "90th percentile. **CPU**: user + system time from wait4's rusage, which includes the "
      "descendants the command waited for (`ps` under check_procs, `df` and `awk` under "
      "the shell); median.")
    w("- **peak RSS**: ru_maxrss from wait4, median. A child's ru_maxrss can never be "
      "lower than the resident size of the address space it was started from, so these "
      "figures come from extra, untimed runs started by fork from the small measuring "
      "helper (every few rounds, about 50 per command). Each is the largest resident size "
      "of any single process in the command's tree, not their sum.")
    if run.floor:
        f = run.floor
        w(f"- Measurement floor: {run.floor_label} measures {ms(f.wall_med_ms)} ms wall, "
          f"{ms(f.cpu_med_ms)} ms CPU and {_kib(f.rss_med_kib)} KiB peak RSS (median of "
          f"{f.runs} runs). No command can measure less.")
    w("- `$STATE_DIR` stands for a temporary directory made for the suite and removed "
      "after it.")
    w("- **wall ratio** / **CPU ratio**: this command's median divided by the same median "
      "of the suite's reference command; the targets use the wall ratio.")
    w("")

    for res in run.suites:
        s = res.suite
        w(f"## Suite `{s.name}`: {s.title}")
        w("")
        if res.skipped:
            w(f"**Skipped**: {res.skipped}.")
            w("")
            continue
        for info in res.fixtures:
            if info.get("setup"):
                w(f"Setup: {info['setup']}.")
                w("")
        for name, why in res.dropped:
            w(f"- `{name}` left out: {why}.")
        if res.dropped:
            w("")
        runs = res.measured.rounds
        cut = (f", stopped by the {res.measured.budget_s:g} s time budget" if res.measured.cut_by_budget
               else "")
        rss_runs = max((x.rss_runs for x in res.summaries.values()), default=0)
        rss = f"; peak RSS from {rss_runs} fork-started runs per command" if rss_runs else ""
        w(f"{runs} timed rounds after {res.measured.warmup} warm-up rounds{cut}{rss} "
          f"({res.measured.seconds:.0f} s).")
        w("")
        base = res.summaries.get(s.baseline)
        w(f"| command | exit | wall median ms | wall p90 ms | CPU median ms | "
          f"peak RSS median KiB | wall ratio to {s.baseline} | CPU ratio |")
        w("|---|---|--:|--:|--:|--:|--:|--:|")
        for name, summ in res.summaries.items():
            wall_r = ratio(summ.wall_med_ms / base.wall_med_ms) if base else "–"
            cpu_r = (ratio(summ.cpu_med_ms / base.cpu_med_ms)
                     if base and base.cpu_med_ms > 0 else "–")
            w(f"| {_cell(name)} | {_exits(summ, res.commands[name].ok_exits)} | "
              f"{ms(summ.wall_med_ms)} | {ms(summ.wall_p90_ms)} | {ms(summ.cpu_med_ms)} | "
              f"{_kib(summ.rss_med_kib)} | {wall_r} | {cpu_r} |")
        w("")
        w("Commands, with the answer of one run before the timed rounds:")
        w("")
        for name, argv in res.shown.items():
            code, line = res.answers[name]
            shell = argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "dash")
            if shell and len(argv) == 3 and argv[1] == "-c":   # show the script unquoted
                w(f"- {name}: `{argv[0]} -c` `{argv[2]}`")
            else:
                w(f"- {name}: `{shlex.join(argv)}`")
            w(f"  → exit {code}: `{line}`" if line else f"  → exit {code}, no output")
        for note in s.notes:
            w(f"- {note}")
        if any("(!)" in _exits(x, res.commands[n].ok_exits) for n, x in res.summaries.items()):
            w("- (!) marks an answer that means the command could not judge; figures for "
              "it measure an error path.")
        w("")

    w("## Binary sizes")
    w("")
    if run.sizes and run.sizes_before:
        w("| binary | bytes | MB | bytes before | change | linking (`file`) | built |")
        w("|---|--:|--:|--:|--:|---|---|")
        for b in run.sizes:
            old = run.sizes_before.get(b["name"])
            before = f"{old:,}" if old else "-"
            change = f"{b['bytes'] - old:+,}" if old else "-"
            w(f"| {b['name']} | {b['bytes']:,} | {b['bytes'] / 1e6:.2f} | {before} | {change} | "
              f"{b['linking']} | {b['built']} |")
    elif run.sizes:
        w("| binary | bytes | MB | linking (`file`) | built |")
        w("|---|--:|--:|---|---|")
        for b in run.sizes:
            w(f"| {b['name']} | {b['bytes']:,} | {b['bytes'] / 1e6:.2f} | {b['linking']} | "
              f"{b['built']} |")
        w("")
        w("MB = 10⁶ bytes. The size target applies to the plugins, not to the companion "
          "tool npd-checks.")
    else:
        w(f"No `npd-*` binary found in `{run.bin_dir}`.")
    w("")

    w("## Targets")
    w("")
    w("| target | measured | limit | result |")
    w("|---|---|---|---|")
    for t in run.targets:
        w(f"| {_cell(t.label)} | {_cell(t.measured)} | {_cell(t.limit)} | {t.result} |")
    w("")
    met = sum(t.result == "met" for t in run.targets)
    miss = sum(t.result == "NOT MET" for t in run.targets)
    none = len(run.targets) - met - miss
    w(f"{met} met, {miss} not met, {none} not measured in this run.")
    w("")
    return "\n".join(out)
