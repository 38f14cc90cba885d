"""The words suites are declared in: a Command (one way of answering the question, run
side by side with the others), a Ratio target, a Suite, and Skip, which a fixture raises
when the suite cannot run on this machine. The declarations themselves are in suites.py;
this module imports nothing from the harness, so that every other module can import it.
"""

from dataclasses import dataclass, field
from typing import Callable

NAGIOS = "/usr/lib/nagios/plugins"


@dataclass(frozen=True)
class Command:
    name: str                      # label in the report, unique within its suite
    argv: tuple[str, ...]          # argv[0]: absolute path, {bin_dir}/..., or a PATH name
    plugin: bool = False           # one of ours: RSS target applies, binary in --bin-dir
    requires: tuple[str, ...] = () # further programs it needs on PATH (shell pipelines)
    ok_exits: frozenset = frozenset({0, 1})  # answers that mean "judged"; others = broken


def plugin(binary: str, *args: str, name: str = "") -> Command:
    """One of our binaries, with its state kept in the suite's temporary directory."""
    return Command(name or binary, (f"{{bin_dir}}/{binary}", *args, "--state-dir", "{state_dir}"),
                   plugin=True)


def nagios(check: str, *args: str, name: str = "") -> Command:
    """A monitoring-plugins check (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)."""
    return Command(name or check, (f"{NAGIOS}/{check}", *args), ok_exits=frozenset({0, 1, 2}))


def program(name: str, *argv: str) -> Command:
    """Any program, looked up on PATH and exec'd directly."""
    return Command(name, argv)


def shell(name: str, script: str, requires: tuple[str, ...] = ()) -> Command:
    """A shell script run by /bin/sh -c, as a cron or NPD script check would be."""
    return Command(name, ("/bin/sh", "-c", script), requires=requires)


@dataclass(frozen=True)
class Ratio:
    """Target: subject's median wall time <= limit x baseline's."""
    subject: str
    baseline: str
    limit: float
    context: str = ""

    @property
    def label(self) -> str:
        extra = f" ({self.context})" if self.context else ""
        return f"{self.subject} wall median <= {self.limit:g}x {self.baseline}{extra}"


class Skip(Exception):
    """A suite cannot run on this machine; the message says why."""


@dataclass(frozen=True)
class Suite:
    name: str
    title: str
    commands: tuple[Command, ...]
    baseline: str                        # ratios in the suite table are against this one
    targets: tuple[Ratio, ...] = ()
    # Each fixture is called with the run's options and returns a context manager that
    # sets up and tears down. It yields a dict, which it may still update when the timed
    # rounds are over: "setup" is a sentence for the report, "after_round" a callable run
    # after every timed round (untimed), other keys fill {placeholders} in target contexts.
    fixtures: tuple[Callable, ...] = ()
    runs: int = 200
    budget_s: float = 60.0               # time budget for the timed rounds
    notes: tuple[str, ...] = ()
    defaults: dict = field(default_factory=dict)  # placeholder values when fixtures did not run
    rss_limit_kib: int = 2048            # every plugin command's peak RSS target
    # Called with the run's options and the log function before the commands are looked
    # up: builds programs the suite runs that --bin-dir does not hold and returns their
    # directory, {build_dir} in argv; its npd-* binaries join the size table and
    # targets. Raises Skip when it cannot build them.
    build: Callable | None = None

