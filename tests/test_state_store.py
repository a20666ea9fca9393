"""The state directory: round trips, locking between processes, atomic saves under kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simulator import Host
from simulator.state_store import STATE_FILE, StateError, StateStore

REPO = Path(__file__).resolve().parent.parent


def small_host() -> Host:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d0", ["d10", "d20"])
    return h


def test_create_load_round_trip(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "st")
    host = small_host()
    store.create(host)
    assert (tmp_path / "st" / STATE_FILE).is_file()
    again = store.load()
    assert again.to_dict() == host.to_dict()
    assert store.snapshot() == json.loads((tmp_path / "st" / STATE_FILE).read_text())


def test_transaction_saves_only_on_success(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.create(small_host())
    with store.transaction() as host:
        host.advance(60)
    t1 = store.load().clock.now
    with pytest.raises(RuntimeError), store.transaction() as host:
        host.advance(60)
        raise RuntimeError("boom")
    assert store.load().clock.now == t1


@pytest.mark.parametrize("content,message", [
    (b"{not json", "corrupt state (not JSON"),
    (b"[1, 2]", "corrupt state (not an svmsim host)"),
    (b'{"hostname": "h", "md": {}, "version": 99}', "state version 99 is not supported"),
    (b'{"hostname": "h", "md": {}, "version": 1}', "corrupt state (KeyError"),
    (b"\xff\xfe", "corrupt state (not JSON"),
])
def test_corrupt_state_is_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / STATE_FILE).write_bytes(content)
    with pytest.raises(StateError) as info:
        StateStore(tmp_path).load()
    assert message in str(info.value) and str(tmp_path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_state(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="no such state directory"):
        StateStore(tmp_path / "nope").load()
    with pytest.raises(StateError, match="no such state directory"):
        with StateStore(tmp_path / "nope").locked():
            pass
    with pytest.raises(StateError, match="no svmsim state here"):
        StateStore(tmp_path).load()
    (tmp_path / "file").write_text("x")
    with pytest.raises(StateError, match="exists and is not a directory"):
        StateStore(tmp_path / "file").create(small_host())


def test_crash_between_write_and_replace_keeps_old_state(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path)
    store.create(small_host())
    before = store.read_dict()

    def crash(src: str, dst: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StateError, match="cannot write state: Input/output error"):
        with store.transaction() as host:
            host.advance(3600)
    monkeypatch.undo()
    assert store.read_dict() == before
    assert not list(tmp_path.glob(".state.*"))


def test_leftover_temporaries_are_swept(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.create(small_host())
    (tmp_path / ".state.abc.tmp").write_text("{half")
    with store.transaction():
        pass
    assert not list(tmp_path.glob(".state.*"))


SAVER = textwrap.dedent("""
    import sys
    from simulator import Host
    from simulator.state_store import StateStore
    store = StateStore(sys.argv[1])
    hosts = []
    for i in range(2):
        h = Host(f"host{i}")
        h.add_replicas("c0t0d0s7", count=3)
        for n in range(40 * (i + 1)):           # two states of different sizes
            h.add_mirror(f"d{n * 3}", [f"d{n * 3 + 1}", f"d{n * 3 + 2}"])
        hosts.append(h.to_dict())
    print("ready", flush=True)
    i = 0
    while True:
        with store.locked():
            store.write_dict(hosts[i % 2])
        i += 1
        print(i, flush=True)
""")


def test_kill_9_during_saves_never_tears_the_state(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.create(small_host())
    names = {"host1", "host0"}
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for saves in (1, 4, 9, 16, 25):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(tmp_path)],
                                stdout=subprocess.PIPE, env=env)
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        for _ in range(saves):     # the saver keeps going: the kill lands anywhere in a save
            proc.stdout.readline()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        host = store.load()        # never a torn file
        assert host.hostname in names
        assert len(host.md.sets[""].units) in (3, 120, 240)
    with store.transaction():      # the next writer sweeps what the killed one left
        pass
    assert not list(tmp_path.glob(".state.*"))


INCREMENTER = textwrap.dedent("""
    import sys
    from simulator.state_store import StateStore
    store = StateStore(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        with store.transaction() as host:
            host.clock.now += 1.0
""")


def test_concurrent_writers_serialize(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.create(small_host())
    start = store.load().clock.now
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-c", INCREMENTER, str(tmp_path), "15"],
                              env=env) for _ in range(3)]
    assert [p.wait() for p in procs] == [0, 0, 0]
    assert store.load().clock.now == start + 45    # no update lost


def _mirror_d0(data: dict) -> dict:
    return next(u for u in data["md"]["sets"][0]["units"] if u["name"] == "d0")


@pytest.mark.parametrize("damage,message", [
    (lambda d0: d0.update(submirrors=[]), "corrupt state (mirror d0 has no submirrors)"),
    (lambda d0: d0["submirrors"][1].update(name="d99"),
     "corrupt state (mirror d0: submirror d99 does not exist)"),
])
def test_state_breaking_scenario_invariants_is_one_clear_error(tmp_path: Path, damage,
                                                               message: str) -> None:
    store = StateStore(tmp_path)
    store.create(small_host())
    data = store.read_dict()
    damage(_mirror_d0(data))
    store.write_dict(data)
    with pytest.raises(StateError) as info:
        store.load()
    assert str(info.value) == f"{tmp_path / STATE_FILE}: {message}"


def test_lock_does_not_follow_a_planted_symlink(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "st")
    store.create(small_host())
    (tmp_path / "st" / "lock").unlink()
    target = tmp_path / "elsewhere"
    (tmp_path / "st" / "lock").symlink_to(target)        # dangling: O_CREAT would make it
    with pytest.raises(StateError) as info, store.transaction():
        pass
    assert str(info.value) == (f"{tmp_path / 'st' / 'lock'}: cannot open lock: it is a "
                               "symbolic link (not followed)")
    assert not target.exists()
    with pytest.raises(StateError, match="symbolic link"):
        store.snapshot()                                 # readers refuse it too
    assert not target.exists()
