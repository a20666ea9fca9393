"""The metadevice fault kinds: what the real system shows after each (metastat states,
console/messages lines, command messages and exit codes), each test naming its source."""

from __future__ import annotations

import pytest

from simulator import Host
from simulator.core.errors import HostPanic
from simulator.faults import KINDS, FaultError, arm
from simulator.sunos.syslog import messages_text


@pytest.fixture
def h():
    """Mirror d1 = d11 (c1t0d0s0) + d12 (c2t0d0s0); replicas on two slices."""
    h = Host("host1")
    h.add_replicas("c0t0d0s7", "c0t1d0s7", count=2)
    h.add_mirror("d1", ["d11", "d12"])
    return h


def test_every_kind_documented():
    """Each catalogue entry carries its event, what Solaris shows, and illumos sources."""
    for kind in KINDS.values():
        if kind.name.startswith("test-"):
            continue
        assert kind.summary and kind.event.endswith(".") and kind.shows
        assert kind.sources, kind.name
        assert kind.target in ("component", "disk", "submirror", "mirror", "filesystem",
                               "database", "device", "tape", "command", "host")


def test_component_error_maintenance(h):
    """mirror.c set_sm_comp_state: the component goes to Maintenance when the other
    submirror holds a good copy; md_mirror logs "md: d12: c2t0d0s0 needs maintenance"
    (kern.warning), metastat says Invoke: metareplace."""
    arm(h, ["component-error:c2t0d0s0"])
    out = h.run("metastat d1").stdout
    assert "State: Needs maintenance" in out
    assert "Invoke: metareplace d1 c2t0d0s0 <new device>" in out
    assert "c2t0d0s0          0     No     Maintenance   Yes" in out
    assert "md_mirror: [ID 104909 kern.warning] WARNING: md: d12: c2t0d0s0 needs " \
           "maintenance" in messages_text(h)


def test_component_error_last_erred_without_other_copy(h):
    """mirror.c: with no other good copy (d12 already in maintenance), the error leaves the
    component Last Erred ("md: d11: c1t0d0s0 last erred")."""
    arm(h, ["component-error:c2t0d0s0", "component-error:c1t0d0s0,op=read@after:metastat"])
    h.run("metastat d1")
    out = h.run("metastat d1").stdout
    assert "Last Erred" in out
    assert "WARNING: md: d11: c1t0d0s0 last erred" in messages_text(h)


def test_component_error_hot_spare_takes_over(h):
    """hotspares.c check_comp_4_hotspares: an Available spare of the submirror's pool
    replaces the erred component and resyncs (metastat: Resyncing, Hot Spare column)."""
    h2 = Host("host1")
    h2.add_replicas("c0t0d0s7", count=3)
    h2.add_hsp("hsp001", "c4t0d0s0")
    h2.add_stripe("d11", "c1t0d0s0", hsp="hsp001")
    h2.add_stripe("d12", "c2t0d0s0", hsp="hsp001")
    h2.add_mirror("d1", ["d11", "d12"])
    arm(h2, ["component-error:c2t0d0s0"])
    out = h2.run("metastat d12").stdout
    assert "Resyncing" in out and "c4t0d0s0" in out
    assert "hsp001: 1 hot spare" in h2.run("metastat hsp001").stdout
    assert "In use" in h2.run("metastat hsp001").stdout


def test_transient_component_error_slice_recovers_state_stays(h):
    """A transient error: the slice answers again after duration=, but the Maintenance state
    stays until metareplace -e (mirror.c: the state is only cleared by a replace/enable)."""
    plan = arm(h, ["component-error:c2t0d0s0,duration=1m"])
    assert h.md.read_error("c2t0d0s0") is None        # op=write: reads still work
    assert h.md.bad_slices == {"c2t0d0s0": "write"}
    h.advance(120)
    assert h.md.bad_slices == {}
    assert [e.event for e in plan.log] == ["fired", "expired"]
    assert "Maintenance" in h.run("metastat d1").stdout
    r = h.run("metareplace -e d1 c2t0d0s0")
    assert r.exit_code == 0, r.stderr


def test_disk_fail_under_detached_submirror(h):
    """A disk failing under a detached submirror: the model answers reads of it with EIO
    ("I/O error", strerror), which fsck and ufsdump print as their sources do; metattach
    then resyncs onto the dead disk and the resync fails (mirror_resync.c): needs
    maintenance."""
    assert h.run("metadetach d1 d12").exit_code == 0
    arm(h, ["disk-fail:c2t0d0"])
    assert h.md.read_error("d12") == "I/O error"
    assert h.md.read_error("/dev/md/rdsk/d12") == "I/O error"
    assert h.md.read_error("d1") is None          # d11 still serves the mirror
    assert h.run("metattach d1 d12").exit_code == 0
    out = h.run("metastat d1").stdout
    assert "Needs maintenance" in out
    assert "WARNING: md: d12: c2t0d0s0 needs maintenance" in messages_text(h)


def test_disk_fail_replicas_flagged(h):
    """md_mddb.c: replicas on the failed disk get write errors; metadb shows W."""
    arm(h, ["disk-fail:c0t1d0"])
    out = h.run("metadb").stdout
    assert out.count("      W   p  l") == 2


def test_slow_disk_slows_resync(h):
    """mirror_resync.c resync_unit: the resync goes at its I/O's pace; factor=4 on the
    target's disk makes it take four times as long."""
    h.run("metadetach d1 d12")
    h.run("metattach d1 d12")
    fast = h.md.next_completion()
    arm(h, ["slow-disk:c2t0d0,factor=4"])
    assert h.md.next_completion() == pytest.approx(4 * fast)
    assert h.md.io_factor("d1") == 4.0 and h.md.io_factor("d11") == 1.0
    with pytest.raises(FaultError, match="factor=0.5: at least 1"):
        arm(h, ["slow-disk:c2t0d0,factor=0.5"])


def test_submirror_offline(h):
    """mirror_ioctl.c mirror_offline: the submirror needs maintenance, metastat "Invoke:
    metaonline d1 d12" (as metaoffline leaves it); clearing the fault onlines it."""
    plan = arm(h, ["submirror-offline:d12"])
    out = h.run("metastat d1").stdout
    assert "Invoke: metaonline d1 d12" in out
    plan.clear(1)
    assert "metaonline" not in h.run("metastat d1").stdout


@pytest.mark.parametrize("error,stderr", [
    ("resync", "metadetach: host1: d1: resync in progress\n\n"),
    ("erred", "metadetach: host1: d1: attempt an operation on a submirror that has erred "
              "components\n\n"),
    ("stale", "metadetach: host1: stale databases\n\n"),
])
def test_metadetach_refused(h, error, stderr):
    """mirror_ioctl.c mirror_detach's refusals, printed by meta_error.c mde_perror with
    the texts of meta_error.c; exit 1; only the next metadetach; nothing changes."""
    arm(h, [f"metadetach-refused:d1,error={error}@before:metadetach"])
    r = h.run("metadetach d1 d12")
    assert (r.exit_code, r.stderr) == (1, stderr)
    assert h.submirrors("d1") == ["d11", "d12"]
    assert h.run("metadetach d1 d12").exit_code == 0


def test_metattach_refused(h):
    """meta_mirror.c meta_check_submirror / mirror_attach: "metadevice is open" names the
    submirror; the submirror stays detached."""
    h.run("metadetach d1 d12")
    arm(h, ["metattach-refused,error=open"])
    r = h.run("metattach d1 d12")
    assert (r.exit_code, r.stderr) == (1, "metattach: host1: d12: metadevice is open\n\n")
    assert h.submirrors("d1") == ["d11"]


def test_metadb_quorum_lost_panics_at_next_change_then_stale(h):
    """md_subr.c mddb_commitrec_wrapper: a commit with fewer than half the replicas panics
    ("md: Panic due to lack of DiskSuite state database replicas..."); after boot md.c
    md_snarf logs "md: state database is stale" and changes are refused ("stale
    databases"; metainit exit 66, meta_setup_db_locations)."""
    arm(h, ["metadb-quorum-lost:c0t1d0s7"])
    assert h.run("metastat d1").exit_code == 0          # reads still work
    with pytest.raises(HostPanic, match="lack of DiskSuite state") as down:
        h.run("metadetach d1 d12")
    h.crash(down.value)
    assert h.submirrors("d1") == ["d11", "d12"]         # the change was never committed
    assert "md: [ID 968746 kern.warning] WARNING: md: state database is stale" in \
        messages_text(h)
    r = h.run("metadetach d1 d12")
    assert (r.exit_code, r.stderr) == (1, "metadetach: host1: stale databases\n\n")
    assert h.run("metainit d5 1 1 c5t0d0s0").exit_code == 66
    assert "Stale state database replicas" in h.run("metastat").stdout


def test_the_disk_reports_the_failed_request_before_md():
    """sd's report (illumos scsi_subr.c scsi_vu_errmsg via v_scsi_log's "%s\\t%s", msgid
    107833) precedes md's needs-maintenance line: the path and instance name the disk."""
    from simulator import build_host
    from simulator.faults import arm
    from simulator.sunos.syslog import messages_text
    host = build_host("seed-example")
    arm(host, ["component-error:c2t0d0s0,op=read"])
    lines = messages_text(host).splitlines()
    sd = [i for i, ln in enumerate(lines) if "scsi: [ID 107833 kern.warning] WARNING:" in ln]
    md = [i for i, ln in enumerate(lines) if "needs maintenance" in ln]
    assert sd and md and sd[0] < md[0]
    first = lines[sd[0]]
    assert first.endswith("/pci@1c,600000/scsi@4/sd@0,0 (sd2):")
    assert lines[sd[0] + 1].split(" ", 4)[4] == \
        "\tError for Command: read(10)                Error Level: Fatal"
    assert "Sense Key: Media Error" in lines[sd[0] + 4]
    assert lines[sd[0] + 5].endswith("\tASC: 0x11 (unrecovered read error), ASCQ: 0x0, FRU: 0x0")
    # the column is scsi_vu_errmsg's: the right half starts at column 43
    body = lines[sd[0] + 2].split("\t", 1)[1]
    assert body.index("Error Block:") == 43
