#!/usr/bin/python3
"""The fault campaign: every rule of every shipped custom plugin monitor, run through
`npd-checks run` under the faults a node produces, each applied to the rules it
concerns, held to the contract (contract.py). Prints the table, writes FAULTS.md,
exits 1 on any broken promise.

    faults.py --bin-dir target/x86_64-unknown-linux-gnu/debug [--out FAULTS.md]
              [--quick] [--only FAULT,...]

--quick runs a few faults on one rule per plugin (what `make test` runs). Every
process the campaign starts is gone when it exits, also when it is interrupted."""

import argparse
import fnmatch
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import host  # noqa: E402
import host_faults as hf  # noqa: E402
import peer_faults as pf  # noqa: E402
import procs  # noqa: E402
import report  # noqa: E402
import runner  # noqa: E402
import state_faults as sf  # noqa: E402
from campaign import Ctx  # noqa: E402

HOST = host.HOST_PLUGINS
ALL = lambda r: True  # noqa: E731

# (fault, the rules it concerns, in the quick subset, function)
FAULTS = [
    ("baseline", lambda r: r.plugin in HOST, True, hf.baseline),
    ("file-unreadable", lambda r: r.plugin in HOST, True, hf.file_fault("unreadable")),
    ("file-empty", lambda r: r.plugin in HOST, False, hf.file_fault("empty")),
    ("file-truncated", lambda r: r.plugin in HOST, False, hf.file_fault("truncated")),
    ("file-enormous", lambda r: r.plugin in HOST, False, hf.file_fault("enormous")),
    ("file-garbage", lambda r: r.plugin in HOST, True, hf.file_fault("garbage")),
    ("hung-mount", lambda r: r.plugin in ("npd-disk", "npd-file"), True, hf.hung_mount),
    ("process-churn", lambda r: r.plugin == "npd-process", True, hf.process_churn),
    ("state-full", lambda r: r.uses_state(), False, sf.state_full),
    ("state-read-only", lambda r: r.uses_state(), False, sf.state_read_only),
    ("state-corrupt", lambda r: r.uses_state(), True, sf.state_corrupt),
    ("log-rotated", lambda r: r.plugin == "npd-log", True, sf.log_rotated),
    ("clock-back", lambda r: sf.uses_wall_clock(r), False, hf.clock_back),
    ("sigpipe", ALL, True, hf.stdio_fault("broken")),
    ("stdout-closed", ALL, False, hf.stdio_fault("closed")),
    ("no-env", ALL, False, hf.no_env),
] + pf.FAULTS


def known_failures():
    """faults/known.txt: `FAULT RULE-GLOB -- why` a line, the broken promises already
    reported and not yet fixed. The quick subset tolerates them (and says so), so
    that `make test` stays a gate for new ones; the full run counts every one."""
    out = []
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "known.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                head, _, why = line.partition(" -- ")
                fault, pattern = head.split()
                out.append((fault, pattern, why.strip()))
    return out


def in_ci():
    return os.environ.get("CI", "") not in ("", "false")


def quick_rules(rules):
    """One rule per plugin: the first the configs name."""
    seen, out = set(), []
    for r in rules:
        if r.plugin not in seen:
            seen.add(r.plugin)
            out.append(r)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--out", default=None, help="write the table here (FAULTS.md)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="", help="comma list of faults to run")
    opts = ap.parse_args()
    bin_dir = os.path.abspath(opts.bin_dir)
    if not os.path.exists(os.path.join(bin_dir, "npd-checks")):
        sys.exit(f"faults: no npd-checks in {bin_dir}: build the workspace first")
    procs.install_handlers()
    procs.become_subreaper()
    work = tempfile.mkdtemp(prefix="npd-faults-")
    os.chmod(work, 0o755)
    procs.on_exit(lambda: shutil.rmtree(work, ignore_errors=True))
    procs.on_exit(runner.wait_wrappers)
    ctx = Ctx(bin_dir, work, opts.quick)
    rules = runner.shipped_rules()
    if opts.quick:
        rules = quick_rules(rules)
    only = set(filter(None, opts.only.split(",")))
    results = []
    for name, concerns, quick, fn in FAULTS:
        if only and name not in only and name != "baseline":
            continue
        if opts.quick and not quick:
            continue
        chosen = [r for r in rules if concerns(r)]
        if not chosen:
            continue
        print(f"faults: {name} on {len(chosen)} rules", file=sys.stderr, flush=True)
        results += fn(ctx, chosen)
    results.sort(key=lambda r: (r.rule.file, r.rule.index))
    if opts.quick:
        for r in results:
            for fault, pattern, why in known_failures():
                if not r.ok and r.fault == fault and fnmatch.fnmatch(r.rule.id, pattern):
                    r.known = why
    report.show(results, ctx.skipped)
    if opts.out:
        report.write(opts.out, results, ctx.skipped, opts.quick)
    failed = sum(1 for r in results if not r.ok and not r.known)
    known = sum(1 for r in results if r.known)
    if known:
        print(f"faults: {known} known broken promises tolerated (faults/known.txt)")
    if ctx.skipped and in_ci():
        # In CI a fault that cannot run fails, as the tests that need a capability do.
        print("faults: faults skipped in CI", file=sys.stderr)
        failed += len(ctx.skipped)
    print(f"faults: {len(results) - failed - known} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
