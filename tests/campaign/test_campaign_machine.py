"""SvmMachine: Hypothesis's stateful testing over admin steps and faults
(simulator/testing/machine.py). The steps are the Admin Guide's online backup (the seed);
the invariants: metastat -p lists the model's mirrors, no svmsim internal error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from simulator.testing.machine import SvmMachine
from tests.campaign.helpers import faults_api


class SeedMachine(SvmMachine):
    scenario = "seed-example"


TestSeedMachine = pytest.mark.skipif(not faults_api(), reason="the fault API "
                                     "(simulator.faults, issue #10) is not in this tree")(
    SeedMachine.TestCase)
TestSeedMachine.settings = settings(max_examples=15, stateful_step_count=12, deadline=None,
                                    database=None, derandomize=True,
                                    suppress_health_check=list(HealthCheck))


def test_the_invariant_catches_a_model_metastat_disagrees_with():
    """The invariant can fail: a mirror record changed behind metastat's back (a submirror
    dropped from the model's list but not from what metastat prints is impossible, so make
    the model list one more) is caught."""
    m = SeedMachine()
    m.metastat_p_matches_the_model()
    real = m.mirrors
    m.mirrors = lambda: {k: v + ["d99"] for k, v in real().items()}   # type: ignore[method-assign]
    with pytest.raises(AssertionError):
        m.metastat_p_matches_the_model()
