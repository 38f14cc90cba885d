"""Renders the results of one benchmark run as Markdown (BENCHMARKS.md). Pure formatting:
every figure it prints was measured by the caller in this run."""

import shlex

import composition
import engine
import node_budget as nb


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
          f"peak RSS median KiB | wall ratio to {_cell(s.baseline)} | CPU ratio |")
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

    if run.budget is not None:
        _node_budget(w, run.budget)

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

    _composition(w, run.composition)

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


def _mean(b, kind, label):
    x = b.mean_ms(kind, label)
    return "–" if x is None else f"{x:.2f}"


def _diff(b, more, less, label=None):
    """CPU of kind `more` less that of kind `less`: per run of one rule, or per minute."""
    if label is None:
        a, c = b.minute_ms(more), b.minute_ms(less)
    else:
        a, c = b.mean_ms(more, label), b.mean_ms(less, label)
    return None if a is None or c is None else a - c


def _signed(x, digits=2):
    return "–" if x is None else f"{x:+.{digits}f}"


def _node_budget(w, b):
    w(f"## Suite `{b.name}`: {b.title}")
    w("")
    if b.skipped:
        w(f"**Skipped**: {b.skipped}.")
        w("")
        return
    kinds = {k.key: k for k in b.kinds}
    rules = b.rules()
    configs = ", ".join(f"`{c.name}` ({len(c.rules)}, every {c.interval_s:g} s, "
                        f"concurrency {c.concurrency})" for c in b.configs)
    w(f"The configs the base DaemonSet loads (`manifests/daemonset/daemonset.yaml`, its "
      f"`--config.custom-plugin-monitor` flags), {len(rules)} rules: {configs}.")
    w("")
    for sentence in b.setup:
        w(f"Setup: {sentence}.")
        w("")
    cut = f", stopped by the {b.budget_s:g} s time budget" if b.cut_by_budget else ""
    w(f"{b.rounds} timed rounds of each kind after {b.warmup} warm-up rounds{cut} "
      f"({b.seconds:.0f} s).")
    w("")
    w("How it is computed:")
    w("")
    w("- A round runs every rule of every config once, as NPD does at each tick: the "
      "configs all at once, each config's rules up to its `concurrency` at a time; each "
      "rule's path exec'd directly (posix_spawn, as NPD's Go runtime) with its args, the "
      "install dir `/opt/npd-checks/bin` mapped to the binaries' directory, stdin on "
      "/dev/null, stdout and stderr on pipes read to the end, killed at the rule's "
      "timeout. The environment is the DaemonSet's: `HOST_ROOT=/` (this machine), "
      "`NPD_CHECKS_STATE_DIR` and `NPD_CHECKS_METRICS_DIR` in a temporary directory kept "
      "for the whole suite, `NODE_NAME` this host's name.")
    w("- **CPU** of a run: user + system time from wait4's rusage, the process and the "
      "descendants it reaped (the helper process a plugin starts for a call that can "
      "hang, on a network or FUSE mount). **CPU-ms per minute**: for "
      "every rule, its mean CPU per run times the runs a minute at its config's "
      "`invoke_interval` (2 at 30 s, 1 at 60 s), added up; the p10–p90 range is over "
      "the rounds. NPD's own work (reading the output, updating conditions, its Go "
      "runtime) is not in these figures: it is the same whatever the rule runs, so it "
      "adds to both sides of the NPD-measured ratio and this plugins-only ratio is the "
      "stricter one.")
    w("- Round kinds, interleaved (the order rotated every round): each takes one cost "
      "away from the rules as deployed, so that differences say where the CPU goes.")
    for k in b.kinds:
        w(f"  - `{k.key}`: {k.label}")
    per_round = b.harness_cpu_ms / max(1, b.rounds + b.warmup) / len(b.kinds)
    w(f"- The harness itself, standing in for NPD, used {per_round:.1f} CPU-ms per round "
      f"of one kind ({len(rules)} runs; not counted). CPU of reaped children that no "
      f"run's own rusage showed (orphans, rounding): {b.unattributed_ms:.1f} ms in all.")
    w("")
    true = b.minute_ms(nb.TRUE)
    w("| rules run as | CPU-ms per minute, mean | p10–p90 over rounds | ratio to /bin/true |")
    w("|---|--:|--:|--:|")
    for k in b.kinds:
        xs = b.per_minute[k.key]
        m = b.minute_ms(k.key)
        spread = f"{engine.percentile(xs, 10):.1f}–{engine.percentile(xs, 90):.1f}"
        w(f"| `{k.key}`: {_cell(k.label)} | {m:.1f} | {spread} | "
          f"{ratio(m / true) if true else '–'} |")
    w("")
    total = b.minute_ms(nb.DEPLOYED)
    extra = _diff(b, nb.DEPLOYED, nb.TRUE)
    w(f"Where the {extra:.1f} CPU-ms a minute above /bin/true go (differences between the "
      "kinds, per minute):")
    w("")
    w("| part | CPU-ms per minute | share of the difference |")
    w("|---|--:|--:|")
    parts = [("metrics textfile (`deployed` − `no-metrics`)", nb.DEPLOYED, "no-metrics"),
             ("debounce state (`no-metrics` − `no-debounce`)", "no-metrics", "no-debounce"),
             ("the check, its watchdog and the answer (`no-debounce` − `start-up`)",
              "no-debounce", "start-up"),
             ("start-up beyond /bin/true: loading the binary, Rust and clap, flag checks "
              "(`start-up` − `true`)", "start-up", nb.TRUE)]
    for text, more, less in parts:
        d = _diff(b, more, less)
        share = f"{d / extra:.0%}" if d is not None and extra else "–"
        w(f"| {text} | {_signed(d, 1)} | {share} |")
    if "noop" in kinds:
        w(f"| for reference: /bin/true (dynamic) − a static C program that exits "
          f"(`true` − `noop`) | {_signed(_diff(b, nb.TRUE, 'noop'), 1)} | |")
    w("")
    w("Per plugin (CPU-ms per minute; the last four columns split the plugin's CPU above "
      "/bin/true by the kind differences above):")
    w("")
    w("| binary | rules | runs per minute | CPU-ms per minute | share of the total | "
      "/bin/true | ratio | start-up | check | debounce | metrics |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    steps = (("start-up", nb.TRUE), ("no-debounce", "start-up"),
             ("no-metrics", "no-debounce"), (nb.DEPLOYED, "no-metrics"))
    per_bin = {}
    for r in rules:
        d = per_bin.setdefault(r.binary, [0, 0.0, 0.0, 0.0, [0.0] * len(steps)])
        n = r.runs_per_minute()
        d[0] += 1
        d[1] += n
        d[2] += b.mean_ms(nb.DEPLOYED, r.label) * n
        d[3] += b.mean_ms(nb.TRUE, r.label) * n
        for i, (more, less) in enumerate(steps):
            d[4][i] += (_diff(b, more, less, r.label) or 0.0) * n
    for name, (n, runs, mine, tr, split) in sorted(per_bin.items(), key=lambda x: -x[1][2]):
        w(f"| {name} | {n} | {runs:g} | {mine:.1f} | {mine / total:.0%} | {tr:.1f} | "
          f"{ratio(mine / tr)} | " + " | ".join(_signed(x, 1) for x in split) + " |")
    w("")
    w("Per rule, costliest first. CPU ms per run, means: `deployed`, `/bin/true` and "
      "`start-up` as measured; check, debounce and metrics are the differences between "
      "kinds that say where one run's CPU goes (noise can make a small one negative):")
    w("")
    w("| rule | exit | runs per minute | CPU-ms per minute | share | deployed | "
      "/bin/true | start-up | check | debounce | metrics |")
    w("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    ranked = sorted(rules, key=lambda r: -b.mean_ms(nb.DEPLOYED, r.label) * r.runs_per_minute())
    for r in ranked:
        per_min = b.mean_ms(nb.DEPLOYED, r.label) * r.runs_per_minute()
        exits = b.exits[(nb.DEPLOYED, r.label)]
        ex = ", ".join(str(c) if n == sum(exits.values()) else f"{c} ×{n}"
                       for c, n in sorted(exits.items()))
        w(f"| {_cell(r.label)} | {ex} | {r.runs_per_minute():g} | {per_min:.1f} | "
          f"{per_min / total:.0%} | {_mean(b, nb.DEPLOYED, r.label)} | "
          f"{_mean(b, nb.TRUE, r.label)} | {_mean(b, 'start-up', r.label)} | "
          f"{_signed(_diff(b, 'no-debounce', 'start-up', r.label))} | "
          f"{_signed(_diff(b, 'no-metrics', 'no-debounce', r.label))} | "
          f"{_signed(_diff(b, nb.DEPLOYED, 'no-metrics', r.label))} |")
    w("")
    w("Answers of the rules as deployed, from their first run:")
    w("")
    for r in rules:
        code, line = b.answers.get(r.label, ("–", ""))
        w(f"- {r.label}: `{shlex.join([r.path, *r.args])}` → exit {code}: `{line}`")
    for label, what in b.changed:
        w(f"- Changed for this machine, {label}: {what}.")
    for note in nb.NOTES:
        w(f"- {note}")
    w("")


def _composition(w, rows):
    """The binaries' bytes by origin (bench/composition.py), in KB (10^3 bytes)."""
    if not rows:
        return
    w("## Binary composition")
    w("")
    w("What each binary's bytes are (KB, 10³ bytes), from the symbol table of the same "
      "code built with symbols (`cargo build --profile release-symbols`, the release "
      "profile unstripped). A symbol counts for the crate its name starts with (generic code of "
      "the standard library counts as the standard library's, code LTO inlined as its "
      "caller's); symbols without a path are the C library and start-up code (glibc, "
      "static); the rest of the stripped binary is in no symbol (string literals, "
      "relocations, headers; unwind tables only in npd-checks: the plugins' build script "
      "discards them).")
    w("")
    groups = [g for g, _ in composition.GROUPS]
    w("| binary | total | " + " | ".join(groups) + " | own code | other crates | in no symbol |")
    w("|---|--:|" + "--:|" * len(groups) + "--:|---|--:|")
    for c in rows:
        cells = [f"{c.groups.get(g, 0) / 1e3:.0f}" for g in groups]
        top = sorted(c.other.items(), key=lambda kv: -kv[1])
        other = ", ".join(f"{name} {size / 1e3:.0f}" for name, size in top[:4] if size >= 500)
        rest = sum(size for _, size in top[4:])
        if rest >= 500:
            other += f", others {rest / 1e3:.0f}"
        w(f"| {c.name} | {c.total / 1e3:.0f} | " + " | ".join(cells) +
          f" | {c.own / 1e3:.0f} | {other or '-'} | {c.unattributed / 1e3:.0f} |")
    w("")
