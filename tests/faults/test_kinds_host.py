"""The host fault kinds: panic, clean reboot, clock jump (what the host shows afterwards)."""

from __future__ import annotations

import pytest

from simulator.core.errors import HostPanic
from simulator.faults import arm
from simulator.scenario import build_scenario, load_scenario
from simulator.sunos.syslog import messages_text


@pytest.fixture
def seed():
    return build_scenario(load_scenario("seed-example"))


def test_panic_after_lockfs_then_boot(seed):
    """uts/common/os/panic.c panicsys + cmd/savecore/savecore.c: after the boot the
    messages file has the panic lines (unix, ID 836849 for "panic[cpu%d]/thread=%p: ") and
    savecore's "reboot after panic: <string>" (ID 570001, auth.error); the write lock the
    driver took is gone and /home1 is mounted (vfstab), the detached submirror stays
    detached."""
    h = seed
    arm(h, ["panic@after:metadetach"])
    assert h.run("lockfs -w /home1").exit_code == 0
    with pytest.raises(HostPanic) as down:
        h.run("metadetach d1 d3")
    assert str(down.value) == "forced crash dump initiated at user request"
    t_panic = h.clock.now
    h.crash(down.value)
    assert h.clock.now == t_panic + 120
    text = messages_text(h)
    assert " host1 unix: [ID 836849 kern.notice] \n" in text
    assert " host1 ^Mpanic[cpu0]/thread=2a100a5fd20: \n" in text
    assert "unix: [ID " in text and "kern.notice] forced crash dump initiated at user " \
        "request\n" in text
    assert "host1 savecore: [ID 570001 auth.error] reboot after panic: forced crash dump " \
           "initiated at user request\n" in text
    assert "unlock" in h.run("lockfs /home1").stdout
    assert h.submirrors("d1") == ["d2", "d4"]
    assert "/home1" in h.run("df -k /home1").stdout


def test_panic_mid_resync_restarts_from_checkpoint(seed):
    """mirror_resync.c: an interrupted resync restarts at boot (svc-metasync) from its last
    checkpoint (every 5 minutes of resync), not from 0 and not where it was."""
    h = seed
    h.run("metadetach d1 d3")
    h.run("metattach d1 d3")
    arm(h, ["panic@resync:40%"])
    with pytest.raises(HostPanic) as down:
        h.advance(24 * 3600)
    job = next(j for j in h.unit("d1").jobs if j.kind == "submirror")
    done = job.done
    assert done / job.total == pytest.approx(0.4, abs=0.01)
    h.crash(down.value)
    job = next(j for j in h.unit("d1").jobs if j.kind == "submirror")
    assert 0 < job.done < done
    assert "Resync in progress" in h.run("metastat d1").stdout


def test_reboot_is_clean(seed):
    """init 6: syslogd logs "going down on signal 15" (cmd/syslogd/syslogd.c); no panic
    or savecore lines."""
    h = seed
    arm(h, ["reboot@before:ufsdump"])
    with pytest.raises(HostPanic) as down:
        h.run("ufsdump 0f /dev/null /home1")
    assert down.value.clean
    h.crash(down.value)
    text = messages_text(h)
    assert "host1 syslogd: going down on signal 15\n" in text
    assert "panic" not in text


def test_clock_jump_moves_time_of_day_only(seed):
    """date(1) stime: the time of day jumps; the disks do no extra work (a resync's
    progress counts elapsed time, not the date)."""
    h = seed
    h.run("metadetach d1 d3")
    h.run("metattach d1 d3")
    arm(h, ["clock-jump,seconds=-3600@time:10"])
    t0 = h.clock.now
    h.advance(60)
    assert h.clock.now == pytest.approx(t0 + 60 - 3600)
    done = h.unit("d1").jobs[0].done
    assert done == pytest.approx(60 * h.md.resync_rate, rel=0.01)


def test_host_kinds_take_no_target(seed):
    from simulator.faults import FaultError
    with pytest.raises(FaultError, match="panic takes no target"):
        arm(seed, ["panic:d1"])
