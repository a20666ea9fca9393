"""The random administration of test_stateful.py, checking after every step that metastat's
kept reports (simulator/lvm/libmeta/report_cache.py) print what a fresh rendering prints."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant
from test_stateful import MirrorMachine

from simulator import Host
from simulator.lvm.libmeta import report_cache


class KeptMachine(MirrorMachine):
    @invariant()
    def kept_reports_print_as_fresh(self) -> None:
        h = self.host
        named = [["metastat", name] for name in sorted(h.md.sets[""].units)[:4]]
        for argv in (["metastat"], ["metastat", "-p"], ["metastat", "-t"], *named):
            clone = Host.from_dict(h.to_dict())      # the same state, the same clock
            kept = h.run(argv)
            with report_cache.disabled():
                fresh = clone.run(argv)
            assert (kept.stdout, kept.stderr, kept.exit_code) == \
                (fresh.stdout, fresh.stderr, fresh.exit_code), argv


TestKeptMachine = KeptMachine.TestCase
TestKeptMachine.settings = settings(max_examples=30, stateful_step_count=25, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])
