"""Input bounds: scenario limits, non-regular files, the state loader's invariants, the
lock file, and the workload replay's cost (issue 8, "Bounds"; the hostile-driver report
shared/reports/hostile-probe-2b802bd.md, D5, D9-D14).

Hostile inputs here target no file of the machine but the FIFOs, links and state
directories each test makes; each checks the file a link points to is unchanged (sha256),
and the cases that could hang run in a child process with a timeout, so no process of the
test survives it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.cli import main as svmsim
from simulator.scenario import build_host, parse_scenario
from simulator.state_store import StateError, StateStore
from simulator.ufs.workload import ROLL_DELAY

SEED_TEXT = (Path(__file__).resolve().parents[2] / "scenarios" / "seed-example.toml").read_text()


def init(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = svmsim(["init", "--scenario", str(path), "--state", str(tmp_path / "st"), "-q"])
    return code, capsys.readouterr().err


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------- scenarios
@pytest.mark.parametrize("old, new, message", [
    ('size = "20GB"', 'size = "' + "9" * 400 + 'TB"',
     "filesystem[0].size: size is too large (got '99999...999TB' (400 digits))"),
    ('size = "36GB"', "size = 1e308", "disk[0].size: size is larger than 18014398509481983 "
     "blocks, the most a device can address (off_t) (got 1e+308)"),
    ('start = "2026-11-24T02:00:00Z"', "start = nan", "host.start: must be from "
     "1970-01-01T00:00:00Z to 2038-01-19T03:14:07Z (epoch 0 to 2147483647: UFS and ufsdump "
     "keep 32-bit times) (got nan)"),
    ('start = "2026-11-24T02:00:00Z"', "start = 1e300", "host.start: must be from "
     "1970-01-01T00:00:00Z to 2038-01-19T03:14:07Z (epoch 0 to 2147483647: UFS and ufsdump "
     "keep 32-bit times) (got 1e+300)"),
    ("files = 2000", "files = 10000000",
     "filesystem[0].files: must be from 0 to 1000000 (got 10000000)"),
    ("writes_per_second = 5.0", "writes_per_second = 1e300", "filesystem[0].workload."
     "writes_per_second: must be at most 1000 operations per second (got 1e+300)"),
    ('resync_rate = "20MB/s"', "resync_rate = 1e-300",
     "host.resync_rate: must be at least 1 block per second (got 1e-300)"),
    ('outcome = ["backed-up"]', 'outcome = ["backed-up"]\ndriver_exit = "sometimes"',
     "expect.driver_exit: must be \"zero\", \"nonzero\" or an exit status (got 'sometimes')"),
    ("[expect]", '[setup]\nadvance = "' + "9" * 400 + 's"\n[expect]',
     "setup.advance: duration is too large (got '99999...9999s' (400 digits))"),
    ("[expect]", "[setup]\nadvance = 1e300\n[expect]", "setup.advance: duration is longer "
     "than 2147483647 seconds (68 years, what a 32-bit time_t spans) (got 1e+300)"),
    ("[expect]", '[setup]\nadvance = "20000d"\n[expect]', "setup.advance: takes the clock "
     "past 2038-01-19T03:14:07Z (epoch 2147483647: UFS and ufsdump keep 32-bit times)"),
    ("[expect]", "[scenario2]\na = " + "[" * 100_000 + "]" * 100_000 + "\n[expect]",
     "scenario2.a: arrays and tables nest more than 8 deep"),
    ("[expect]", "[scenario2]\na = " + "{x=" * 50_000 + "1" + "}" * 50_000 + "\n[expect]",
     "scenario2.a: arrays and tables nest more than 8 deep"),
    ("[expect]", "[scenario2]\na = [[[[[[[[[[1]]]]]]]]]]\n[expect]",
     "scenario2.a[0][0][0][0][0][0][0]: arrays and tables nest more than 8 deep"),
    ('hostname = "host1"', "hostname = " + "9" * 5000,
     "host.hostname: a number with thousands of digits (too large)"),
    ("[[tape]]", '[[filesystem]]\nmount = "/home2"\ndevice = "/dev/md/dsk/d1"\n[[tape]]',
     "filesystem[1].device: /dev/md/dsk/d1 already holds the file system mounted on /home1"),
    ("[[tape]]", '[[filesystem]]\nmount = "/home2"\ndevice = "/dev/md/dsk/d3"\n[[tape]]',
     "filesystem[1].device: d3 is a submirror of d1 (put the file system on the metadevice "
     "it is part of)"),
    ("[[tape]]", '[[filesystem]]\nmount = "/x"\ndevice = "/dev/dsk/c1t0d0s0"\n[[tape]]',
     "filesystem[1].device: c1t0d0s0 is a component of d2 (put the file system on the "
     "metadevice it is part of)"),
    ("[expect]", '[setup]\ncommands = ["lockfs -w /"]\n[expect]', "setup: leaves the host "
     "hung (root file system write-locked): no command could run on it"),
])
def test_a_scenario_beyond_the_bounds_gets_one_line_and_exit_2(
        old: str, new: str, message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Each probe of report D10/D11 (400-digit sizes, nan, deep nesting, "sometimes", two file
    systems on one metadevice, one on a submirror, a setup that hangs the host...): svmsim
    init exits 2 with one line naming the file and the key, in well under a second; the
    bounds are the ones schema.py and core/units.py state (off_t, time32_t, model cost)."""
    assert old in SEED_TEXT
    path = tmp_path / "x.toml"
    path.write_text(SEED_TEXT.replace(old, new, 1))
    t0 = time.monotonic()
    code, err = init(path, tmp_path, capsys)
    assert time.monotonic() - t0 < 3
    assert (code, err) == (2, f"svmsim: {path}: {message}\n")
    assert not (tmp_path / "st").exists()


def test_the_bounds_themselves_are_accepted() -> None:
    """The largest values within the bounds load (and a 2037 start builds a host)."""
    text = SEED_TEXT.replace("files = 2000", "files = 1000000") \
        .replace('start = "2026-11-24T02:00:00Z"', 'start = "2037-12-31T00:00:00Z"') \
        .replace("writes_per_second = 5.0", "writes_per_second = 1000")
    sc = parse_scenario(text, "x.toml")
    assert sc.filesystems[0].files == 1_000_000
    assert sc.host.start == 2145830400.0


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "big"])
def test_a_scenario_that_is_not_a_small_regular_file_is_refused(
        kind: str, tmp_path: Path) -> None:
    """A FIFO (report D12: hung 60 s), /dev/zero, a directory or a file over 4 MB as the
    scenario: refused at once, exit 2, one line; run in a child with a timeout so a hang
    fails instead of blocking (and leaves no process behind)."""
    path = tmp_path / "s.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    else:
        path.write_text(SEED_TEXT + "# " + "x" * (5 << 20) + "\n")
    what = {"fifo": "not a regular file (it is a FIFO)",
            "device": "not a regular file (it is a device)",
            "directory": "not a regular file (it is a directory)", "big": "larger than 4 MB"}
    res = subprocess.run([sys.executable, "-m", "simulator.cli", "init", "--scenario",
                          str(path), "--state", str(tmp_path / "st")],
                         capture_output=True, text=True, timeout=30)
    assert (res.returncode, res.stderr) == (
        2, f"svmsim: {path}: cannot read scenario: {what[kind]}\n")


# ---------------------------------------------------------------------------- state
def saved_state(tmp_path: Path) -> StateStore:
    store = StateStore(tmp_path / "st")
    store.create(build_host("seed-example"))
    return store


def edit(store: StateStore, change: object) -> None:
    data = json.loads(store.path.read_text())
    change(data)           # type: ignore[operator]
    store.path.write_text(json.dumps(data))


def _units(data: dict) -> dict:
    sets = data["md"]["sets"]
    local = sets[0] if isinstance(sets, list) else sets[""]
    units = local["units"]
    return {u["name"]: u for u in units} if isinstance(units, list) else units


def _set(field: str, value: object, unit: str = "d1") -> object:
    return lambda d: _units(d)[unit].__setitem__(field, value)


@pytest.mark.parametrize("change, problem", [
    (_set("submirrors", []), "mirror d1 has no submirrors"),
    (lambda d: _units(d)["d1"]["submirrors"][0].__setitem__("name", "d77"),
     "mirror d1: submirror d77 does not exist"),
    (lambda d: _units(d)["d1"]["submirrors"][0].__setitem__("state", 999),
     "mirror d1: submirror d2 has an unknown state 999"),
    (lambda d: _units(d)["d1"]["submirrors"].append(dict(_units(d)["d1"]["submirrors"][0])),
     "d2 is a submirror of both d1 and d1"),
    (_set("parent", "d2", unit="d1"), "d2 is part of itself (parents form a cycle)"),
    (_set("parent", "d9", unit="d1"), "d1: parent d9 does not exist"),
    (_set("rows", [], unit="d2"), "d2 has an empty row or no rows"),
    (_set("read_option", "fast"), "mirror d1: unknown read or write option"),
    (lambda d: d.__setitem__("hostname", 5), "hostname 5 is not a host name"),
    (lambda d: d["clock"].__setitem__("timezone", "Mars/Olympus"),
     "unknown time zone 'Mars/Olympus'"),
    (lambda d: d["clock"].__setitem__("now", 1e308), "clock 1e+308 is not a date from 1970 "
     "to 9999"),
])
def test_the_state_loader_checks_what_the_scenario_loader_checks(
        change: object, problem: str, tmp_path: Path) -> None:
    """Report D13: hand-edited states that loaded and printed "Okay" (no submirrors, a
    dangling or duplicated submirror, state 999, a parent cycle, an empty stripe, a bad
    host name or time zone, clock 1e308) are corrupt state, one line (the CLI exits 2)."""
    store = saved_state(tmp_path)
    edit(store, change)
    with pytest.raises(StateError) as e:
        store.load()
    assert str(e.value) == f"{store.path}: corrupt state ({problem})"


def test_resync_done_beyond_total_is_corrupt(tmp_path: Path) -> None:
    """Report D13: resync done 50 > total 10 loaded silently; a resync is 0 <= done <= total
    (resync_unit in mirror_resync.c counts up to the unit's size)."""
    store = StateStore(tmp_path / "st")
    host = build_host("resyncing")
    store.create(host)
    data = json.loads(store.path.read_text())
    job = next(u for u in _units(data).values() if u.get("jobs"))["jobs"][0]
    job["done"] = job["total"] + 40
    store.path.write_text(json.dumps(data))
    with pytest.raises(StateError, match=r"resync done \d+ is not within 0 to \d+"):
        store.load()


def test_deep_json_and_other_versions_are_corrupt_state(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Report D13: 100,000-deep JSON exited 70 (RecursionError); ``svmsim state`` printed any
    object with hostname and md. Both exit 2 in one line now."""
    store = saved_state(tmp_path)
    store.path.write_text("[" * 100_000 + "]" * 100_000)
    assert svmsim(["state", "--state", str(store.dir)]) == 2
    assert capsys.readouterr().err == (f"svmsim: {store.path}: corrupt state (JSON nested "
                                       "too deeply)\n")
    store.path.write_text('{"hostname": "h", "md": {}, "version": 2}')
    assert svmsim(["state", "--state", str(store.dir)]) == 2
    assert "state version 2 is not supported" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["fifo", "device", "symlink"])
def test_state_json_that_is_not_a_regular_file_is_refused_without_hanging(
        kind: str, tmp_path: Path) -> None:
    """Report D12: state.json as a FIFO hung exec while holding the lock; /dev/zero was read
    to 1.87 GB. Now each is refused at once (the link is not followed: its target, a file of
    this test, is unchanged), and the lock is free for the next exec."""
    store = saved_state(tmp_path)
    secret = tmp_path / "secret.json"
    secret.write_text(store.path.read_text())
    before = sha(secret)
    store.path.unlink()
    if kind == "fifo":
        os.mkfifo(store.path)
    else:
        store.path.symlink_to("/dev/zero" if kind == "device" else secret)
    cmd = [sys.executable, "-m", "simulator.cli", "exec", "--state", str(store.dir), "--",
           "metastat", "-c"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    reason = "it is a symbolic link (not followed)" if kind != "fifo" \
        else "not a regular file"
    assert (res.returncode, res.stderr) == (2, f"svmsim: {store.path}: cannot read: "
                                               f"{reason}\n")
    assert sha(secret) == before
    with store.locked():      # not left held
        pass


def test_a_lock_symlink_is_refused_and_its_target_never_created(tmp_path: Path) -> None:
    """Report D9: a dangling DIR/lock link made root create its target. The lock is opened
    with O_NOFOLLOW: refused, the target still does not exist, state.json unchanged."""
    store = saved_state(tmp_path)
    target = tmp_path / "created-through-link"
    store.lock_path.unlink(missing_ok=True)
    store.lock_path.symlink_to(target)
    before = sha(store.path)
    with pytest.raises(StateError, match="it is a symbolic link"):
        with store.transaction():
            pass
    assert not target.exists() and sha(store.path) == before


# ---------------------------------------------------------------------------- workload cost
def test_a_16tb_dump_replays_the_workload_once(tmp_path: Path) -> None:
    """Report D14: ufsdump of big-16tb cost 12 s of CPU replaying 1,017,166 workload
    operations over 390 clock steps. The writer holds the workload and makes the 64
    virtual hours one stretch, sampled as any long stretch is (ufs/locks.py, workload.py):
    a fraction of a second, the output as before, and the workload did run (every write
    counted, the live file system moved on while the dump was written)."""
    host = build_host("big-16tb")
    host.run("df -k")                     # the file system's entries drawn once, beforehand
    fs = host.fs.filesystems["/export/archive"]
    assert fs.workload is not None
    counter = fs.workload.counter
    start = host.clock.now
    t0 = time.process_time()
    res = host.run(f"ufsdump 0f {tmp_path}/x.dump /dev/md/rdsk/d100", cwd=str(tmp_path))
    took = time.process_time() - t0
    assert res.exit_code == 0 and res.stderr.endswith("  DUMP: DUMP IS DONE\n")
    assert took < 3.0, f"{took:.1f} s of CPU"
    ops = fs.workload.counter - counter
    assert ops == pytest.approx(fs.workload.writes_per_second * (host.clock.now - start), abs=2)
    assert len(fs.pending) <= fs.workload.writes_per_second * ROLL_DELAY + 1   # the tail only
    moved = [e for e in fs.live.overlay.values() if e is not None and e.mtime > start]
    assert 0 < len(moved) <= ops
    assert not fs.workload.held and fs.workload.owed_from is None


def test_a_held_workload_still_misses_an_offline_submirror(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes made while a submirror is offline are counted as it misses them, step by
    step (mirrors.py _diverge_stale_submirrors): such a file system is not held, so a dump
    during it leaves the same dirty count and files as a dump without any hold."""
    def after_dump() -> tuple[int, int]:
        host = build_host("seed-example")
        assert host.run("metaoffline d1 d4").exit_code == 0
        res = host.run(f"ufsdump 0f {tmp_path}/y.dump /dev/md/rdsk/d1", cwd=str(tmp_path))
        assert res.exit_code == 0
        m = host.md.sets[""].units["d1"]
        dirty = next(s.dirty_blocks for s in m.submirrors  # type: ignore[attr-defined]
                     if s.name == "d4")
        return dirty, len(list(host.fs.filesystems["/home1"].live.entries()))
    held = after_dump()
    from simulator.ufs.filesystems import FileSystems
    monkeypatch.setattr(FileSystems, "long_stretch", lambda self: contextlib.nullcontext())
    assert after_dump() == held and held[0] > 0
