"""Time nobody looks at is owed and replayed when something looks, and that changes nothing
(issue 17; simulator/ufs/locks.py ``Locks._advance``, ``replay_owed``;
simulator/ufs/filesystems.py ``FileSystem.owe_steps``).

Each test runs the same commands and the same virtual time on two hosts built alike, one
owing what nobody looks at (``fs.owe_unseen``, the default) and one replaying it at once,
and compares every command's output, exit status and the whole saved state after each step:
under every fault kind of the catalogue at the points a backup reaches, on scenarios whose
mirrors are whole, resyncing, offline or in maintenance.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from simulator import Host
from simulator.core.errors import Error, HostHung, HostPanic
from simulator.faults import KINDS, arm
from simulator.host import CommandResult
from simulator.lvm.md.records import Mirror
from simulator.scenario import load_scenario

HOUR = 3600.0


def backup_names(host: Host) -> tuple[str, str, str]:
    """(mirror, its last submirror, mount point) of the first mounted UFS on a mirror."""
    units = host.md.sets[""].units
    for fs in host.fs.mounted_ufs():
        name = fs.device.rsplit("/", 1)[-1]
        m = units.get(name)
        if isinstance(m, Mirror) and len(m.submirrors) > 1 and fs.workload is not None:
            return name, m.submirrors[-1].name, fs.mount
    raise LookupError("no mounted mirror with a workload")


def steps(host: Host, wait: float = HOUR) -> list[str | float]:
    """A split-mirror backup with pauses and looks between (a float: seconds that pass;
    ``wait`` after the attach)."""
    m, sub, mount = backup_names(host)
    return [f"metastat {m}", 30.0, f"lockfs -w {mount}", f"metadetach {m} {sub}",
            f"lockfs -u {mount}", 90.0, f"fsck -n /dev/md/rdsk/{sub}",
            f"ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/{sub}", 600.0, f"lockfs {mount}",
            f"metattach {m} {sub}", 45.0, f"metastat {m}", wait, f"df -k {mount}",
            "metastat", 7200.0, f"lockfs -w {mount}", f"lockfs -u {mount}", HOUR]


def run(host: Host, command: str) -> tuple[object, ...]:
    """``command``'s output and exit status; a host that went down in it (or before it,
    a fault at the call) boots, as a session does, and the panic is the result; a hung
    one is rebooted."""
    try:
        r = host.run(command)
    except HostHung as e:               # (the root write-locked): the operator reboots it
        host.reboot()
        return ("hung", str(e))
    except HostPanic as e:
        host.crash(e)
        got = e.result
        return ("panic", str(e)) + ((got.stdout, got.stderr, got.exit_code)
                                    if isinstance(got, CommandResult) else ())
    return r.stdout, r.stderr, r.exit_code


def run_both(scenario: str, faults: list[str], look_every_step: bool, upto: int = 99,
             wait: float = HOUR) -> None:
    owing = load_scenario(scenario).build_host()
    plain = load_scenario(scenario).build_host()
    plain.fs.owe_unseen = False
    for h in (owing, plain):
        if faults:
            arm(h, faults, seed=7)
    for step in steps(load_scenario(scenario).build_host(), wait)[:upto]:
        if isinstance(step, float):
            for h in (owing, plain):
                try:
                    h.advance(step)
                except HostPanic as e:      # a timed fault took the host down meanwhile
                    h.crash(e)
        else:
            a, b = (run(h, step) for h in (owing, plain))
            assert a == b, (step, faults)
        if look_every_step:
            assert owing.to_dict() == plain.to_dict(), (step, faults)
    assert owing.to_dict() == plain.to_dict(), faults


def fault_specs(scenario: str) -> list[str]:
    host = load_scenario(scenario).build_host()
    m, sub, mount = backup_names(host)
    out = []
    calls = ["after:metadetach", "before:metattach", "time:10m"]
    for i, (name, kind) in enumerate(sorted(KINDS.items())):
        targets = list(kind.targets(host))
        if kind.needs_target and not targets:
            continue
        head = name + (f":{targets[0]}" if targets else "")
        # one of the calls' points in turn, and half way through the dump and the resync
        triggers = [calls[i % len(calls)]]
        triggers += [f"{where}:50%" for where in kind.where if where in ("ufsdump", "resync")]
        out += [f"{head}@{t}" for t in triggers]
    return out


@pytest.mark.parametrize("scenario", ["seed-example", "resyncing", "offline-submirror",
                                      "maintenance", "third-submirror", "hot-spare"])
def test_owed_time_replayed_when_looked_at_is_time_replayed_at_once(scenario: str) -> None:
    """No fault: outputs and the whole state the same, looked at after every step (each
    look settles what is owed) and only at the end (everything owed until then)."""
    run_both(scenario, [], look_every_step=True)
    run_both(scenario, [], look_every_step=False)


@pytest.mark.parametrize("scenario", ["seed-example", "offline-submirror"])
def test_owed_time_under_every_fault_kind(scenario: str) -> None:
    """Every kind of the catalogue at a backup's points (after the detach, before the
    attach or 10 minutes in, in turn; half way through the dump and the resync)."""
    specs = fault_specs(scenario)
    assert len(specs) > 30
    for spec in specs:
        # to the df, a quarter of an hour after the attach (the resync half way)
        run_both(scenario, [spec], look_every_step=False, upto=15, wait=900.0)


def test_an_hour_nobody_looks_at_is_owed_until_something_looks() -> None:
    """After the backup, an hour passes: nothing of it is replayed (the workload has not
    drawn an operation) until ``df`` looks; then it is all there."""
    h = load_scenario("seed-example").build_host()
    for c in ("lockfs -w /home1", "metadetach d1 d3", "lockfs -u /home1",
              "ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/d3", "metattach d1 d3"):
        assert h.run(c).exit_code == 0, c
    fs = h.fs.filesystems["/home1"]
    fs.settle()
    drawn = fs.unsettled("workload").counter
    h.advance(HOUR)
    assert fs.owes
    assert fs.unsettled("workload").counter == drawn
    # whether applications write, and how fast, is answered without replaying anything
    assert fs.written and fs.operations_per_second == pytest.approx(5.2)
    assert fs.owes
    assert h.run("df -k /home1").exit_code == 0          # (its own seconds are owed again)
    assert fs.unsettled("workload").counter > drawn + 5 * HOUR * 0.9   # 5 writes a second


def test_a_mirror_with_an_offline_submirror_is_replayed_at_once() -> None:
    """Writes to a mirror whose submirror is offline decide what it misses (its dirty
    regions), so that time is never owed."""
    h = load_scenario("seed-example").build_host()
    assert h.run("metaoffline d1 d3").exit_code == 0
    h.advance(600.0)
    fs = h.fs.filesystems["/home1"]
    assert not fs.owes
    slot = next(s for s in h.md.sets[""].units["d1"].submirrors if s.name == "d3")
    assert slot.dirty_blocks > 0


# ---------------------------------------------------------------- random administration
COMMANDS = ["metastat d1", "metastat", "lockfs -w /home1", "lockfs -u /home1",
            "lockfs -n /home1", "lockfs -d /home1", "lockfs -f /home1", "lockfs /home1",
            "lockfs -h /home1", "metadetach d1 d3", "metattach d1 d3", "metaoffline d1 d3",
            "metaonline d1 d3", "metaoffline d1 d2", "metaonline d1 d2", "metasync d1",
            "fsck -n /dev/md/rdsk/d3", "ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/d3",
            "ufsdump 0f /dev/rmt/0 /home1", "df -k /home1", "umount /home1",
            "umount -f /home1", "mount /home1", "sync", "metadetach -f d1 d2",
            "metattach d1 d2"]
FAULTS = ["panic@time:5m", "reboot@after:metattach", "disk-fail:c2t0d0@time:2m",
          "component-error:c1t0d0s0@resync:30%", "torn-fs:d3", "lockfs-busy:/home1",
          "tape-eom@ufsdump:40%", "dump-killed@ufsdump:60%", "clock-jump@time:1m",
          "submirror-offline:d3@after:metastat", "slow-disk:c1t0d0"]


class OwedMachine(RuleBasedStateMachine):
    """Two seed hosts, one owing what nobody looks at and one replaying it at once, given
    the same commands, time and faults: every output the same, the whole state the same
    whenever it is looked at."""

    def __init__(self) -> None:
        super().__init__()
        self.owing = load_scenario("seed-example").build_host()
        self.plain = load_scenario("seed-example").build_host()
        self.plain.fs.owe_unseen = False

    @rule(command=st.sampled_from(COMMANDS))
    def command(self, command: str) -> None:
        assert run(self.owing, command) == run(self.plain, command), command

    @rule(seconds=st.sampled_from([0.2, 5.0, 29.0, 31.0, 90.0, 600.0, HOUR]))
    def time_passes(self, seconds: float) -> None:
        for h in (self.owing, self.plain):
            try:
                h.advance(seconds)
            except HostPanic as e:
                h.crash(e)

    @rule(spec=st.sampled_from(FAULTS))
    def fault(self, spec: str) -> None:
        got = []
        for h in (self.owing, self.plain):
            try:
                arm(h, [spec])
                got.append("armed")
            except HostPanic as e:
                h.crash(e)
                got.append(f"panic {e}")
            except Error as e:
                got.append(str(e))
        assert got[0] == got[1], spec

    @rule()
    def look(self) -> None:
        assert self.owing.to_dict() == self.plain.to_dict()

    def teardown(self) -> None:
        self.look()


TestOwedMachine = OwedMachine.TestCase
TestOwedMachine.settings = settings(max_examples=25, stateful_step_count=20, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])
