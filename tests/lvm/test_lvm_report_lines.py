"""metastat's and the mirror driver's shortcuts of issue 17 give what the plain code gives.

- the lines a report keeps per value (the Size line, a submirror's column titles, the
  relocation section's titles, a mirror's Pass/Read/Write lines) are the ones the plain
  formatting makes, for every value asked and after eviction;
- ``ctd_name``'s plain-name path cuts as the path with directories does;
- a mirror's report names each submirror's State once and reuses the text in the
  submirror's own block: byte for byte the report that names it twice (the plain
  mirror_report below), over random submirror and component states, resync flags and
  ``-t``;
- a host's first ``metastat`` keeps a unit's report without walking the stamps under it
  only where no soft partition can be under it: the kept text is the fresh one, and a unit
  on soft partitions is still not kept;
- the mirror driver's checks written as plain loops (unreachable submirror, a detach's
  erred or resyncing components) answer as the ``all``/``any`` forms do.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import Host
from simulator.lvm.libmeta import mirror as lmirror
from simulator.lvm.libmeta import report_cache
from simulator.lvm.libmeta.printing import (
    Reporter,
    ctd_name,
    meta_number_to_string,
    relocation_header,
    size_text,
)
from simulator.lvm.libmeta.stripe import subdev_header, unavailable
from simulator.lvm.md.records import (
    READ_OPTIONS,
    WRITE_OPTIONS,
    Mirror,
    ResyncJob,
    Stripe,
    SubmirrorSlot,
)
from simulator.lvm.md.states import CompState, SmState

GB = 2 * 1024 * 1024
S_ = Reporter.printf_s


# ---------------------------------------------------------------- lines kept per value
@given(st.integers(min_value=0, max_value=2**62))
def test_kept_size_lines_are_the_fresh_ones(size: int) -> None:
    plain = f"    Size: {size} blocks ({meta_number_to_string.__wrapped__(size)})\n"
    assert size_text(size) == plain
    assert size_text(size) == plain


def test_kept_titles_are_the_printf_ones() -> None:
    for _ in range(2):                           # made, then kept; then evicted and made
        for ln in list(range(0, 80)) + [6, 8, 10]:
            # subdev_row_report's %-*.*s / %*.*s titles, and the -t layout
            assert subdev_header(ln, False) == (
                f"\t{S_('Device', ln, ln, True)} {S_('Start Block', 12, 12, True)} "
                f"{S_('Dbase', 5, 5)} {S_('State', 12, 12)} {S_('Reloc', 5, 5)} Hot Spare\n")
            assert subdev_header(ln, True) == (
                f"\t{'Device'.ljust(ln)} {'Start'.rjust(5)} {'Dbase'.rjust(5)} "
                f"{'State'.ljust(11)} {'Reloc'.ljust(5)} {'Hot Spare'.ljust(9)} Time\n")
            assert relocation_header(ln) == ("Device Relocation Information:\n"
                                             f"{'Device  '.ljust(ln)} Reloc\tDevice ID\n")


def test_kept_mirror_option_lines_are_the_fresh_ones() -> None:
    rd = {"roundrobin": "default", "geometric": "-g", "first": "-r"}
    wr = {"parallel": "default", "serial": "-S"}
    for _ in range(2):
        for pass_num in range(10):
            for r in READ_OPTIONS:
                for w in WRITE_OPTIONS:
                    assert lmirror._options_text(pass_num, r, w) == (
                        f"    Pass: {pass_num}\n    Read option: {r} ({rd[r]})\n"
                        f"    Write option: {w} ({wr[w]})\n")


def _plain_ctd(name: str) -> str:
    head, sep, tail = name.rpartition("/")
    cut = tail.rfind("s")
    return head + sep + (tail[:cut] if cut >= 0 else tail)


@given(st.one_of(st.text(max_size=20),
                 st.lists(st.sampled_from(["c1t0d0s0", "/", "dev", "s", "did", "d3", "ss"]),
                          max_size=5).map("".join)))
def test_ctd_name_plain_path_cuts_as_the_full_one(name: str) -> None:
    assert ctd_name(name) == _plain_ctd(name)


# ---------------------------------------------------------------- the mirror's report
def _plain_mirror_report(rep: Reporter, m: Mirror, header: bool) -> None:
    """mirror_report as written before the State texts were named once (each asked twice,
    the lists made by comprehensions, every submirror printed through print_unit)."""
    s = rep.s
    w = rep.chunks.append
    name = s.display
    mname = name(m.name)
    if header:
        w(f"{mname}: Mirror\n")
    slot_state = rep.host.md.slot_state
    subs = [rep.unit(slot.name) for slot in m.submirrors]
    errs = [unavailable(sub) for sub in subs]
    states = [slot_state(s, slot) for slot in m.submirrors]
    opt_not_done = m.opt_not_done
    for k, (i, slot) in enumerate(m.numbered()):
        if slot.state & SmState.OFFLINE:
            opt_not_done = False
        w(f"    Submirror {i}: {name(slot.name)}\n")
        state = lmirror.sm_state(rep, m, slot, opt_not_done, errs[k], states[k])
        timep = rep.time(slot.timestamp) if rep.times else ""
        w(f"      State: {state:<12} {timep}\n")
    if m.resync_cancel:
        w(f"    Resync cancelled: {lmirror.percent(m)} % done\n")
    elif m.resync_active:
        w(f"    Resync in progress: {lmirror.percent(m)} % done\n")
    w(f"    Pass: {m.pass_num}\n")
    w(f"    Read option: {m.read_option} "
      f"({lmirror._RD_OPT.get(m.read_option) or 'default'})\n")
    w(f"    Write option: {m.write_option} "
      f"({lmirror._WR_OPT.get(m.write_option) or 'default'})\n")
    rep.size_line(m.size)
    for k, slot in enumerate(m.submirrors):
        sub = subs[k]
        w("\n")
        w(f"{name(slot.name)}: Submirror of {mname}\n")
        if not errs[k]:
            state = lmirror.sm_state(rep, m, slot, opt_not_done, False, states[k])
            timep = rep.time(slot.timestamp) if rep.times else ""
            w(f"    State: {state:<12} {timep}\n")
            action = lmirror.sm_state_to_action(s, m, slot, states[k], opt_not_done)
            if action is not None:
                w(f"    Invoke: {action}\n")
        if sub is not None:
            rep.print_unit(sub, header=False, subdevs=True)
    w("\n")


SM_STATES = st.sampled_from(list(SmState.__members__.values()) + [
    SmState.RUNNING | SmState.COMP_ERRED, SmState.OFFLINE | SmState.OFFLINE_RESYNC])
COMP_STATES = st.sampled_from(list(CompState))


def _mirror_host(nsubs: int) -> Host:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    for i in range(nsubs):
        disk = f"c1t{i + 1}d0"
        h.add_disk(disk, 4 * GB, {0: GB, 1: GB})
        h.add_stripe(f"d{10 * (i + 1)}", f"{disk}s0", f"{disk}s1")
    h.md.create_mirror(h.md.sets[""], "d0", [f"d{10 * (i + 1)}" for i in range(nsubs)])
    return h


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(SM_STATES, st.booleans(), st.lists(COMP_STATES, min_size=2,
                                                                max_size=2)),
                min_size=1, max_size=4),
       st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_mirror_report_names_states_as_the_plain_one(
        subs: list[tuple[SmState, bool, list[CompState]]], opt_not_done: bool,
        active: bool, cancel: bool, times: bool, numbered: bool) -> None:
    h = _mirror_host(len(subs))
    s = h.md.sets[""]
    m = s.units["d0"]
    for k, (slot, (sm, target, comps)) in enumerate(zip(m.submirrors, subs, strict=True)):
        slot.state = sm
        slot.resync_target = target
        slot.timestamp = 1_000_000.0 + k
        if numbered:                     # a hole in un_sm[] (a detach that did not compact)
            slot.index = 2 * k
        for c, cs in zip(s.units[slot.name].components, comps, strict=True):
            c.state = cs
    m.opt_not_done, m.resync_active, m.resync_cancel = opt_not_done, active, cancel
    fast, plain = Reporter(h, s, times=times), Reporter(h, s, times=times)
    lmirror.mirror_report(fast, m, True)
    _plain_mirror_report(plain, m, True)
    assert fast.text() == plain.text()


# ---------------------------------------------------------------- the first metastat
def test_first_report_is_kept_without_a_walk_only_without_soft_partitions() -> None:
    h = _mirror_host(2)
    first = h.run("metastat d0").stdout
    kept = report_cache._KEPT[h.md][("", False, False, None)]
    assert "d0" in kept.units and kept.units["d0"][2] in first
    assert h.run("metastat d0").stdout == first
    with report_cache.disabled():
        assert h.run("metastat d0").stdout == first
    # a mirror of a concat that soft partitions are built on: kept, and the soft
    # partitions' base printed afresh; a mirror over a soft partition is never kept
    h = _mirror_host(2)
    h.add_disk("c5t0d0", 4 * GB, {0: 2 * GB})
    assert h.run("metainit d70 -p c5t0d0s0 100m").exit_code == 0
    assert h.run("metainit d71 1 1 d70").exit_code == 0
    assert h.run("metainit d72 -m d71").exit_code == 0
    with report_cache.disabled():
        fresh = h.run("metastat").stdout
    assert h.run("metastat").stdout == fresh
    kept = report_cache._KEPT[h.md][("", False, False, None)]
    assert "d0" in kept.units and "d72" not in kept.units


# ---------------------------------------------------------------- the driver's loops
@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(COMP_STATES, min_size=2, max_size=2), min_size=1, max_size=4))
def test_mirror_checks_answer_as_all_and_any(comps: list[list[CompState]]) -> None:
    h = _mirror_host(len(comps))
    s = h.md.sets[""]
    m = s.units["d0"]
    for slot, states in zip(m.submirrors, comps, strict=True):
        for c, cs in zip(s.units[slot.name].components, states, strict=True):
            c.state = cs

    def slot_unavailable(slot: SubmirrorSlot) -> bool:
        st_ = s.units.get(slot.name)
        return isinstance(st_, Stripe) and all(c.state == CompState.UNAVAILABLE
                                               for c in st_.components)

    for slot in m.submirrors:
        st_ = s.units[slot.name]
        assert isinstance(st_, Stripe)
        assert h.md._slot_unavailable(s, slot) == slot_unavailable(slot)
        assert h.md._erred_or_resyncing(st_) == any(
            c.state.erred or c.state == CompState.RESYNC for c in st_.components)
    assert h.md._mirror_unavailable(s, m) == all(slot_unavailable(sl) for sl in m.submirrors)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["d10", "d20", "d30", None]), max_size=4), st.integers(0, 2),
       st.booleans())
def test_detach_keeps_the_other_submirrors_resync_work(targets: list[str | None], which: int,
                                                        cancel: bool) -> None:
    """A detach takes away the resync work of the submirror it detaches, and only that:
    the jobs left are the plain filter's, in order, and a cancelled resync with none left
    is no longer cancelled."""
    h = _mirror_host(3)
    s = h.md.sets[""]
    m = s.units["d0"]
    m.jobs = [ResyncJob("submirror" if t else "optimized", 100, submirror=t) for t in targets]
    m.resync_active, m.resync_cancel = False, cancel
    name = m.submirrors[which].name
    plain = [j for j in m.jobs if j.submirror != name]
    h.md.detach(s, "d0", name, force=True)
    assert m.jobs == plain and all(a is b for a, b in zip(m.jobs, plain, strict=True))
    assert m.resync_cancel == (cancel and bool(plain))
