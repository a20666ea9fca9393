"""SetContents (simulator.lvm.md.records), what the scenario builder keeps of a configuration
and makes again in each host built from it: every record made again with every field (each set
away from its default here, so a field added later and not kept fails), equal to the original,
sharing no list, dict or set with it or with another copy, stamped when made; and records made
with their defaults left out equal those given them."""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any

from simulator.lvm.md import records
from simulator.lvm.md.records import (
    Component,
    HotSpare,
    HotSparePool,
    MDSet,
    Mirror,
    ResyncJob,
    Row,
    SetContents,
    SoftPartition,
    Stripe,
    SubmirrorSlot,
    new_epoch,
    stamp,
)
from simulator.lvm.md.replicas import Replica
from simulator.lvm.md.states import CompState, SmState


def _comp(name: str) -> Component:
    return Component(name, 16, 1000, CompState.ERRED, True, False, "c9t0d0s0", 3, 12.5)


def _source() -> MDSet:
    s = MDSet("")
    s.units["d2"] = Stripe("d2", "d1", 1.5, [Row([_comp("c1t0d0s0"), _comp("c1t1d0s0")], 32),
                                             Row([_comp("c1t2d0s0")], 16)], "hsp001")
    s.units["d1"] = Mirror("d1", "d9", 2.5, [SubmirrorSlot("d2", SmState.OFFLINE, True, 4.5,
                                                           77, 2)],
                           3, "geometric", "serial", 999, [ResyncJob("component", 50, 7, "d2",
                                                                     ["c1t0d0s0"])],
                           True, True, True, 11)
    s.units["d5"] = SoftPartition("d5", "d8", 5.5, "c2t0d0s0", [(1, 10), (20, 5)], "Errored")
    s.hsps["hsp001"] = HotSparePool("hsp001", [HotSpare("c9t0d0s0", 500, "In use", False, 6.5)])
    s.replicas.extend([Replica("c0t0d0s7", 32, 4096, {"a", "W"}),
                       Replica("c0t0d0s7", 4128, 4096, {"a", "m", "p", "l", "u", "o"})])
    return s


def _records(s: MDSet) -> list[Any]:
    out: list[Any] = []
    for u in s.units.values():
        out.append(u)
        if isinstance(u, Stripe):
            for r in u.rows:
                out.append(r)
                out.extend(r.components)
        if isinstance(u, Mirror):
            out.extend(u.submirrors)
            out.extend(u.jobs)
    for p in s.hsps.values():
        out.append(p)
        out.extend(p.spares)
    out.extend(s.replicas)
    return out


def test_the_source_sets_every_field_away_from_its_default() -> None:
    """Guard of this test: a field left at its default here would not show a copier that
    forgets it."""
    seen: set[type] = set()
    for rec in _records(_source()):
        seen.add(type(rec))
        for f in fields(rec):
            if f.default is not MISSING:
                assert getattr(rec, f.name) != f.default, (type(rec).__name__, f.name)
            elif f.default_factory is not MISSING:
                assert getattr(rec, f.name) != f.default_factory(), (type(rec).__name__, f.name)
    assert seen == {Stripe, Row, Component, Mirror, SubmirrorSlot, ResyncJob, SoftPartition,
                    HotSparePool, HotSpare, Replica}


def test_a_copy_is_equal_and_shares_nothing() -> None:
    src = _source()
    assert SetContents.keepable(src)
    kept = SetContents.of(src)
    dst = MDSet("")
    units, hsps, replicas = dst.units, dst.hsps, dst.replicas
    made = new_epoch()
    kept.make_in(dst)
    assert dst.units is units and dst.hsps is hsps and dst.replicas is replicas
    assert list(dst.units) == list(src.units) and list(dst.hsps) == list(src.hsps)
    assert dst.to_dict() == src.to_dict()
    mine, theirs = _records(dst), _records(src)
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs, strict=True):
        assert type(a) is type(b)
        assert a == b
        assert a is not b
        for f in fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            assert x == y
            if isinstance(x, list | dict | set):
                assert x is not y, (type(a).__name__, f.name)
        if not isinstance(a, Replica):
            assert a._gen > made               # stamped when copied, as when made
    assert stamp(dst) > made


def test_a_copy_is_a_fresh_record_list() -> None:
    """Changing a copy's lists stamps the copy, never the source."""
    src, dst = _source(), MDSet("")
    SetContents.of(src).make_in(dst)
    before = stamp(src.units["d2"])
    new_epoch()
    dst.units["d2"].rows.append(Row([_comp("c3t0d0s0")], None))   # type: ignore[attr-defined]
    assert stamp(dst.units["d2"]) > before and stamp(src.units["d2"]) == before
    assert len(src.units["d2"].rows) == 2                           # type: ignore[attr-defined]


def test_a_unit_of_another_kind_is_not_copyable() -> None:
    class Other(Stripe):
        pass
    s = MDSet("")
    s.units["d3"] = Other("d3")
    assert not SetContents.keepable(s)


def test_defaults_given_or_left_make_equal_records() -> None:
    """A record made with its defaults left out reads, compares and saves as one given
    every default; a default written later is kept."""
    for cls, args in ((Component, ("c1t0d0s0",)), (SubmirrorSlot, ("d2",)),
                      (Mirror, ("d1",)), (Stripe, ("d2",)), (SoftPartition, ("d5",)),
                      (ResyncJob, ("submirror", 10)), (HotSpare, ("c1t0d0s0", 5)),
                      (HotSparePool, ("hsp001",)), (MDSet, ())):
        left = cls(*args)
        given = cls(*args, **{f.name: (f.default if f.default is not MISSING
                                       else f.default_factory())   # type: ignore[misc]
                              for f in fields(cls)[len(args):]
                              if f.default is not MISSING or f.default_factory is not MISSING})
        assert left == given and repr(left) == repr(given)
        assert left.to_dict() == given.to_dict()
        for f in fields(cls):
            assert getattr(left, f.name) == getattr(given, f.name)
    c = Component("c1t0d0s0")
    c.state = CompState.ERRED
    c.state = CompState.OKAY
    assert c.state is CompState.OKAY and "state" in vars(c)
    assert records.Component("x", state=CompState.ERRED).state is CompState.ERRED


def test_two_copies_share_nothing_and_the_kept_contents_do_not_change() -> None:
    """Each copy made from the kept contents is its own; changing one changes neither the
    other nor what is kept (the next copy is as the first)."""
    kept = SetContents.of(_source())
    a, b = MDSet(""), MDSet("")
    kept.make_in(a)
    kept.make_in(b)
    ra, rb = _records(a), _records(b)
    assert ra == rb
    for x, y in zip(ra, rb, strict=True):
        assert x is not y
        for f in fields(x):
            v = getattr(x, f.name)
            if isinstance(v, list | dict | set):
                assert v is not getattr(y, f.name)
    a.units["d2"].rows[0].components[0].state = CompState.OKAY     # type: ignore[attr-defined]
    a.units["d5"].extents.append((99, 1))                          # type: ignore[attr-defined]
    a.units["d1"].jobs[0].components.append("c1t1d0s0")            # type: ignore[attr-defined]
    a.replicas[0].flags.add("m")
    a.hsps["hsp001"].spares[0].status = "Available"
    c = MDSet("")
    kept.make_in(c)
    assert _records(c) == rb
