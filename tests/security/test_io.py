"""Hostile drivers against the shim transport: files, the socket, frames, bytes.

Source of every case: the hostile-driver report ``reports/hostile-probe-2b802bd.md`` (D1
ufsdump writes/deletes host files as root, D2 another user drives a root run, D5 1 GB piped
into ``ufsrestore tf -``, D8 non-UTF-8 argv, D16 ``SLEEP 1e300``) and issue 8 ("Every file a
fake command opens is opened as the driver, in the driver's view"; "The socket answers only
its run"). Each hostile run checks that the machine's files it aims at are unchanged (sha256
before and after), that no process of the run outlives it, and that the verdict is the one
the same driver gets without the attack. The root-only cases need root (the harness then runs
the driver as uid 65534; a second local user is played with ``setpriv``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.core.registry import PROGRAMS
from simulator.harness import protocol as P
from simulator.harness.runner import HarnessRun
from simulator.harness.sandbox import SandboxResult
from simulator.scenario import load_scenario
from simulator.session.verdict import RunResult

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "simulator" / "harness" / "shim_client.py"
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="the root harness cases need root")
SYSTEM_PYTHON = "/usr/bin/python3"


def sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def survivors(run: HarnessRun) -> list[int]:
    """Processes of ``run`` still alive: those whose environment names its socket (other
    engineers' runs share the machine, so a uid says nothing)."""
    assert run.sandbox is not None
    mark = f"{P.SOCKET_ENV}={run.sandbox.socket_path}".encode()
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                env = Path(f"/proc/{name}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if mark in env:
                out.append(int(name))
    return out


def drive(script: str, **kw: object) -> tuple[RunResult, SandboxResult]:
    """Run ``sh -c script`` on seed-example; no process of the run may survive it."""
    run = HarnessRun(load_scenario("seed-example"), ["sh", "-c", script], timeout=60)
    result, proc = run.run(capture=True, **kw)  # type: ignore[arg-type]
    assert survivors(run) == []
    return result, proc


def held(result: RunResult) -> dict[str, bool]:
    return {c.name: c.held for c in result.checks}


@pytest.fixture
def vault() -> Iterator[Path]:
    """A root-only directory (0700) holding files the driver must not touch."""
    d = Path(tempfile.mkdtemp(prefix="svmsim-vault-"))
    (d / "file").write_text("ORIGINAL\n")
    (d / "del").write_text("KEEP ME\n")
    os.chmod(d / "file", 0o600)
    try:
        yield d
    finally:
        shutil.rmtree(d)


@pytest.fixture
def shared() -> Iterator[Path]:
    """A world-writable sticky directory (as /tmp is) the driver may write in."""
    d = Path(tempfile.mkdtemp(prefix="svmsim-shared-"))
    os.chmod(d, 0o1777)
    try:
        yield d
    finally:
        shutil.rmtree(d)


@pytest.fixture
def probe_dir() -> Iterator[Path]:
    """Probe scripts uid 65534 can read: the shim client's own file-request answering. They
    live under the machine's /var/lib, which the driver's view shows read-only (its /tmp is
    fresh and private to the run)."""
    d = Path(tempfile.mkdtemp(prefix="svmsim-probe-", dir="/var/lib"))
    os.chmod(d, 0o755)
    shutil.copy2(CLIENT, d / "shim_client.py")
    (d / "frames.py").write_text(FRAMES)
    for p in d.iterdir():
        os.chmod(p, 0o644)
    try:
        yield d
    finally:
        shutil.rmtree(d)


# A driver-side probe: sends hand-made frames to the run's socket.
FRAMES = r'''
import os, socket, struct, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shim_client as C

def s(v):
    v = os.fsencode(v)
    return struct.pack("<I", len(v)) + v

def call(argv, uid, cwd, sock_path=None):
    body = struct.pack("<III", uid, 7, len(argv)) + b"".join(s(a) for a in argv)
    body += struct.pack("<I", 0) + s(cwd)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sock_path or os.environ.get("SVMSIM_SOCKET") or "/usr/lib/svmsim/run/svmsim.sock")
    sock.sendmsg([struct.pack("<4sII", b"SVMQ", 1, len(body))],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("3i", 0, 1, 2))])
    sock.sendall(body)
    while True:
        head = sock.recv(4)
        if head != b"SVMF":
            break
        C._file_request(sock)
    rest = b""
    while head and len(head + rest) < 16:
        chunk = sock.recv(16 - len(head + rest))
        if not chunk:
            break
        rest += chunk
    return head + rest

what = sys.argv[1]
if what == "forged":
    print("reply", call(["/usr/sbin/metastat", "-i"], 4242, "/etc")[:4], flush=True)
    print("reply", call(["/usr/sbin/ufsdump", "0f", "forged.dump", "/dev/md/rdsk/d1"],
                        4242, "/etc")[:4], flush=True)
elif what == "sleep":
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.environ["SVMSIM_SOCKET"])
    sock.sendall(struct.pack("<4sIId", b"SVMQ", 2, 8, 1e300))
    print("reply", len(sock.recv(16)), flush=True)
elif what == "outsider":
    try:
        print(call(["/usr/sbin/metastat", "-p"], 0, "/", sys.argv[2]), flush=True)
    except OSError as e:
        print(type(e).__name__, flush=True)
'''


# -- files are opened as the driver, in the driver's view ----------------------------------
@needs_root
def test_ufsdump_cannot_overwrite_or_delete_a_root_only_file(vault: Path) -> None:
    """D1: ``ufsdump 0f /root-only/file`` and ``ufsdump 0aZ /root-only/del`` (the abort
    unlinks the ``a`` file) act as the driver: "Cannot open" / nothing removed."""
    before = {p: sha(p) for p in (vault / "file", vault / "del")}
    result, proc = drive(f"ufsdump 0f {vault}/file /dev/md/rdsk/d1; echo rc=$?;"
                         f" ufsdump 0aZ {vault}/del /dev/md/rdsk/d1; echo rc=$?")
    assert {p: sha(p) for p in before} == before
    assert os.stat(vault / "file").st_uid == 0
    assert proc.stdout == b"rc=3\nrc=3\n"
    assert b"Cannot open `host1:" + str(vault).encode() + b"/file'" in (proc.stderr or b"")
    base, _ = drive("ufsdump 0f /nonexistent/x /dev/md/rdsk/d1; echo rc=$?;"
                    " ufsdump 0aZ /nonexistent/y /dev/md/rdsk/d1; echo rc=$?")
    assert held(result) == held(base)


@needs_root
def test_relative_dump_lands_in_the_drivers_cwd_not_the_harness(vault: Path,
                                                                 tmp_path: Path) -> None:
    """D1: ``ufsdump 0f x.dump`` is the driver's cwd's ``x.dump``, created by the driver
    in its own view: the harness's cwd is a root-only directory the driver cannot enter, so
    it starts in its own ``/``; both dumps land in the run and the machine's directories are
    as they were."""
    here = os.getcwd()
    os.chdir(vault)
    try:
        run = HarnessRun(load_scenario("seed-example"), [
            "sh", "-c", "ufsdump 0f x.dump /dev/md/rdsk/d1 >/dev/null 2>&1; echo rc=$?;"
            " cd /tmp && ufsdump 0f x.dump /dev/md/rdsk/d1 >/dev/null 2>&1; echo rc=$?"],
            timeout=60, keep=tmp_path)
        result, proc = run.run(capture=True)
    finally:
        os.chdir(here)
    assert survivors(run) == []
    assert proc.stdout == b"rc=0\nrc=0\n"
    assert sorted(os.listdir(vault)) == ["del", "file"] and not os.path.exists("/x.dump")
    assert sha(vault / "file") == hashlib.sha256(b"ORIGINAL\n").hexdigest()
    assert result.left_files == ["/tmp/x.dump", "/x.dump"]
    for where in result.left_files:
        kept = tmp_path / where.lstrip("/")
        assert kept.read_bytes().startswith(b"svmsim-ufsdump-archive")
    assert [c.cwd for c in result.transcript.calls] == ["/", "/tmp"]


@needs_root
def test_dump_to_backup_is_where_the_drivers_view_says() -> None:
    """D1: ``ufsdump 0f /backup/x.dump`` opens the driver's ``/backup`` (whatever its root
    shows), never the machine's: the machine's /backup is as it was, and the driver
    finds the archive there exactly when ufsdump said it wrote it."""
    host_before = os.path.lexists("/backup"), sha(Path("/backup/x.dump"))
    result, proc = drive("ufsdump 0f /backup/x.dump /dev/md/rdsk/d1 >/dev/null 2>&1;"
                         " echo rc=$?; head -c 22 /backup/x.dump 2>/dev/null; echo")
    assert (os.path.lexists("/backup"), sha(Path("/backup/x.dump"))) == host_before
    rc, seen = proc.stdout.decode().splitlines()
    assert (rc == "rc=0") == (seen == "svmsim-ufsdump-archive")
    assert held(result)["no-hang"]


# -- the socket answers only its run ------------------------------------------------------
@needs_root
def test_other_users_and_outsiders_are_refused(probe_dir: Path) -> None:
    """D2: while a root run waits, uid 1002 cannot reach its socket (0700 directory), and a
    process of the driver's own uid outside the run, or root, gets no answer (SO_PEERCRED:
    not a process of the run); the run's transcript and verdict are the driver's own."""
    if not os.path.exists(SYSTEM_PYTHON) or not shutil.which("setpriv"):
        pytest.skip("needs /usr/bin/python3 and setpriv")
    r, w = os.pipe()
    run = HarnessRun(load_scenario("seed-example"),
                     ["sh", "-c", "metastat -c >/dev/null; read x; metastat -p"], timeout=60)
    box: dict[str, object] = {}
    t = threading.Thread(target=lambda: box.update(out=run.run(capture=True, stdin=r)))
    t.start()
    try:
        deadline = time.monotonic() + 30
        while not run.transcript.calls and time.monotonic() < deadline:
            time.sleep(0.02)
        assert run.sandbox is not None
        sock = str(run.sandbox.socket_path)
        stat_dir = os.stat(os.path.dirname(sock))
        assert stat_dir.st_mode & 0o777 == 0o700 and stat_dir.st_uid == 65534

        def probe(uid: int) -> str:
            cmd = [SYSTEM_PYTHON, "-IS", str(probe_dir / "frames.py"), "outsider", sock]
            if uid:
                cmd = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *cmd]
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20,
                                  stdin=subprocess.DEVNULL).stdout.strip()

        assert probe(1002) == "PermissionError"
        unanswered = {"b''", "BrokenPipeError", "ConnectionResetError"}
        assert probe(65534) in unanswered
        assert probe(0) in unanswered
    finally:
        os.write(w, b"go\n")
        os.close(w)
        t.join(60)
        os.close(r)
    result, proc = box["out"]  # type: ignore[misc]
    assert [c.argv for c in result.transcript.calls] == [["metastat", "-c"], ["metastat", "-p"]]
    assert b"d1 -m d2 d3" in proc.stdout
    assert survivors(run) == []


def test_forged_uid_and_cwd_are_ignored(probe_dir: Path, tmp_path: Path) -> None:
    """D2: a request's uid (4242) and cwd (/etc) are not believed: ``metastat -i`` runs as
    the driver's root, ``ufsdump 0f forged.dump`` writes into the caller's real cwd, and
    the transcript shows the kernel's cwd."""
    if not os.path.exists(SYSTEM_PYTHON):
        pytest.skip("needs /usr/bin/python3")
    run = HarnessRun(load_scenario("seed-example"), [
        "sh", "-c", f"mkdir /tmp/w && cd /tmp/w && {SYSTEM_PYTHON} -IS {probe_dir}/frames.py"
        " forged"], timeout=60, keep=tmp_path)
    result, proc = run.run(capture=True)
    assert survivors(run) == []
    calls = result.transcript.calls
    assert [c.cwd for c in calls] == ["/tmp/w"] * 2
    assert b"root privilege" not in proc.stderr and b"root privilege" not in proc.stdout
    assert calls[0].exit_code == 0
    assert (tmp_path / "tmp/w/forged.dump").read_bytes().startswith(b"svmsim-ufsdump-archive")
    assert proc.stdout.count(b"reply b'SVMR'") == 2


# -- bounds ----------------------------------------------------------------------------------
STREAM = r"""
import resource, sys
from simulator.harness.runner import run_driver
r = run_driver("seed-example", ["sh", "-c", "head -c 1073741824 /dev/zero | ufsrestore tf -;"
                                " echo rc=$?"], capture=True)
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]) // 1024, r.transcript.calls[0].exit_code)
"""


def test_a_gigabyte_into_ufsrestore_keeps_the_harness_small() -> None:
    """D5: 1 GB piped into ``ufsrestore tf -`` took 3.85 GB in the harness; now a command
    reads at most ``MAX_INPUT`` of its stdin, in chunks, so the harness's peak (VmHWM)
    stays well under 300 MB, and ufsrestore answers as for any non-dump input."""
    p = subprocess.run([sys.executable, "-c", STREAM], capture_output=True, text=True,
                       timeout=120, cwd="/", env={**os.environ, "PYTHONPATH": str(REPO)})
    assert p.returncode == 0, p.stderr
    peak, code = (int(x) for x in p.stdout.split())
    assert peak < 300 and code == 1


def test_a_sleep_1e300_frame_prints_no_traceback(probe_dir: Path) -> None:
    """D16: a raw ``SLEEP 1e300`` frame stops the run at the virtual time limit, answered,
    with no thread traceback on the harness's stderr."""
    if not os.path.exists(SYSTEM_PYTHON):
        pytest.skip("needs /usr/bin/python3")
    p = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", "--scenario", "seed-example", "--",
         SYSTEM_PYTHON, "-IS", str(probe_dir / "frames.py"), "sleep"],
        capture_output=True, text=True, timeout=120, cwd="/",
        env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "Traceback" not in p.stderr and "Error" not in p.stderr, p.stderr
    assert "virtual time limit" in p.stdout


def test_oversized_frame_is_refused_with_a_reply(tmp_path: Path) -> None:
    """D4 (40 half-sent 16 MB frames: 688 MB): a body over MAX_BODY is refused at the
    header, with STATUS_REFUSED, without reading it."""
    from simulator.harness.server import ShimServer
    with ShimServer(tmp_path / "sock", lambda call: 0, lambda s: None, lambda: 0.0) as srv:
        for _ in range(3):
            import socket
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(str(srv.socket_path))
                s.sendall(P.HEADER.pack(P.REQUEST_MAGIC, 1, 16 * 1024 * 1024))
                assert P.decode_reply(P.recv_exact(s, P.REPLY.size))[0] == P.STATUS_REFUSED


# -- non-UTF-8 argv ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_non_utf8_argv_answers_as_the_real_command(name: str, tmp_path: Path) -> None:
    """D8: a byte that is not UTF-8 in argv (``$'d\\xff'``, decoded with surrogateescape
    as Python decodes argv) gets the command's own answer, never exit 70, and the byte
    comes back out unchanged where the command echoes the argument."""
    host = load_scenario("seed-example").build_host()
    for argv in ([name, "d\udcff"], [name, "-\udcff"], [name, "d1", "/dev/md/dsk/d\udcff"]):
        r = host.run(argv, cwd=str(tmp_path))
        assert r.exit_code != 70, (argv, r.stderr)
        assert "internal" not in r.stderr


def test_non_utf8_argv_under_svmsim_run_is_no_hang() -> None:
    """D8: under ``svmsim run``, ``metattach "$(printf 'd\\377')" d3`` was taken for a host
    hang; now metastat and metattach answer (exit 1) with the byte as given, and the
    verdict's no-hang and simulator-sound hold."""
    result, proc = drive("metastat \"$(printf 'd\\377')\"; echo rc=$?;"
                         " metattach \"$(printf 'd\\377')\" d3; echo rc=$?")
    assert proc.stdout.count(b"rc=1") == 2
    assert b"host1: d\xff: unit not set up" in proc.stderr
    checks = held(result)
    assert checks["no-hang"] and checks.get("simulator-sound", True)
    assert result.hung is None and result.driver_exit == 0


@pytest.mark.parametrize("client", ["c", "python"])
def test_ufsrestore_extraction_is_done_by_the_driver_in_its_view(client: str,
                                                                 tmp_path: Path) -> None:
    """Issue 8: ufsrestore's extraction (``Make node``, extract, chmod, utime, symbolic
    links, renames) is done by the calling client, as the driver, in its view: the restored
    tree is the run's (kept with ``keep``), and the machine's directories are never
    touched."""
    run = HarnessRun(load_scenario("seed-example"), ["sh", "-c", """
        /usr/sbin/metadetach d1 d3 >/dev/null
        /usr/sbin/ufsdump 0f /tmp/x.dump /dev/md/rdsk/d3 >/dev/null 2>&1; echo dump=$?
        /usr/sbin/metattach d1 d3 >/dev/null
        mkdir /tmp/r && cd /tmp/r && /usr/sbin/ufsrestore rf /tmp/x.dump; echo restore=$?
        ls -d /tmp/r/* | head -3
    """], timeout=60, keep=tmp_path, client=client)  # type: ignore[arg-type]
    result, proc = run.run(capture=True)
    assert survivors(run) == []
    out = proc.stdout.decode()
    assert "dump=0\n" in out and "restore=0\n" in out, (out, proc.stderr)
    restored = sorted(p for p in result.left_files if p.startswith("/tmp/r/"))
    assert "/tmp/r/restoresymtable" in restored and len(restored) > 3, restored
    some = next(p for p in restored if p != "/tmp/r/restoresymtable")
    assert (tmp_path / some.lstrip("/")).exists()
    assert not os.path.lexists("/tmp/r") or not os.path.exists("/tmp/r/restoresymtable")
    assert "/tmp/r/db\n" in out   # the driver sees the tree it restored
