"""The contract every run is held to (DESIGN.md): exit 0/1/2 (NPD's timeout kill is
a broken promise), one ASCII line within 80 bytes without '%', answered and exited
within the rule's timeout, nothing left running, and a state dir that holds no temp
file and only JSON that parses."""

import json
import os

MAX_LINE = 80


class Result:
    """A cell of the table: the rule under the fault, passed or not, with the line
    and time of the run that decided it."""

    def __init__(self, rule, fault, problems, code, line, ms, note=""):
        self.rule, self.fault = rule, fault
        self.problems = problems
        self.code, self.line, self.ms = code, line, ms
        self.note = note
        # Why a broken promise is already known (faults/known.txt), or "".
        self.known = ""

    @property
    def ok(self):
        return not self.problems


def check_runs(case, runs, raw, stuck_allowed=0):
    """Problems of one case's runs (empty: kept its promises)."""
    rule = case.rule
    problems = []
    want = case.rounds if case.stdout == "npd" else 1
    if len(runs) != want:
        tail = (raw.get("stdout", "") + raw.get("stderr", "")).strip().splitlines()[-3:]
        problems.append(f"{len(runs)} of {want} runs reported: {' / '.join(tail)}")
    if raw.get("killed"):
        problems.append("still running long after its timeout (killed by the campaign)")
    for code, ms, verdict, line in runs:
        if code not in (0, 1, 2):
            problems.append(f"ended with {code}")
        if line.startswith("Timeout when running plugin"):
            problems.append("killed by NPD's timeout")
        elif ms >= rule.timeout_ms:
            problems.append(f"took {ms}ms >= the rule's {rule.timeout_ms}ms")
        if case.stdout in ("npd", "capture"):
            if "\n" in line.strip():
                problems.append("more than one line")
            if len(line.encode()) > MAX_LINE:
                problems.append(f"line of {len(line.encode())} bytes > {MAX_LINE}")
            if "%" in line:
                problems.append("'%' in the line")
            if not line.isascii():
                problems.append("non-ASCII line")
            if not line.strip():
                problems.append("empty line")
    left = raw.get("leftovers", [])
    if len(left) > stuck_allowed:
        desc = ", ".join(f"{p['comm']}[{p['pid']}] {p['state']}" for p in left)
        problems.append(f"left running: {desc}")
    return problems


def check_state(state_dir, planted=None):
    """Problems of a state dir after runs: temp files left, JSON that does not parse.
    `planted`: name -> bytes the campaign put there itself (judged only if changed)."""
    planted = planted or {}
    problems = []
    if not state_dir or not os.path.isdir(state_dir):
        return problems
    for name in sorted(os.listdir(state_dir)):
        path = os.path.join(state_dir, name)
        if name in planted:
            try:
                with open(path, "rb") as f:
                    if f.read() == planted[name]:
                        continue
            except OSError:
                continue
        if name.endswith(".tmp"):
            problems.append(f"temp file left: {name}")
        elif name.endswith(".json") and os.path.isfile(path):
            try:
                with open(path, "rb") as f:
                    json.loads(f.read())
            except (OSError, ValueError) as e:
                problems.append(f"{name} is not JSON: {str(e)[:40]}")
    return problems


def summarize(case, fault, runs, problems, note=""):
    """The cell for a case: the last run's code, line and time."""
    code, ms, _, line = runs[-1] if runs else ("-", 0, "", "")
    return Result(case.rule, fault, problems, code, line, ms, note)
