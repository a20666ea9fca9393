"""The running resyncs a step of virtual time finds from the kept list of mirrors
(``ResyncMixin._mirror_pairs``, listed again when the write barrier stamps a set) are those a
scan of every unit finds, whatever commands changed the configuration in between (issue 17)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import Host
from simulator.lvm.md.records import MDSet, Mirror

COMMANDS = [
    "metainit d10 1 1 c1t0d0s0", "metainit d11 1 1 c2t0d0s0", "metainit d12 1 1 c3t0d0s0",
    "metainit d1 -m d10", "metattach d1 d11", "metattach d1 d12", "metadetach d1 d11",
    "metadetach -f d1 d12", "metaoffline d1 d11", "metaonline d1 d11", "metasync d1",
    "metasync -c d1", "metaclear d1", "metaclear -r d1", "metaclear d11",
    "metainit d2 -m d11", "metainit d11 1 1 c2t0d0s1", "metareplace -e d1 c1t0d0s0",
    "metaset -s blue -a -h host1", "metainit blue/d5 1 1 c4t0d0s0",
    "metaclear -s blue d5", "metadb -a -c 3 c0t0d0s6",
]


def plain(h: Host) -> list[tuple[MDSet, Mirror]]:
    return [(s, u) for s in h.md.sets.values() for u in s.units.values()
            if isinstance(u, Mirror) and u.resync_active and u.jobs]


def same(a: list[tuple[MDSet, Mirror]], b: list[tuple[MDSet, Mirror]]) -> bool:
    return len(a) == len(b) and all(x[0] is y[0] and x[1] is y[1]
                                    for x, y in zip(a, b, strict=True))


def fresh() -> Host:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    for d in ("c1t0d0", "c2t0d0", "c3t0d0", "c4t0d0"):
        h.add_disk(d, 2097152 * 8, slices={0: 2097152, 1: 2097152, 6: 65536})
    return h


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(COMMANDS), st.sampled_from([0.0, 0.05, 30.0, 600.0]),
                          st.booleans()), max_size=14))
def test_running_resyncs_are_those_a_scan_finds(script: list[tuple[str, float, bool]]) -> None:
    h = fresh_run(COMMANDS[:3])          # three concats: most scripts make a mirror
    for command, wait, reboot in script:
        h.run(command)
        assert same(h.md.active_mirrors(), plain(h))
        h.advance(wait)
        assert same(h.md.active_mirrors(), plain(h))
        if reboot:
            h.reboot()
            assert same(h.md.active_mirrors(), plain(h))


SCRIPTS = [
    COMMANDS[:5] + ["metadetach -f d1 d11", "metattach d1 d11", "metaclear -r d1",
                    "metainit d1 -m d10", "metattach d1 d12"],
    COMMANDS[:4] + ["metainit d2 -m d11", "metattach d2 d12", "metaset -s blue -a -h host1",
                    "metainit blue/d5 1 1 c4t0d0s0", "metaclear d2"],
]


def test_each_command_is_seen() -> None:
    for script in SCRIPTS:
        h = fresh()
        for c in script:
            h.run(c)
            assert same(h.md.active_mirrors(), plain(h)), c
        assert any(plain(fresh_run(script[:k])) for k in range(len(script) + 1))


def fresh_run(script: list[str]) -> Host:
    h = fresh()
    for c in script:
        h.run(c)
    return h


def test_a_reloaded_host_lists_its_own_mirrors() -> None:
    h = fresh()
    for c in COMMANDS[:5]:
        h.run(c)
    assert same(h.md.active_mirrors(), plain(h))
    again = Host.from_dict(h.to_dict())
    assert same(again.md.active_mirrors(), plain(again))
    h.md.load_dict(h.md.to_dict())      # the sets replaced under the same manager
    assert same(h.md.active_mirrors(), plain(h))
    assert h.md.active_mirrors(), "a resync runs (d1's attached d11)"
