"""What every fault shares: the campaign's context (binaries, a work dir, fresh state
dirs and host roots) and `one`, which runs a case and turns it into a table cell."""

import os
import shutil
import tempfile

import contract
import host
import runner


class Ctx:
    def __init__(self, bin_dir, work, quick):
        self.work = work
        self.quick = quick
        self.root = os.geteuid() == 0
        # The unprivileged user that file permissions apply to (root bypasses them).
        self.nobody = "65534" if self.root else None
        # That user must reach the binaries, which a clone in a 0700 home hides: run
        # them from the work dir (hard links, or copies across filesystems).
        self.bin_dir = reachable(bin_dir, work) if self.nobody else bin_dir
        self.skipped = []
        self._n = 0
        self.baseline = {}

    def tmpdir(self, prefix):
        d = tempfile.mkdtemp(prefix=prefix, dir=self.work)
        os.chmod(d, 0o777)
        return d

    def state_dir(self):
        return self.tmpdir("state-")

    def host_root(self):
        self._n += 1
        return host.fresh(self.work, f"host{self._n}")

    def skip(self, fault, why):
        self.skipped.append((fault, why))

    def drop(self, path):
        shutil.rmtree(path, ignore_errors=True)


def reachable(bin_dir, work):
    """The npd-* binaries of `bin_dir` in a directory of `work` that any user can
    traverse."""
    dest = os.path.join(work, "bin")
    os.makedirs(dest)
    os.chmod(dest, 0o755)
    for name in os.listdir(bin_dir):
        src = os.path.join(bin_dir, name)
        if not name.startswith("npd-") or "." in name or not os.path.isfile(src):
            continue
        try:
            os.link(src, os.path.join(dest, name))
        except OSError:
            shutil.copy2(src, os.path.join(dest, name))
    return dest


def one(ctx, case, fault, stuck_allowed=0, planted=None, extra=None, note=""):
    """Runs `case` and judges it; `extra(runs)` may add problems of its own."""
    runs, raw = runner.run(case, ctx.bin_dir, ctx.work)
    problems = contract.check_runs(case, runs, raw, stuck_allowed)
    problems += contract.check_state(case.state_dir, planted)
    if extra:
        problems += extra(runs)
    result = contract.summarize(case, fault, runs, problems, note)
    result.leftovers = raw.get("leftovers", [])
    return result


def worst(results):
    """One cell for several runs of a rule under a fault (one per broken file, say):
    the first that failed, else the last."""
    for r in results:
        if not r.ok:
            return r
    return results[-1]


def blind_exit_1(ctx, rule):
    """A problem when a run answered 1 while the rule could not see (a broken file),
    unless the intact fixture already answers 1."""
    def check(runs):
        if ctx.baseline.get(rule.id) == 1:
            return []
        return [f"exit 1 from a blind check: {line}" for code, _, _, line in runs if code == 1]
    return check
