"""metastat's kept reports (simulator/lvm/libmeta/report_cache.py): after every kind of
state change, what metastat prints from its kept reports is byte for byte what it prints
with them disabled.

Each test prints (filling the kept reports), changes the state, and compares every option
set against a fresh rendering; it also checks the change is visible, so a kept report that
was not dropped fails the comparison.
"""

from __future__ import annotations

import pytest

from simulator import Host
from simulator.faults import arm
from simulator.lvm.libmeta import report_cache
from simulator.lvm.md.records import MDSet, Mirror, Stripe, TrackedDict, TrackedList, stamp
from simulator.lvm.md.states import CompState

OPTIONS = ("", "-p", "-t", "-q", "-c", "-a", "-s local", "-B", "-D", "d1", "d1 d12", "d12 d1",
           "d30", "-p d1", "-t d1", "d2 d1", "d1 d99")

Outputs = dict[str, tuple[str, str, int]]


def run_all(h: Host) -> Outputs:
    out: Outputs = {}
    for opts in OPTIONS:
        r = h.run(f"metastat {opts}".strip())
        out[opts] = (r.stdout, r.stderr, r.exit_code)
    return out


def check(h: Host) -> Outputs:
    """Every option set, at this moment: what the kept reports print equals what a copy of
    the host (saved and loaded: the same records, the same clock) prints with them
    disabled; printing again (now all kept) stays equal to a fresh rendering too. Each
    command lets a little virtual time pass (a resync moves on), hence the copies."""
    for _ in range(2):
        clone = Host.from_dict(h.to_dict())
        kept = run_all(h)
        with report_cache.disabled():
            assert kept == run_all(clone)
    assert report_cache._KEPT[h.md], "nothing was kept"
    return kept


def changed(before: Outputs, after: Outputs) -> None:
    assert after[""] != before[""]


@pytest.fixture
def h() -> Host:
    """Mirror d1 = d11 (c1t0d0s0, pool hsp001) + d12 (c2t0d0s0); mirror d2 = d21 + d22;
    a top-level concat d30; pool hsp001 of c4t0d0s0."""
    h = Host("host1")
    h.add_replicas("c0t0d0s7", "c0t1d0s7", count=2)
    h.add_hsp("hsp001", "c4t0d0s0")
    h.add_stripe("d11", "c1t0d0s0", hsp="hsp001")
    h.add_stripe("d12", "c2t0d0s0", hsp="hsp001")
    h.add_mirror("d1", ["d11", "d12"])
    h.add_mirror("d2", ["d21", "d22"])
    h.add_stripe("d30", "c3t0d0s0")
    return h


def run_ok(h: Host, command: str) -> None:
    r = h.run(command)
    assert r.exit_code == 0, (command, r.stdout, r.stderr)


def test_kept_reports_are_used(h: Host) -> None:
    """The second call prints each top-level unit's kept text (no layout function runs)."""
    first = h.run("metastat").stdout
    kept = report_cache._KEPT[h.md]
    entry = kept[("", False, False, None)]
    assert set(entry.units) == {"d1", "d2", "d30"} and entry.reloc is not None
    d1_text = entry.units["d1"][2]
    assert first.startswith(entry.units["d2"][2] + d1_text)
    assert h.run("metastat").stdout == first
    assert entry.units["d1"][2] is d1_text


def test_detach_attach(h: Host) -> None:
    before = check(h)
    run_ok(h, "metadetach d1 d12")
    after = check(h)
    changed(before, after)
    assert "d12: Concat/Stripe" in after[""][0]
    run_ok(h, "metattach d1 d12")
    changed(after, check(h))


def test_offline_online(h: Host) -> None:
    before = check(h)
    run_ok(h, "metaoffline d2 d22")
    after = check(h)
    changed(before, after)
    run_ok(h, "metaonline d2 d22")
    changed(after, check(h))


def test_component_failure_hot_spare_replace_enable(h: Host) -> None:
    """component-error through the fault machinery: the pool's spare takes over (Hot Spare
    column, the pool's In use), then metareplace -e, and a replace with a new slice."""
    before = check(h)
    arm(h, ["component-error:c2t0d0s0"])
    h.run("metastat d1")            # the armed error fires on the next I/O
    after = check(h)
    changed(before, after)
    assert "c4t0d0s0" in after[""][0]
    h.advance(3600)
    done = check(h)
    changed(after, done)
    h.ensure_slice("c5t0d0s0")
    run_ok(h, "metareplace d2 c1t1d0s0 c5t0d0s0")
    replaced = check(h)
    changed(done, replaced)
    h.advance(3600)
    check(h)


def test_component_error_without_spare_then_enable(h: Host) -> None:
    before = check(h)
    arm(h, ["component-error:c1t1d0s0"])      # d21: no pool, needs maintenance
    h.run("metastat d2")
    after = check(h)
    changed(before, after)
    assert "Invoke: metareplace d2 c1t1d0s0 <new device>" in after[""][0]
    run_ok(h, "metareplace -e d2 c1t1d0s0")
    enabled = check(h)
    changed(after, enabled)
    h.advance(3600)
    changed(enabled, check(h))


def test_disk_fail_and_probe(h: Host) -> None:
    """disk-fail, then metastat -i (a probe that errs the component) and a failed spare."""
    before = check(h)
    arm(h, ["disk-fail:c2t1d0"])
    h.run("metastat -i")
    after = check(h)
    changed(before, after)


def test_resync_progress_over_virtual_time(h: Host) -> None:
    """Resync in progress: N % done moves with the clock; each step is printed afresh."""
    run_ok(h, "metadetach d1 d12")
    run_ok(h, "metattach d1 d12")
    seen = []
    prev = check(h)
    for _ in range(6):
        h.advance(60)          # ~1.7 % of the 68 GB submirror a step
        now = check(h)
        seen.append(now[""][0])
        prev = now
    assert any("Resync in progress" in x for x in seen)
    assert len(set(seen)) > 2
    h.advance(3600)
    changed(prev, check(h))


def test_metasync_cancel_and_restart(h: Host) -> None:
    run_ok(h, "metadetach d1 d12")
    run_ok(h, "metattach d1 d12")
    h.advance(5)
    before = check(h)
    run_ok(h, "metasync -c d1")
    after = check(h)
    changed(before, after)
    assert "Resync cancelled" in after[""][0]
    run_ok(h, "metasync d1")
    changed(after, check(h))


def test_metaclear_metainit(h: Host) -> None:
    before = check(h)
    run_ok(h, "metaclear d30")
    after = check(h)
    changed(before, after)
    run_ok(h, "metainit d30 1 1 c3t0d0s0")
    again = check(h)
    assert again == before               # the same unit again prints as it did
    run_ok(h, "metaclear -r d2")
    changed(again, check(h))
    h.ensure_slice("c6t0d0s0")
    h.ensure_slice("c6t1d0s0")
    run_ok(h, "metainit d40 1 1 c6t0d0s0")
    run_ok(h, "metainit d41 1 1 c6t1d0s0")
    run_ok(h, "metainit d4 -m d40")
    run_ok(h, "metattach d4 d41")
    h.advance(3600)
    check(h)


def test_hot_spare_pool_changes(h: Host) -> None:
    before = check(h)
    h.ensure_slice("c4t1d0s0")
    run_ok(h, "metahs -a hsp001 c4t1d0s0")
    after = check(h)
    changed(before, after)
    run_ok(h, "metahs -d hsp001 c4t1d0s0")
    changed(after, check(h))


def test_replicas_and_dbase_column(h: Host) -> None:
    """A concat on a slice holding a replica (Dbase Yes), then the replica deleted."""
    h.ensure_slice("c5t0d0s0")
    run_ok(h, "metadb -a c5t0d0s0")
    before = check(h)
    run_ok(h, "metainit d31 1 1 c5t0d0s0")
    after = check(h)
    changed(before, after)
    assert "\tc5t0d0s0       8208     Yes  \tYes\n" in after[""][0]
    run_ok(h, "metadb -d c5t0d0s0")
    changed(after, check(h))


def test_reboot(h: Host) -> None:
    run_ok(h, "metadetach d1 d12")
    run_ok(h, "metattach d1 d12")
    h.advance(400)
    before = check(h)
    h.reboot()
    check(h)
    h.advance(3600)
    changed(before, check(h))


def test_soft_partitions_are_printed_afresh(h: Host) -> None:
    before = check(h)
    run_ok(h, "metainit d50 -p d30 100m")
    run_ok(h, "metainit d51 -p d30 100m")
    after = check(h)
    changed(before, after)
    run_ok(h, "metaclear d51")
    changed(after, check(h))


def test_time_zone_and_disks(h: Host) -> None:
    """-t prints in the host's zone; the Reloc column reads the disks' device IDs. (Nothing
    resyncs here, so the host itself prints the fresh rendering: a saved copy would draw
    the changed device ID anew.)"""
    before = check(h)
    h.clock.timezone = "US/Pacific"
    after = check(h)
    assert after["-t"] != before["-t"]
    h.disks["c3t0d0"].devid = ""
    kept = run_all(h)
    with report_cache.disabled():
        assert run_all(h) == kept
    assert kept[""] != after[""]
    assert kept == run_all(h)


def test_writes_by_hand(h: Host) -> None:
    """Fields written directly (as the importer and tests do) and lists changed in place."""
    s = h.md.sets[""]
    before = check(h)
    d12 = s.units["d12"]
    assert isinstance(d12, Stripe)
    d12.components[0].state = CompState.ERRED
    after = check(h)
    changed(before, after)
    d12.rows[0].components[0].hot_spare = "c4t0d0s0"
    changed(after, check(h))
    m = s.units["d2"]
    assert isinstance(m, Mirror)
    prev = check(h)
    m.submirrors.reverse()
    changed(prev, check(h))
    prev = check(h)
    m.read_option = "geometric"
    changed(prev, check(h))
    prev = check(h)
    s.units["d30"].rows[0].components[0].start_block = 16     # type: ignore[attr-defined]
    changed(prev, check(h))


def test_tracked_containers_make_their_records_stamp_later() -> None:
    """Every in-place change of a record's list or dict makes the record's stamp later
    (records.py: the list stamps itself, and a record's stamp reads its lists')."""
    st = Stripe("d9")
    assert isinstance(st.rows, TrackedList)
    ops = [lambda lst: lst.append(1), lambda lst: lst.extend([2, 3]),
           lambda lst: lst.insert(0, 0), lambda lst: lst.pop(), lambda lst: lst.remove(0),
           lambda lst: lst.sort(), lambda lst: lst.reverse(),
           lambda lst: lst.__setitem__(0, 5), lambda lst: lst.__delitem__(0),
           lambda lst: lst.__iadd__([7]), lambda lst: lst.__imul__(2), lambda lst: lst.clear()]
    for op in ops:
        report_cache.new_epoch()
        before = stamp(st)
        op(st.rows)
        assert stamp(st) > before
    s = MDSet("")
    d = s.units
    assert isinstance(d, TrackedDict)
    dops = [lambda x: x.__setitem__("a", 1), lambda x: x.update(b=2),
            lambda x: x.setdefault("c", 3), lambda x: x.pop("c"), lambda x: x.popitem(),
            lambda x: x.__delitem__("a"), lambda x: x.__ior__({"e": 1}), lambda x: x.clear()]
    for op in dops:
        report_cache.new_epoch()
        before = stamp(s)
        op(d)
        assert stamp(s) > before


def test_seed_scenario_procedure() -> None:
    """The seed scenario, through the steps of the seed procedure (detach, reattach,
    resync over time)."""
    from simulator.scenario import build_host
    h = build_host("seed-example")
    before = check(h)
    mirrors = h.mirrors()
    assert mirrors
    m = mirrors[0]
    sub = h.submirrors(m)[-1]
    run_ok(h, f"metadetach {m} {sub}")
    after = check(h)
    changed(before, after)
    run_ok(h, f"metattach {m} {sub}")
    for _ in range(4):
        h.advance(30)
        check(h)
    h.advance(7200)
    check(h)
