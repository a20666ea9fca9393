"""Random command sequences against one host: it never breaks, whatever the argv.

A Hypothesis rule-based state machine runs valid and garbage command lines through
``host.run`` (metainit, metattach, metadetach, metaoffline, metaonline, metareplace,
metasync, metaclear, metahs, metastat, metadb), fails slices and lets virtual time pass.
After every step: no Python traceback reached the host, exit statuses are the documented
ones, mirrors keep a submirror, a submirror has one mirror, resync progress of a job never
goes back, and the host survives a JSON round trip of its state unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from simulator import Host
from simulator.lvm.md.records import Mirror, Stripe

GB = 2 * 1024 * 1024
DISKS = [f"c1t{i}d0" for i in range(1, 7)]
SLICES = [f"{d}s0" for d in DISKS] + ["c1t1d0s7", "c9t9d9s0", "/dev/dsk/c1t2d0s0"]
UNITS = ["d0", "d1", "d10", "d11", "d20", "d21", "d30", "d99", "/dev/md/dsk/d0",
         "blue/d0", "hsp001", "hsp002"]
OPTIONS = ["-f", "-c", "-r", "-e", "-s", "-h", "-x", "-p", "-a", "-i", "-m", "--", "-?", "-n"]
PROGRAMS = ["metainit", "metattach", "metadetach", "metaoffline", "metaonline",
            "metareplace", "metasync", "metaclear", "metahs", "metastat", "metadb"]
EXTRA_EXIT = {"metasync": {255}, "metainit": {66}}

tokens = st.one_of(st.sampled_from(UNITS), st.sampled_from(SLICES), st.sampled_from(OPTIONS),
                   st.sampled_from(["1", "2", "0", "2048", "4294967296", "1g", "all", "local"]),
                   st.text(alphabet="abcdhsp0123456789-/:?", max_size=8))


def valid_lines() -> st.SearchStrategy[list[str]]:
    """Command lines that usually succeed, so the state actually moves."""
    sub = st.sampled_from(["d10", "d11", "d20", "d21", "d30"])
    mirror = st.sampled_from(["d0", "d1"])
    sl = st.sampled_from(SLICES[:7])
    pair = st.sampled_from([("d0", "d10"), ("d0", "d20"), ("d0", "d30"), ("d1", "d11")])
    return st.one_of(
        st.tuples(st.just("metainit"), sub, st.just("1"), st.just("1"), sl).map(list),
        st.tuples(st.just("metainit"), mirror, st.just("-m"), sub).map(list),
        st.tuples(st.sampled_from(["metattach", "metaoffline", "metaonline", "metadetach"]),
                  pair).map(lambda t: [t[0], *t[1]]),
        st.tuples(st.sampled_from(["metattach", "metaoffline", "metaonline"]), mirror,
                  sub).map(list),
        st.tuples(st.just("metadetach"), st.sampled_from(["", "-f"]), mirror,
                  sub).map(lambda t: [w for w in t if w]),
        st.tuples(st.just("metattach"), sub, sl).map(list),
        st.tuples(st.just("metareplace"), mirror, sl, sl).map(list),
        st.tuples(st.just("metareplace"), st.just("-e"), mirror, sl).map(list),
        st.tuples(st.just("metasync"), st.sampled_from(["", "-c", "-r"]),
                  mirror).map(lambda t: [w for w in t if w][:2] if t[1] == "-r"
                              else [w for w in t if w]),
        st.tuples(st.just("metaclear"), st.sampled_from(["", "-r", "-f"]),
                  st.sampled_from(["d0", "d1", "d10", "d20", "d30", "hsp001"])).map(
                      lambda t: [w for w in t if w]),
        st.tuples(st.just("metahs"), st.sampled_from(["-a", "-e"]),
                  st.sampled_from(["hsp001", "c1t6d0s0"]), sl).map(list),
        st.tuples(st.just("metastat"), st.sampled_from(["", "-c", "-p", "-i"])).map(
            lambda t: [w for w in t if w]),
    )


class MirrorMachine(RuleBasedStateMachine):
    """One simulated host taken through random administration."""

    def __init__(self) -> None:
        super().__init__()
        self.host = Host("host1")
        self.progress: dict[tuple[Any, ...], int] = {}

    @initialize()
    def build(self) -> None:
        h = self.host
        h.add_replicas("c0t0d0s7", count=3)
        for disk in DISKS:
            h.add_disk(disk, 2 * GB + 65536, {0: 2 * GB, 7: 65536})
        h.add_stripe("d10", "c1t1d0s0")
        h.add_stripe("d20", "c1t2d0s0")
        h.add_stripe("d30", "c1t3d0s0")
        h.md.create_mirror(h.md.sets[""], "d0", ["d10", "d20"])

    @rule(argv=valid_lines())
    def run_valid(self, argv: list[str]) -> None:
        self._run(argv)

    @rule(prog=st.sampled_from(PROGRAMS), words=st.lists(tokens, max_size=5))
    def run_garbage(self, prog: str, words: list[str]) -> None:
        self._run([prog, *words])

    @rule(prog=st.sampled_from(PROGRAMS), words=st.lists(tokens, max_size=3))
    def run_as_user(self, prog: str, words: list[str]) -> None:
        r = self.host.run([prog, *words], uid=100)
        assert r.exit_code in {0, 1} | EXTRA_EXIT.get(prog, set()), (prog, words, r)

    @rule(comp=st.sampled_from(SLICES[:7]))
    def fail_slice(self, comp: str) -> None:
        self.host.md.io_error(comp)

    @rule(seconds=st.sampled_from([0.5, 7.0, 60.0, 600.0, 3600.0]))
    def let_time_pass(self, seconds: float) -> None:
        self.host.advance(seconds)

    @rule()
    def reload(self) -> None:
        """Carry on with the host rebuilt from its JSON state (as the CLI does)."""
        self.host = Host.from_dict(json.loads(json.dumps(self.host.to_dict())))

    def _run(self, argv: list[str]) -> None:
        r = self.host.run(argv)
        assert r.exit_code in {0, 1} | EXTRA_EXIT.get(argv[0], set()), (argv, r)
        if argv[0] == "metareplace" and r.exit_code == 0:
            self.progress = {}    # comp_replace restarts every owed resync from block 0

    @invariant()
    def no_traceback(self) -> None:
        assert self.host.internal_errors == []

    @invariant()
    def mirrors_are_well_formed(self) -> None:
        owners: dict[str, str] = {}
        for s in self.host.md.sets.values():
            for u in s.units.values():
                if not isinstance(u, Mirror):
                    continue
                assert 1 <= len(u.submirrors) <= 4, u
                for slot in u.submirrors:
                    assert slot.name not in owners, (slot.name, owners[slot.name], u.name)
                    owners[slot.name] = u.name
                    sub = s.units[slot.name]
                    assert isinstance(sub, Stripe) and sub.parent == u.name

    @invariant()
    def resync_progress_never_goes_back(self) -> None:
        seen: dict[tuple[Any, ...], int] = {}
        for s in self.host.md.sets.values():
            for u in s.units.values():
                if isinstance(u, Mirror):
                    for job in u.jobs:
                        key = (s.name, u.name, job.kind, job.submirror,
                               tuple(job.components), job.total)
                        assert job.done >= self.progress.get(key, 0), (key, job.done)
                        assert 0 <= job.done <= job.total
                        seen[key] = job.done
        self.progress = seen

    @invariant()
    def state_survives_a_json_round_trip(self) -> None:
        state = json.loads(json.dumps(self.host.to_dict()))
        assert Host.from_dict(state).to_dict() == state


TestMirrorMachine = MirrorMachine.TestCase
TestMirrorMachine.settings = settings(max_examples=40, stateful_step_count=25, deadline=None,
                                      suppress_health_check=[HealthCheck.too_slow])
