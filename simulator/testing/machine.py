"""A Hypothesis state machine over a backup's admin steps and faults, for users' own tests.

    from simulator.testing.machine import SvmMachine

    class MyMachine(SvmMachine):
        scenario = "seed-example"          # any shipped scenario name or TOML path

        @invariant()
        def my_monitor_agrees(self):
            assert my_monitor(self.host.run("metastat").stdout) != "UNKNOWN"

    TestMyMachine = MyMachine.TestCase

:class:`SvmMachine` builds the scenario's host, arms a schedule of up to two faults drawn
from the fault catalogue (``simulator.faults.KINDS``, each at its first candidate target, at
``start``, around a fake call or at a virtual time), then runs the steps of the Admin
Guide's online backup in any order Hypothesis likes: ``metastat``, ``lockfs -w``/``-u``
(never on ``/``: write-locking root hangs the host, as the guide's Caution says),
``metadetach``/``metattach``, ``fsck -y`` of a submirror, ``ufsdump`` of one to the tape,
and virtual sleeps. Its invariants: the model stays consistent: ``metastat -p`` answers and
lists exactly the mirrors and submirrors the model holds, and no fake command ever fails
with an svmsim internal error (exit 70). Hypothesis shrinks a failure to the shortest
sequence of steps and faults; ``note()`` records each command with its exit status.

A host that panics (``HostPanic``, from a ``panic`` fault) reboots (``host.reboot``: the
replicas decide the configuration) and the steps go on, as an administrator's would after
the boot; a hung host (``lockfs -w`` of a file
system whose writers hold the host) stops taking steps.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from simulator.core.errors import HostHung, HostPanic
from simulator.lvm.md.records import Mirror

if TYPE_CHECKING:
    from simulator.host import CommandResult, Host

INTERNAL_ERROR_EXIT = 70
TRIGGERS = ("start", "before:metadetach", "after:metadetach", "before:lockfs",
            "after:lockfs", "before:ufsdump", "after:ufsdump", "before:fsck", "time:60")
_MIRROR_LINE = re.compile(r"^(?P<name>\S+) -m (?P<subs>(?:\S+ )*?\S+)(?: \d+)?$")


class SvmMachine(RuleBasedStateMachine):
    """Admin steps and faults on one scenario's host (see the module docstring)."""

    scenario = "seed-example"
    max_faults = 2

    def __init__(self) -> None:
        super().__init__()
        from simulator.scenario import load_scenario
        spec = load_scenario(self.scenario)
        self.host: Host = spec.build_host()
        # what metattach may put back: every submirror the scenario gave each mirror
        self.units = [(m.name, s) for m in spec.mirrors for s in m.submirrors]
        self.tape = spec.tapes[0].device if spec.tapes else "/dev/rmt/0"
        self.faults: list[str] = []
        self.hung: str | None = None
        self.panics = 0

    # ------------------------------------------------------------------ faults
    @initialize(data=st.data())
    def arm_faults(self, data: Any) -> None:
        """Arm 0..max_faults faults of the catalogue, each at its first target."""
        from simulator.faults import arm, format_fault, parse_fault
        from simulator.testing.strategies import faults
        n = data.draw(st.integers(0, self.max_faults), label="faults")
        for _ in range(n):
            fault = data.draw(faults(self.host, triggers=TRIGGERS), label="fault")
            self.faults.append(format_fault(fault))
        if self.faults:
            note(f"faults: {self.faults}")
            self._guard(lambda: arm(self.host, [parse_fault(f) for f in self.faults]))

    def _guard(self, step: Any) -> Any:
        """Run a step; a panic reboots the host (as a run's front does), a hang stops all."""
        try:
            return step()
        except HostPanic as e:
            self.panics += 1
            note(f"panic: {e}")
            self.host.reboot()
        except HostHung as e:
            self.hung = str(e) or "hung"
        return None

    # ------------------------------------------------------------------ helpers
    def run(self, *argv: str) -> CommandResult | None:
        result: CommandResult | None = self._guard(lambda: self.host.run(list(argv)))
        if result is not None:
            note(f"{' '.join(argv)} -> exit {result.exit_code}")
            assert result.exit_code != INTERNAL_ERROR_EXIT, (
                f"svmsim internal error in {' '.join(argv)}: {result.stderr.strip()}")
        if self.host.hung_reason:
            self.hung = self.host.hung_reason
        return result

    def mirrors(self) -> dict[str, list[str]]:
        """The model's mirrors and their submirrors (the local set)."""
        out: dict[str, list[str]] = {}
        for s in self.host.md.sets.values():
            for u in s.units.values():
                if isinstance(u, Mirror):
                    out[s.display(u.name)] = [slot.name for slot in u.submirrors]
        return out

    def mounts(self) -> list[str]:
        return sorted(m for m, _ in self.host.fs.mounts() if m != "/")

    def submirror_pairs(self) -> list[tuple[str, str]]:
        return [(m, s) for m, subs in self.mirrors().items() for s in subs]

    # ------------------------------------------------------------------ admin steps
    alive = precondition(lambda self: self.hung is None)

    @alive
    @rule()
    def metastat(self) -> None:
        self.run("metastat")

    @alive
    @rule(data=st.data(), how=st.sampled_from(["-w", "-u"]))
    def lockfs(self, data: Any, how: str) -> None:
        mounts = self.mounts()
        if mounts:
            self.run("lockfs", how, data.draw(st.sampled_from(mounts), label="mount"))

    @alive
    @rule(data=st.data())
    def metadetach(self, data: Any) -> None:
        pairs = self.submirror_pairs()
        if pairs:
            self.run("metadetach", *data.draw(st.sampled_from(pairs), label="pair"))

    @alive
    @rule(data=st.data())
    def metattach(self, data: Any) -> None:
        pairs = [(m, s) for m, s in self.units if s not in self._attached()]
        if pairs:
            self.run("metattach", *data.draw(st.sampled_from(pairs), label="pair"))

    @alive
    @rule(data=st.data())
    def fsck(self, data: Any) -> None:
        subs = sorted({s for _, s in self.units})
        if subs:
            self.run("fsck", "-y",
                     "/dev/md/rdsk/" + data.draw(st.sampled_from(subs), label="submirror"))

    @alive
    @rule(data=st.data())
    def ufsdump(self, data: Any) -> None:
        subs = sorted({s for _, s in self.units})
        if subs:
            self.run("ufsdump", "0f", self.tape,
                     "/dev/md/rdsk/" + data.draw(st.sampled_from(subs), label="submirror"))

    @alive
    @rule(seconds=st.sampled_from([1.0, 30.0, 600.0, 3600.0]))
    def sleep(self, seconds: float) -> None:
        note(f"sleep {seconds:g}")
        self._guard(lambda: self.host.advance(seconds))

    def _attached(self) -> set[str]:
        return {s for _, s in self.submirror_pairs()}

    # ------------------------------------------------------------------ invariants
    @invariant()
    def metastat_p_matches_the_model(self) -> None:
        """``metastat -p`` answers, and its mirror lines are the model's mirrors."""
        if self.hung is not None:
            return
        result = self.host.run(["metastat", "-p"])
        assert result.exit_code == 0, result.stderr
        listed: dict[str, list[str]] = {}
        for line in result.stdout.splitlines():
            m = _MIRROR_LINE.match(line.strip())
            if m:
                listed[m["name"]] = m["subs"].split()
        model = {k: v for k, v in self.mirrors().items() if "/" not in k}
        assert {k: sorted(v) for k, v in listed.items()} == \
            {k: sorted(v) for k, v in model.items()}, (listed, model)

    @invariant()
    def no_internal_error(self) -> None:
        assert not self.host.internal_errors, self.host.internal_errors[-1]
