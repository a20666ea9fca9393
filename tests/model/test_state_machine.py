"""One test per row of the transitions table (reference svm-states.md section 3).

Each test drives the trigger (through the fake commands where there is one), then checks
the model states (component state, the kernel's sm_state, the mirror's resync flags) and
what ``metastat`` prints for them (meta_mirror.c sm_state_to_name / sm_state_to_action).
"""

from __future__ import annotations

import pytest

from simulator import Host
from simulator.lvm.md.states import CompState, SmState, sm_state_to_name

GB = 2 * 1024 * 1024


def mirror_host(subs: tuple[str, ...] = ("d10", "d20"), size: int = 4 * GB,
                pass_num: int = 1) -> Host:
    """host1, replicas on c0t0d0s7, mirror d0 of one-slice concats c1t<i>d0s0."""
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    for i, sub in enumerate(subs):
        add_concat(h, sub, f"c1t{i + 1}d0", size)
    h.md.create_mirror(h.md.sets[""], "d0", list(subs), pass_num=pass_num)
    return h


def add_concat(h: Host, name: str, disk: str, size: int = 4 * GB, hsp: str | None = None) -> None:
    h.add_disk(disk, size + 65536, {0: size, 7: 65536})
    h.add_stripe(name, f"{disk}s0", hsp=hsp)


def state(h: Host, sub: str) -> SmState:
    s = h.md.sets[""]
    return h.md.slot_state(s, s.units["d0"].slot(sub))


def shown(h: Host, sub: str) -> str:
    """The State text metastat derives for ``sub`` (sm_state_to_name)."""
    s = h.md.sets[""]
    m = s.units["d0"]
    slot = m.slot(sub)
    return sm_state_to_name(h.md.slot_state(s, slot), m.resync_active, m.resync_cancel,
                            m.opt_not_done and slot.state != SmState.OFFLINE,
                            slot.resync_target)


def comp(h: Host, unit: str, index: int = 0) -> CompState:
    return h.md.sets[""].units[unit].components[index].state


def metastat(h: Host) -> str:
    r = h.run("metastat d0")
    assert r.exit_code == 0, r.stderr
    return r.stdout


def block(text: str, sub: str) -> str:
    """The ``dS: Submirror of d0`` block of a metastat report."""
    return text.split(f"{sub}: Submirror of d0\n")[1].split("\n\n")[0]


def finish(h: Host) -> None:
    while h.md.next_completion() is not None:
        h.advance(h.md.next_completion() + 1)


def test_metainit_one_way_mirror_is_okay() -> None:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    add_concat(h, "d10", "c1t1d0")
    r = h.run("metainit d0 -m d10")
    assert (r.stdout, r.exit_code) == ("d0: Mirror is setup\n", 0)
    assert state(h, "d10") == SmState.RUNNING and comp(h, "d10") == CompState.OKAY
    assert "      State: Okay         \n" in metastat(h)


def test_metainit_two_way_mirror_has_no_resync() -> None:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    add_concat(h, "d10", "c1t1d0")
    add_concat(h, "d20", "c1t2d0")
    r = h.run("metainit d0 -m d10 d20")
    assert "WARNING: This form of metainit is not recommended." in r.stderr
    assert state(h, "d10") == state(h, "d20") == SmState.RUNNING
    assert not h.md.sets[""].units["d0"].resync_active
    assert "Resync" not in metastat(h)


def test_metattach_starts_a_full_resync() -> None:
    h = mirror_host(("d10",))
    add_concat(h, "d20", "c1t2d0")
    assert h.run("metattach d0 d20").stdout == "d0: submirror d20 is attached\n"
    h.advance(0.25 * 4 * GB / h.md.resync_rate)
    assert state(h, "d20") == SmState.ATTACHED_RESYNC and shown(h, "d20") == "Resyncing"
    out = metastat(h)
    assert "    Submirror 1: d20\n      State: Resyncing    \n" in out
    assert "    Resync in progress: 25 % done\n" in out
    assert "Invoke" not in block(out, "d20")          # no action while a resync runs


def test_attach_resync_completes_running() -> None:
    h = mirror_host(("d10",))
    add_concat(h, "d20", "c1t2d0")
    h.run("metattach d0 d20")
    finish(h)
    assert state(h, "d20") == SmState.RUNNING and shown(h, "d20") == "Okay"
    assert "Resync in progress" not in metastat(h)


def test_attach_resync_fails_attached() -> None:
    h = mirror_host(("d10",))
    add_concat(h, "d20", "c1t2d0")
    h.run("metattach d0 d20")
    h.advance(5)
    assert h.md.io_error("c1t2d0s0") == ["WARNING: md: d20: c1t2d0s0 needs maintenance"]
    assert state(h, "d20") == SmState.ATTACHED and shown(h, "d20") == "Needs maintenance"
    assert "    State: Needs maintenance \n    Invoke: metasync d0\n" in block(metastat(h),
                                                                          "d20")


def test_io_error_with_a_good_copy_is_maintenance() -> None:
    h = mirror_host()
    assert h.md.io_error("c1t2d0s0") == ["WARNING: md: d20: c1t2d0s0 needs maintenance"]
    assert comp(h, "d20") == CompState.ERRED and state(h, "d20") == SmState.COMP_ERRED
    text = block(metastat(h), "d20")
    assert "    Invoke: metareplace d0 c1t2d0s0 <new device>" in text
    assert "     Maintenance " in text


def test_io_error_without_another_copy_is_last_erred() -> None:
    h = mirror_host()
    h.md.io_error("c1t1d0s0")
    assert h.md.io_error("c1t2d0s0") == ["WARNING: md: d20: c1t2d0s0 last erred"]
    assert comp(h, "d20") == CompState.LAST_ERRED
    text = block(metastat(h), "d20")
    assert ('    Invoke: after replacing "Maintenance" components:\n'
            "\t\tmetareplace d0 c1t2d0s0 <new device>") in text
    assert "Last Erred" in text


def test_erred_component_takes_a_hot_spare() -> None:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_disk("c3t0d0", 4 * GB + 65536, {0: 4 * GB + 65536})
    h.md.create_hsp(h.md.sets[""], "hsp001", ["c3t0d0s0"])
    add_concat(h, "d10", "c1t1d0", hsp="hsp001")
    add_concat(h, "d20", "c1t2d0", hsp="hsp001")
    h.md.create_mirror(h.md.sets[""], "d0", ["d10", "d20"])
    msgs = h.md.io_error("c1t2d0s0")
    assert msgs[-1] == "NOTICE: md: d20: hotspare c3t0d0s0 replaced c1t2d0s0"
    assert comp(h, "d20") == CompState.RESYNC
    assert h.md.sets[""].hsps["hsp001"].spares[0].status == "In use"
    row = [line for line in block(metastat(h), "d20").splitlines() if "c1t2d0s0" in line][0]
    assert row.split()[-2:] == ["Yes", "c3t0d0s0"] and "Resyncing" in row


def test_metareplace_resyncs_the_new_component_and_frees_the_spare() -> None:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_disk("c3t0d0", 4 * GB + 65536, {0: 4 * GB + 65536})
    h.add_disk("c4t0d0", 4 * GB + 65536, {0: 4 * GB + 65536})
    h.md.create_hsp(h.md.sets[""], "hsp001", ["c3t0d0s0"])
    add_concat(h, "d10", "c1t1d0", hsp="hsp001")
    add_concat(h, "d20", "c1t2d0", hsp="hsp001")
    h.md.create_mirror(h.md.sets[""], "d0", ["d10", "d20"])
    h.md.io_error("c1t2d0s0")
    finish(h)
    r = h.run("metareplace d0 c1t2d0s0 c4t0d0s0")
    assert r.stdout == "d0: device c1t2d0s0 is replaced with c4t0d0s0\n"
    assert comp(h, "d20") == CompState.RESYNC
    assert h.md.sets[""].units["d20"].components[0].name == "c4t0d0s0"
    assert h.md.sets[""].hsps["hsp001"].spares[0].status == "Available"
    assert state(h, "d20") == SmState.COMP_RESYNC and shown(h, "d20") == "Resyncing"


def test_metareplace_e_reenables_the_same_slice() -> None:
    h = mirror_host()
    h.md.io_error("c1t2d0s0")
    assert h.run("metareplace -e d0 c1t2d0s0").stdout == "d0: device c1t2d0s0 is enabled\n"
    assert comp(h, "d20") == CompState.RESYNC
    assert "      State: Resyncing    \n" in metastat(h)


def test_component_resync_completion_turns_last_erred_into_maintenance() -> None:
    h = mirror_host()
    h.add_disk("c4t0d0", 4 * GB + 65536, {0: 4 * GB + 65536})
    h.md.io_error("c1t1d0s0")                       # d10 Maintenance
    h.md.io_error("c1t2d0s0")                       # d20 Last Erred
    h.run("metareplace d0 c1t1d0s0 c4t0d0s0")
    finish(h)
    assert comp(h, "d10") == CompState.OKAY and state(h, "d10") == SmState.RUNNING
    assert comp(h, "d20") == CompState.ERRED
    assert "    Invoke: metareplace d0 c1t2d0s0 <new device>" in block(metastat(h), "d20")


def test_metaoffline_offline_needs_metaonline() -> None:
    h = mirror_host()
    assert h.run("metaoffline d0 d20").stdout == "d0: submirror d20 is offlined\n"
    assert state(h, "d20") == SmState.OFFLINE and shown(h, "d20") == "Needs maintenance"
    assert "    Invoke: metaonline d0 d20\n" in block(metastat(h), "d20")
    assert "d20 (offline)" in h.run("metastat -c d0").stdout


def test_metaonline_optimized_resync_back_to_running() -> None:
    h = mirror_host()
    h.run("metaoffline d0 d20")
    h.md.sets[""].units["d0"].slot("d20").dirty_blocks = GB
    assert h.run("metaonline d0 d20").stdout == "d0: submirror d20 is onlined\n"
    assert state(h, "d20") == SmState.OFFLINE_RESYNC and shown(h, "d20") == "Resyncing"
    assert h.md.sets[""].units["d0"].jobs[0].kind == "optimized"
    finish(h)
    assert state(h, "d20") == SmState.RUNNING and shown(h, "d20") == "Okay"


@pytest.mark.parametrize(("release", "slot"), [("5.10", 2), ("5.11", 1), ("illumos", 1)])
def test_metadetach_removes_and_resets(release: str, slot: int) -> None:
    """illumos mirror_detach compacts the submirror array ("Reshuffle the submirror devices
    in the array"), so d30 moves up; Solaris 10 leaves the slot empty (see
    tests/commands/test_lvm_release.py for the evidence)."""
    h = mirror_host(("d10", "d20", "d30"))
    h.release = release
    h.md.io_error("c1t2d0s0")
    assert h.run("metadetach -f d0 d20").stdout == "d0: submirror d20 is detached\n"
    m = h.md.sets[""].units["d0"]
    assert [sl.name for sl in m.submirrors if sl.name] == ["d10", "d30"]
    assert comp(h, "d20") == CompState.OKAY and h.md.sets[""].units["d20"].parent is None
    assert f"    Submirror {slot}: d30\n" in metastat(h)


def test_metasync_c_cancels() -> None:
    h = mirror_host(("d10",))
    add_concat(h, "d20", "c1t2d0")
    h.run("metattach d0 d20")
    h.advance(0.5 * 4 * GB / h.md.resync_rate)
    assert h.run("metasync -c d0").exit_code == 0
    m = h.md.sets[""].units["d0"]
    assert m.resync_cancel and not m.resync_active
    assert h.md.events[-1].text == "WARNING: md: d0: Resync cancelled"
    out = metastat(h)
    assert "    Resync cancelled: 50 % done\n" in out
    assert "      State: Resync cancelled \n" in out        # %-12s, then a blank
    assert "    Invoke: metasync d0\n" in block(out, "d20")


def test_metasync_restarts_and_resyncs_attached() -> None:
    h = mirror_host(("d10",))
    add_concat(h, "d20", "c1t2d0")
    h.run("metattach d0 d20")
    h.advance(5)
    h.md.io_error("c1t2d0s0")                       # resync fails: ATTACHED
    h.md.sets[""].units["d20"].components[0].state = CompState.OKAY   # disk fixed
    assert h.run("metasync d0").exit_code == 0
    assert state(h, "d20") == SmState.ATTACHED_RESYNC and shown(h, "d20") == "Resyncing"
    finish(h)
    assert state(h, "d20") == SmState.RUNNING


def test_reboot_during_resync_resumes_from_checkpoint() -> None:
    h = mirror_host(("d10",), size=40 * GB)
    add_concat(h, "d20", "c1t2d0", 40 * GB)
    h.run("metattach d0 d20")
    h.advance(400)                                   # one 5-minute checkpoint behind us
    done = h.md.sets[""].units["d0"].jobs[0].done
    h.md.reboot(metasync=False)
    job = h.md.sets[""].units["d0"].jobs[0]
    assert job.done == int(h.md.resync_rate * 300) < done
    assert shown(h, "d20") == "Needs maintenance"
    assert "    Invoke: metasync d0\n" in block(metastat(h), "d20")
    h.run("metasync -r")
    percent = job.done * 100 // (40 * GB)
    assert f"    Resync in progress: {percent} % done\n" in metastat(h)


def test_reboot_after_crash_owes_an_optimized_resync() -> None:
    h = mirror_host()
    h.md.reboot(metasync=False)
    m = h.md.sets[""].units["d0"]
    assert m.opt_not_done and not m.resync_active
    assert shown(h, "d10") == shown(h, "d20") == "Needs maintenance"
    assert "    Invoke: metasync d0\n" in block(metastat(h), "d10")
    h.run("metasync -r")
    assert shown(h, "d10") == "Resyncing"
    finish(h)
    assert not m.opt_not_done and shown(h, "d10") == shown(h, "d20") == "Okay"
    p0 = mirror_host(pass_num=0)
    p0.md.reboot(metasync=False)
    assert not p0.md.sets[""].units["d0"].opt_not_done


def test_reboot_with_a_submirror_offline_resyncs_it() -> None:
    h = mirror_host()
    h.run("metaoffline d0 d20")
    h.md.reboot()
    assert state(h, "d20") == SmState.OFFLINE_RESYNC and shown(h, "d20") == "Resyncing"
    finish(h)
    assert state(h, "d20") == SmState.RUNNING


def test_metastat_i_probe_failure_is_an_io_error() -> None:
    h = mirror_host()
    h.disks["c1t2d0"].failed = True
    r = h.run("metastat -i d0")
    assert r.exit_code == 0
    assert comp(h, "d20") == CompState.ERRED and state(h, "d20") == SmState.COMP_ERRED
    assert "    Invoke: metareplace d0 c1t2d0s0 <new device>" in block(r.stdout, "d20")
