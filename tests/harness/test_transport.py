"""Shim transport, virtual time and sandbox, exercised with real processes.

A toy dispatch echoes argv (and stdin) to the caller's stdout and returns
len(argv); the toy clock only moves by SLEEP requests.  Tests skip only when
a tool they need is genuinely missing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.harness import build
from simulator.harness import protocol as P
from simulator.harness.sandbox import Sandbox, SandboxError, probe_unshare, python_for
from simulator.harness.server import ShimCall, ShimServer

REPO = Path(__file__).resolve().parents[2]
START = 1_700_000_000.0
COMMANDS = {
    "metastat": ["/usr/sbin/metastat", "/usr/opt/SUNWmd/sbin/metastat"],
    "metainit": ["/usr/sbin/metainit"],
}
ALIASES = {"/usr/xpg4/bin/sh": "/bin/sh"}
ETC = {"/etc/vfstab": "old vfstab\n", "/etc/lvm/md.tab": "d10 -m d11 1\n", "/etc/dumpdates": ""}
DEV = ["/dev/md/dsk/d1", "/dev/md/rdsk/d1", "/dev/rmt/0"]


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


def ksh93() -> str:
    for name in ("ksh93", "ksh"):
        path = shutil.which(name)
        if (
            path
            and "93"
            in subprocess.run(
                [path, "-c", "echo ${.sh.version}"], capture_output=True, text=True
            ).stdout
        ):
            return path
    pytest.skip("ksh93 is not installed")


class Toy:
    """Records calls; echoes argv and, for a last arg 'stdin', what it reads."""

    def __init__(self) -> None:
        self.clock = START
        self.calls: list[list[str]] = []
        self.sleeps: list[float] = []
        self.sandbox: Sandbox | None = None
        self.active = 0
        self.max_active = 0
        self.fail_with: Exception | None = None
        self.status: int | None = None

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def dispatch(self, call: ShimCall) -> int:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            self.calls.append(call.argv)
            if self.fail_with is not None:
                raise self.fail_with
            if call.name == "metainit" and self.sandbox is not None:
                self.sandbox.add_dev_node("/dev/md/rdsk/d50")
                self.sandbox.add_dev_node("/dev/md/dsk/d50")
                self.sandbox.update_etc("/etc/vfstab", "new vfstab with more lines\nline 2\n")
            extra = ""
            if call.argv[1:] == ["big"]:
                with call.unlocked():
                    os.write(call.stdout, b"x" * 300_000)
                return 0
            if call.argv[1:] == ["slurp"]:
                with call.unlocked():
                    got = b"".join(iter(lambda: os.read(call.stdin, 65536), b""))
                os.write(call.stdout, f"{len(got)}\n".encode())
                return 0
            if call.argv[-1:] == ["stdin"]:
                extra = "|" + os.read(call.stdin, 1000).decode()
            os.write(call.stdout, (" ".join(call.argv) + extra + "\n").encode())
            return len(call.argv) if self.status is None else self.status
        finally:
            self.active -= 1

    def on_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock += seconds

    def now(self) -> float:
        return self.clock


# -- fixtures -------------------------------------------------------------------
@pytest.fixture(scope="module")
def artifacts() -> build.Artifacts:
    return build.build()


@pytest.fixture(scope="module")
def c_artifacts(artifacts: build.Artifacts) -> build.Artifacts:
    if not artifacts.complete:
        pytest.skip(f"C programs unavailable: {artifacts.problem}")
    return artifacts


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Toy, ShimServer]]:
    toy = Toy()
    with ShimServer(tmp_path / "sock", toy.dispatch, toy.on_sleep, toy.now) as srv:
        yield toy, srv


def install_client(kind: str, bindir: Path, name: str, art: build.Artifacts) -> Path:
    bindir.mkdir(exist_ok=True)
    dest = bindir / name
    if kind == "c":
        if art.shim is None:
            pytest.skip(f"C shim unavailable: {art.problem}")
        dest.symlink_to(art.shim)
    else:
        client = Path(__file__).resolve().parents[2] / "simulator/harness/shim_client.py"
        dest.write_text(f'#!/bin/sh\nexec {sys.executable} -IS {client} "$0" "$@"\n')
        dest.chmod(0o755)
    return dest


def host_env(srv: ShimServer, bindir: Path) -> dict[str, str]:
    return dict(
        os.environ,
        SVMSIM_SOCKET=str(srv.socket_path),
        SVMSIM_CLOCK=str(srv.clock_path),
        PATH=f"{bindir}:{os.environ['PATH']}",
    )


@pytest.fixture(scope="module")
def world(artifacts: build.Artifacts) -> Iterator[tuple[Toy, Sandbox, ShimServer]]:
    """One sandbox (automatic method) + server shared by the driver tests."""
    toy = Toy()
    sb = Sandbox(Path("/tmp"), COMMANDS, ALIASES, ETC, DEV, artifacts=artifacts)
    with ShimServer(sb.socket_path, toy.dispatch, toy.on_sleep, toy.now) as srv:
        yield toy, sb, srv
    sb.close()


@pytest.fixture
def fresh(world: tuple[Toy, Sandbox, ShimServer]) -> tuple[Toy, Sandbox]:
    toy, sb, srv = world
    toy.reset()
    toy.sandbox = sb
    srv.publish_clock()
    return toy, sb


# -- protocol and server, no sandbox ---------------------------------------------
def test_protocol_roundtrip() -> None:
    raw = P.encode_call(["metastat", "-p", "é"], {"A": "1", "B": "x=y"}, "/tmp", 0, 0b101)
    kind, length = P.decode_header(raw[: P.HEADER.size])
    assert kind is P.Kind.CALL and length == len(raw) - P.HEADER.size
    req = P.decode_call(raw[P.HEADER.size :])
    assert req.argv == ["metastat", "-p", "é"] and req.env == {"A": "1", "B": "x=y"}
    assert (req.cwd, req.uid, req.fdmask) == ("/tmp", 0, 0b101)
    assert P.decode_reply(P.encode_reply(3, 1.5)) == (3, 1.5)
    with pytest.raises(P.ProtocolError):
        P.decode_call(raw[P.HEADER.size : -1])


def test_a_repeated_environment_decodes_to_a_new_equal_dict_each_call() -> None:
    """The server keeps the last environment it decoded (a shell sends the same one with
    every call): each call still gets its own dict, a changed one is decoded anew, and a
    truncated body is refused as before."""
    env = {"PATH": "/usr/sbin:/usr/bin", "LANG": "C", "X": "a=b", "E": "\xe9"}
    raw = P.encode_call(["metastat"], env, "/", 0, 0b111)[P.HEADER.size :]
    first = P.decode_call(raw)
    first.env["PATH"] = "changed by the first caller"
    second = P.decode_call(raw)
    assert second.env == env and second.env is not first.env
    other = P.decode_call(P.encode_call(["metastat"], {**env, "X": "c"}, "/", 0, 0)
                          [P.HEADER.size :])
    assert other.env == {**env, "X": "c"}
    assert P.decode_call(raw).env == env
    for cut in (1, 3, 9, len(raw) // 2):
        with pytest.raises(P.ProtocolError):
            P.decode_call(raw[:-cut])


@pytest.mark.parametrize("kind", ["c", "python"])
def test_client_call_output_exit_code_and_stdin(
    kind: str, served: tuple[Toy, ShimServer], tmp_path: Path, artifacts: build.Artifacts
) -> None:
    toy, srv = served
    install_client(kind, tmp_path / "bin", "metastat", artifacts)
    env = host_env(srv, tmp_path / "bin")
    r = subprocess.run(
        ["sh", "-c", "metastat -s set d10; echo rc=$?; echo hi | metastat stdin"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    lines = r.stdout.splitlines()
    assert lines[0].endswith("metastat -s set d10") and lines[1] == "rc=4"
    assert lines[2].endswith("metastat stdin|hi")
    assert [os.path.basename(c[0]) for c in toy.calls] == ["metastat", "metastat"]
    assert toy.calls[0][1:] == ["-s", "set", "d10"]
    assert r.stderr == ""


@pytest.mark.parametrize("kind", ["c", "python"])
def test_client_reports_unreachable_server(
    kind: str, tmp_path: Path, artifacts: build.Artifacts
) -> None:
    path = install_client(kind, tmp_path / "bin", "metadetach", artifacts)
    env = dict(os.environ, SVMSIM_SOCKET=str(tmp_path / "nothing-here"))
    r = subprocess.run([str(path), "d10", "d12"], env=env, capture_output=True, text=True)
    assert r.returncode == 127
    assert r.stderr == "metadetach: svmsim server not reachable\n"


@pytest.mark.parametrize("kind", ["c", "python"])
def test_signal_status_and_closed_fds(
    kind: str, served: tuple[Toy, ShimServer], tmp_path: Path, artifacts: build.Artifacts
) -> None:
    toy, srv = served
    install_client(kind, tmp_path / "bin", "metastat", artifacts)
    env = host_env(srv, tmp_path / "bin")
    toy.status = P.SIGNAL_BASE + signal.SIGPIPE
    r = subprocess.run(
        ["sh", "-c", "metastat; echo rc=$?"], env=env, capture_output=True, text=True
    )
    assert r.stdout.splitlines()[-1] == "rc=141"
    toy.status = None
    r = subprocess.run(
        ["sh", "-c", "metastat a <&- >&-; echo rc=$?"], env=env, capture_output=True, text=True
    )
    assert r.stdout == "rc=2\n"


def test_dispatch_exception_is_one_line_and_exit_1(
    served: tuple[Toy, ShimServer], tmp_path: Path, artifacts: build.Artifacts
) -> None:
    toy, srv = served
    install_client("c" if artifacts.shim else "python", tmp_path / "bin", "metastat", artifacts)
    toy.fail_with = KeyError("d99")
    r = subprocess.run(
        ["metastat", "d99"], env=host_env(srv, tmp_path / "bin"), capture_output=True, text=True
    )
    assert r.returncode == 1
    assert r.stderr == "metastat: internal simulator error: KeyError: 'd99'\n"


def test_malformed_requests_leave_the_server_up(
    served: tuple[Toy, ShimServer], tmp_path: Path, artifacts: build.Artifacts
) -> None:
    toy, srv = served
    bad = [
        b"",
        b"SVM",
        b"XXXX" + bytes(8),
        P.HEADER.pack(P.REQUEST_MAGIC, 9, 0),
        P.HEADER.pack(P.REQUEST_MAGIC, 1, 100) + b"short",
        P.encode_request(P.Kind.CALL, b"\xff" * 40),
        P.encode_request(P.Kind.SLEEP, b"abc"),
        P.encode_sleep(float("nan")),
    ]
    for payload in bad:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(srv.socket_path))
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            assert s.recv(100) == b""
    # A body longer than MAX_BODY is refused with a reply, not read (nor dropped silently).
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(srv.socket_path))
        s.sendall(P.HEADER.pack(P.REQUEST_MAGIC, 1, P.MAX_BODY + 1))
        assert P.decode_reply(P.recv_exact(s, P.REPLY.size))[0] == P.STATUS_REFUSED
    # A CALL whose fd mask does not match the attached fds.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(srv.socket_path))
        s.sendmsg(
            [P.encode_call(["metastat"], {}, "/", 0, 0b111)],
            [(socket.SOL_SOCKET, socket.SCM_RIGHTS, P.U32.pack(1))],
        )
        assert s.recv(100) == b""
    assert toy.calls == []
    install_client("python", tmp_path / "bin", "metastat", artifacts)
    r = subprocess.run(
        ["metastat", "ok"], env=host_env(srv, tmp_path / "bin"), capture_output=True, text=True
    )
    assert r.returncode == 2 and toy.calls == [[str(tmp_path / "bin" / "metastat"), "ok"]]


def test_concurrent_calls_run_one_at_a_time(
    served: tuple[Toy, ShimServer], tmp_path: Path, artifacts: build.Artifacts
) -> None:
    toy, srv = served
    install_client("c" if artifacts.shim else "python", tmp_path / "bin", "metastat", artifacts)
    script = "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do metastat $i & done; wait"
    r = subprocess.run(
        ["sh", "-c", script], env=host_env(srv, tmp_path / "bin"), capture_output=True, text=True
    )
    assert sorted(int(c[1]) for c in toy.calls) == list(range(1, 13))
    assert toy.max_active == 1 and len(r.stdout.splitlines()) == 12


def test_pipeline_of_two_fake_commands_does_not_deadlock(
    served: tuple[Toy, ShimServer], tmp_path: Path, artifacts: build.Artifacts
) -> None:
    toy, srv = served
    install_client("c" if artifacts.shim else "python", tmp_path / "bin", "metastat", artifacts)
    r = subprocess.run(
        ["sh", "-c", "metastat big | metastat slurp"],
        timeout=30,
        env=host_env(srv, tmp_path / "bin"),
        capture_output=True,
        text=True,
    )
    assert r.stdout == "300000\n" and toy.max_active == 2


def test_sleep_now_and_clock_file(served: tuple[Toy, ShimServer]) -> None:
    toy, srv = served
    assert P.request(srv.socket_path, P.encode_sleep(600)) == (0, START + 600)
    assert P.request(srv.socket_path, P.encode_request(P.Kind.NOW)) == (0, START + 600)
    assert P.read_clock_file(srv.clock_path) == (START + 600, 600.0)
    toy.clock = START  # an owner rewinding its clock never moves monotonic time back
    srv.publish_clock()
    assert P.read_clock_file(srv.clock_path) == (START, 600.0)
    assert toy.sleeps == [600]


def test_preload_virtualises_time_outside_a_sandbox(
    served: tuple[Toy, ShimServer], c_artifacts: build.Artifacts
) -> None:
    toy, srv = served
    env = dict(
        os.environ,
        SVMSIM_SOCKET=str(srv.socket_path),
        SVMSIM_CLOCK=str(srv.clock_path),
        LD_PRELOAD=str(c_artifacts.preload),
    )
    t0 = time.monotonic()
    r = subprocess.run(["sh", "-c", "sleep 600; date +%s"], env=env, capture_output=True, text=True)
    assert time.monotonic() - t0 < 1.0
    assert r.stdout == f"{int(START + 600)}\n" and toy.sleeps == [600]


# -- build ------------------------------------------------------------------------
def test_build_without_compiler_is_a_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    assert build.available() is False
    art = build.build(tmp_path / "cache")
    assert art.shim is None and art.preload is None and art.problem
    assert "\n" not in art.problem


# -- sandbox ---------------------------------------------------------------------
def test_sandbox_method_errors_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SandboxError, match="unknown sandbox method"):
        Sandbox(Path("/tmp"), {}, method="chroot")  # type: ignore[arg-type]
    from simulator.harness import sandbox as sbmod

    real_which = shutil.which
    monkeypatch.setattr(
        sbmod.shutil, "which", lambda n, *a, **k: None if n == "proot" else real_which(n, *a, **k)
    )
    with pytest.raises(SandboxError, match="proot is not installed") as info:
        Sandbox(Path("/tmp"), {}, method="proot")
    assert "\n" not in str(info.value)


SLEEPERS = {
    "dash": ["dash", "-c", "sleep 600"],
    "bash": ["bash", "-c", "sleep 600"],
    "ksh93": ["KSH93", "-c", "case $(whence -t sleep) in builtin) ;; *) exit 9;; esac; sleep 600"],
    "mksh": ["mksh", "-c", "sleep 600"],
    "perl": ["perl", "-e", "sleep 300; select(undef, undef, undef, 300)"],
    "python": ["python3", "-c", "import time; time.sleep(599.5); time.sleep(0.5)"],
}


@pytest.mark.parametrize("shell", list(SLEEPERS))
def test_sleep_600_is_virtual(
    shell: str, fresh: tuple[Toy, Sandbox], c_artifacts: build.Artifacts
) -> None:
    toy, sb = fresh
    argv = list(SLEEPERS[shell])
    if shell == "python":   # the real interpreter: python3 on PATH may be a pyenv shim
        argv[0] = python_for(sb.uid, sb.gid)
    else:
        argv[0] = ksh93() if shell == "ksh93" else need(argv[0])
    t0 = time.monotonic()
    r = sb.run(argv, capture=True, cwd="/")
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert elapsed < 1.0
    assert toy.clock - START == pytest.approx(600, abs=1e-6)


def test_date_and_time_show_virtual_time(
    fresh: tuple[Toy, Sandbox], c_artifacts: build.Artifacts
) -> None:
    toy, sb = fresh
    python = python_for(sb.uid, sb.gid)   # not a pyenv shim that python3 on PATH may be
    script = f"""date +%s; sleep 60; date +%s
        perl -e 'print time, "\\n"'
        {python} -c 'import time; print(int(time.time()))'"""
    r = sb.run(["bash", "-c", script], capture=True, cwd="/")
    t = int(START)
    assert r.stdout.decode().split() == [str(t), str(t + 60), str(t + 60), str(t + 60)]


SH_CALLS = """
/usr/sbin/metastat abs
metastat bare
/usr/opt/SUNWmd/sbin/metastat sunwmd
/sbin/metastat sbin
PATH=/usr/sbin:$PATH
metastat prefixed
CMD=/usr/sbin/metastat
$CMD viavar
x=$(metastat subst); echo "got $x"
PATH=/usr/sbin
metastat only-usr-sbin
"""
PERL_CALLS = r"""
system("/usr/sbin/metastat", "abs"); system("metastat bare");
system("/usr/opt/SUNWmd/sbin/metastat sunwmd"); system("/sbin/metastat", "sbin");
$ENV{PATH} = "/usr/sbin:$ENV{PATH}"; system("metastat", "prefixed");
my $CMD = "/usr/sbin/metastat"; system("$CMD viavar");
my $x = `metastat subst`; print "got $x";
$ENV{PATH} = "/usr/sbin"; system("metastat only-usr-sbin");
"""
TAGS = ["abs", "bare", "sunwmd", "sbin", "prefixed", "viavar", "subst", "only-usr-sbin"]


@pytest.mark.parametrize("shell", ["dash", "bash", "ksh93", "mksh", "perl"])
def test_every_way_of_calling_metastat_reaches_dispatch(
    shell: str, fresh: tuple[Toy, Sandbox]
) -> None:
    toy, sb = fresh
    toy.status = 0
    exe = ksh93() if shell == "ksh93" else need(shell)
    argv = [exe, "-e", PERL_CALLS] if shell == "perl" else [exe, "-c", SH_CALLS]
    r = sb.run(argv, capture=True, cwd="/")
    assert r.returncode == 0, r.stderr
    assert [c[1] for c in toy.calls] == TAGS
    assert {os.path.basename(c[0]) for c in toy.calls} == {"metastat"}
    assert "got metastat subst" in r.stdout.decode()


def test_cleared_environment_still_reaches_the_simulation(
    fresh: tuple[Toy, Sandbox], c_artifacts: build.Artifacts
) -> None:
    toy, sb = fresh
    script = "env -i /usr/sbin/metastat bare-env; env -i sleep 600; env -i date +%s"
    t0 = time.monotonic()
    r = sb.run(["sh", "-c", script], capture=True, cwd="/")
    assert time.monotonic() - t0 < 1.0
    assert toy.calls == [["/usr/sbin/metastat", "bare-env"]] and toy.sleeps == [600]
    assert r.stdout.decode().splitlines()[-1] == str(int(START) + 600)


def test_stdin_reaches_dispatch_and_uid_is_root(fresh: tuple[Toy, Sandbox]) -> None:
    toy, sb = fresh
    r = sb.run(
        ["sh", "-c", "id -u; echo hi | metastat stdin; metastat <<EOF\nx\nEOF"],
        capture=True,
        cwd="/",
    )
    out = r.stdout.decode().splitlines()
    assert out[0] == "0" and out[1] == "metastat stdin|hi"
    r = sb.run(["sh", "-c", "metastat stdin"], stdin=b"fed\n", capture=True, cwd="/")
    assert r.stdout == b"metastat stdin|fed\n\n"


def test_deep_workdir_gets_a_short_socket_path(artifacts: build.Artifacts) -> None:
    base = Path(tempfile.mkdtemp(prefix="svmsim-deep-"))
    try:
        base.chmod(0o755)
        deep = base / ("d" * 60) / ("e" * 60)
        toy = Toy()
        toy.status = 0
        sb = Sandbox(deep, COMMANDS, artifacts=artifacts)
        assert deep in sb.root.parents and len(str(sb.socket_path)) < 100
        with sb, ShimServer(sb.socket_path, toy.dispatch, toy.on_sleep, toy.now):
            r = sb.run(["/usr/sbin/metastat", "deep"], capture=True, cwd="/")
        assert r.returncode == 0 and toy.calls == [["/usr/sbin/metastat", "deep"]]
        assert not sb.socket_path.parent.exists() and not sb.root.exists()
    finally:
        shutil.rmtree(base)


def test_dev_nodes_and_etc_updates_mid_run(fresh: tuple[Toy, Sandbox]) -> None:
    toy, sb = fresh
    script = """
        [ -c /dev/md/rdsk/d1 ] && echo d1-char
        [ -c /dev/rmt/0 ] && echo tape-char
        [ -e /dev/md/rdsk/d50 ] || echo no-d50
        cat /etc/vfstab; cat /etc/lvm/md.tab
        metainit d50 -m d51
        [ -c /dev/md/rdsk/d50 ] && echo d50-char
        ls /dev/md/dsk
        cat /etc/vfstab
        echo 'd1 0 Mon' >> /etc/dumpdates
        echo dumped > /var/tmp/svmsim-test-$$.dump; echo $$
        echo hi | /usr/xpg4/bin/sh -c cat
        echo ok > /dev/null && echo null-ok
        """
    r = sb.run(["sh", "-c", script], capture=True, cwd="/")
    out = r.stdout.decode().splitlines()
    assert out[:5] == ["d1-char", "tape-char", "no-d50", "old vfstab", "d10 -m d11 1"]
    assert out[5:11] == [
        "metainit d50 -m d51",
        "d50-char",
        "d1",
        "d50",
        "new vfstab with more lines",
        "line 2",
    ]
    assert out[-2:] == ["hi", "null-ok"]
    assert sb.host_path("/etc/dumpdates").read_text() == "d1 0 Mon\n"
    # /var/tmp is the run's own (issue 8): the file is in the run's directory, not the host's
    dump = sb.host_path(f"svmsim-test-{out[11]}.dump", "/var/tmp")
    assert sb.root in dump.parents
    assert not os.path.lexists(f"/var/tmp/svmsim-test-{out[11]}.dump")
    assert dump.read_text() == "dumped\n"
    dump.unlink()
    assert sb.host_path("/sbin/metastat").is_file()
    assert (sb.root / "dev/md/rdsk/d1").is_symlink()
    assert sb.host_path("/dev/md/rdsk/d1") == Path("/dev/null")   # the node's link, in the view
    sb.remove_dev_node("/dev/md/rdsk/d50")
    sb.remove_dev_node("/dev/md/dsk/d50")
    sb.update_etc("/etc/vfstab", ETC["/etc/vfstab"])


def survivors(token: str) -> list[int]:
    """Live (not zombie) processes of this machine whose command line holds ``token``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in cmdline and state not in ("Z", "X"):
            out.append(int(entry.name))
    return out


def wait_gone(token: str) -> list[int]:
    """SIGKILL is delivered asynchronously: give a loaded machine a moment to finish it."""
    deadline = time.monotonic() + 5
    while survivors(token) and time.monotonic() < deadline:
        time.sleep(0.01)
    return survivors(token)


def test_timeout_kills_the_process_group(fresh: tuple[Toy, Sandbox], tmp_path: Path) -> None:
    toy, sb = fresh
    token = f"svmsim-test-{os.getpid()}-timeout"
    script = f"""
        rm -f /tmp/svmsim-fifo-$$; mkfifo /tmp/svmsim-fifo-$$
        sh -c 'read x < /tmp/svmsim-fifo-'$$'; : {token}' &
        read y < /tmp/svmsim-fifo-$$
        """
    t0 = time.monotonic()
    r = sb.run(["sh", "-c", script], capture=True, cwd="/", timeout=1.0)
    assert r.timed_out and r.returncode == -signal.SIGKILL
    assert time.monotonic() - t0 < 5
    assert wait_gone(token) == []


def snapshot() -> dict[str, tuple[int, int]]:
    out = {}
    for top in ("/usr/sbin", "/etc", "/dev", "/usr"):
        st = os.lstat(top)
        out[top] = (st.st_mtime_ns, st.st_mode)
        for e in os.scandir(top):
            est = e.stat(follow_symlinks=False)
            keep_mtime = top != "/dev" or stat.S_ISREG(est.st_mode)
            out[e.path] = (est.st_mtime_ns if keep_mtime else 0, est.st_mode)
    out["/dev"] = (0, out["/dev"][1])
    return out


@pytest.mark.parametrize("method", ["auto", "proot"])
def test_host_is_unchanged(method: str, tmp_path: Path, artifacts: build.Artifacts) -> None:
    if method == "proot":
        need("proot")
    before = snapshot()
    toy = Toy()
    kw = {} if method == "auto" else {"method": "proot"}
    sb = Sandbox(tmp_path, COMMANDS, ALIASES, ETC, DEV, artifacts=artifacts, **kw)  # type: ignore[arg-type]
    toy.sandbox = sb
    with ShimServer(sb.socket_path, toy.dispatch, toy.on_sleep, toy.now):
        r = sb.run(
            [
                "sh",
                "-c",
                "metastat; metainit d50; echo x >> /etc/vfstab; touch /etc/newfile;"
                " echo y > /usr/sbin/metastat; touch /dev/md/rdsk/d60; echo done",
            ],
            capture=True,
            cwd="/",
        )
    sb.close()
    assert r.stdout.decode().splitlines()[-1] == "done"
    assert not sb.root.exists()
    assert not os.path.lexists("/usr/sbin/metastat") and not os.path.lexists("/usr/opt/SUNWmd")
    assert not os.path.lexists("/etc/vfstab") or "/etc/vfstab" in before
    assert snapshot() == before


def test_python_client_inside_the_sandbox(tmp_path: Path, artifacts: build.Artifacts) -> None:
    toy = Toy()
    toy.status = 0
    sb = Sandbox(tmp_path, COMMANDS, ALIASES, ETC, DEV, client="python", artifacts=artifacts)
    with sb, ShimServer(sb.socket_path, toy.dispatch, toy.on_sleep, toy.now):
        r = sb.run(
            ["sh", "-c", "metastat a; /usr/sbin/metastat b; echo hi | metastat stdin"],
            capture=True,
            cwd="/",
        )
    assert r.returncode == 0, r.stderr
    assert [c[1:] for c in toy.calls] == [["a"], ["b"], ["stdin"]]
    assert "/usr/lib/svmsim/bin/metastat stdin|hi\n" in r.stdout.decode()


def test_proot_fallback_gives_the_same_view(tmp_path: Path, c_artifacts: build.Artifacts) -> None:
    need("proot")
    toy = Toy()
    sb = Sandbox(tmp_path, COMMANDS, ALIASES, ETC, DEV, method="proot", artifacts=c_artifacts)
    toy.sandbox = sb
    script = """id -u; /usr/sbin/metastat a; metastat b; /usr/opt/SUNWmd/sbin/metastat c
        [ -c /dev/md/rdsk/d1 ] && echo d1-char; metainit d50; [ -c /dev/md/rdsk/d50 ] && echo d50
        cat /etc/vfstab; ls /dev/md/rdsk; ls -l /dev/md/rdsk/d50 | cut -c1; sleep 600; date +%s"""
    with sb, ShimServer(sb.socket_path, toy.dispatch, toy.on_sleep, toy.now):
        t0 = time.monotonic()
        r = sb.run(["bash", "-c", script], capture=True, cwd="/")
        elapsed = time.monotonic() - t0
    assert r.method == "proot" and r.returncode == 0, r.stderr
    assert r.stdout.decode().split("\n") == [
        "0",
        "/usr/sbin/metastat a",
        "metastat b",
        "/usr/opt/SUNWmd/sbin/metastat c",
        "d1-char",
        "metainit d50",
        "d50",
        "new vfstab with more lines",
        "line 2",
        "d1",
        "d50",
        "l",
        str(int(START) + 600),
        "",
    ]
    assert elapsed < 3.0


def test_unreadable_driver_file_is_still_run(fresh: tuple[Toy, Sandbox], tmp_path: Path) -> None:
    toy, sb = fresh
    toy.status = 0
    driver = tmp_path / "drv.sh"
    driver.write_text("metastat from-file\n")
    driver.chmod(0o600)
    r = sb.run(["sh", str(driver)], capture=True, cwd="/")
    assert r.returncode == 0, r.stderr
    assert toy.calls == [["metastat", "from-file"]]


def test_a_driver_reached_through_a_link_in_a_private_directory_is_run(
        fresh: tuple[Toy, Sandbox], tmp_path: Path) -> None:
    """``sh drivers/x.sh`` where ``drivers`` links to a readable directory but the link sits
    in a directory only root can enter (a root harness drops to another uid): reachable by
    the target, not as named, so the driver is copied in rather than bound by its path."""
    import shutil
    import tempfile
    toy, sb = fresh
    toy.status = 0
    shared = Path(tempfile.mkdtemp(prefix="svmsim-shared-", dir="/tmp"))
    try:
        shared.chmod(0o755)
        (shared / "drv.sh").write_text("metastat via-link\n")
        (shared / "drv.sh").chmod(0o644)
        private = tmp_path / "private"
        private.mkdir(mode=0o700)
        (private / "drivers").symlink_to(shared)
        r = sb.run(["sh", str(private / "drivers" / "drv.sh")], capture=True, cwd="/")
        assert r.returncode == 0, r.stderr
        assert toy.calls == [["metastat", "via-link"]]
    finally:
        shutil.rmtree(shared)


UNPRIVILEGED = textwrap.dedent(
    """
    import json, os, sys, time
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from simulator.harness import build
    from simulator.harness.sandbox import Sandbox
    from simulator.harness.server import ShimServer
    art = build.Artifacts(*(Path(p) if p else None for p in sys.argv[3:5]))
    clock = [1e9]
    calls = []
    def dispatch(call):
        calls.append(call.argv)
        return 0
    out = {"uid": os.getuid()}
    for method in sys.argv[2].split(","):
        sb = Sandbox(Path.cwd(), {"metastat": ["/usr/sbin/metastat"]}, {},
                     {"/etc/vfstab": "v\\n"}, ["/dev/md/rdsk/d1"],
                     method=None if method == "auto" else method, artifacts=art)
        with sb, ShimServer(sb.socket_path, dispatch,
                            lambda s: clock.__setitem__(0, clock[0] + s), lambda: clock[0]):
            t0 = time.monotonic()
            r = sb.run(["sh", "-c", "id -u; /usr/sbin/metastat x; sleep 600; cat /etc/vfstab;"
                        " [ -c /dev/md/rdsk/d1 ] && echo char"], capture=True, cwd="/")
            out[method] = [sb.method, r.returncode, r.stdout.decode(), r.stderr.decode(),
                           time.monotonic() - t0]
    out["calls"] = calls
    out["clock"] = clock[0]
    print(json.dumps(out))
    """
)


def test_works_as_an_unprivileged_user(tmp_path: Path, artifacts: build.Artifacts) -> None:
    """The harness itself unprivileged: a subprocess as uid 65534 when we are root.

    It imports a private copy of the transport modules, so neither the repo's
    location nor the rest of the package (and its dependencies) matter.
    """
    methods = "auto,proot" if shutil.which("proot") else "auto"
    uid = os.geteuid()
    home = Path(tempfile.mkdtemp(prefix="svmsim-unpriv-"))
    try:
        src = home / "src" / "simulator" / "harness"
        src.mkdir(parents=True)
        (src.parent / "__init__.py").write_text("")
        (src / "__init__.py").write_text("")
        for name in ("build.py", "protocol.py", "sandbox.py", "server.py", "shim_client.py"):
            shutil.copy2(REPO / "simulator" / "harness" / name, src / name)
        shutil.copytree(REPO / "simulator" / "harness" / "csrc", src / "csrc")
        (src.parent / "core").mkdir()
        (src.parent / "core" / "__init__.py").write_text("")
        for name in ("errors.py", "files.py"):      # what the transport imports of core
            shutil.copy2(REPO / "simulator" / "core" / name, src.parent / "core" / name)
        files = [""] * 2
        for i, f in enumerate((artifacts.shim, artifacts.preload)):
            if f is not None:
                files[i] = str(shutil.copy2(f, home / f.name))
        if uid == 0:
            python = "/usr/bin/python3"
            if not os.path.exists(python):
                pytest.skip("no /usr/bin/python3 for the unprivileged run")
            os.chmod(home, 0o755)
            for dirpath, _dirs, names in os.walk(home):
                for p in [dirpath, *(os.path.join(dirpath, n) for n in names)]:
                    os.chown(p, 65534, 65534)
            kw: dict[str, Any] = {"user": 65534, "group": 65534, "extra_groups": []}
        else:
            python, kw = sys.executable, {}
        env = {"PATH": os.environ["PATH"], "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
        proc = subprocess.run(
            [python, "-c", UNPRIVILEGED, str(home / "src"), methods, *files],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            **kw,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["uid"] == (65534 if uid == 0 else uid)
    for method in methods.split(","):
        got_method, rc, stdout, stderr, _elapsed = out[method]
        assert rc == 0, stderr
        assert got_method == "proot" if method == "proot" else got_method in ("unshare", "proot")
        assert stdout == "0\nv\nchar\n"
    assert out["calls"] == [["/usr/sbin/metastat", "x"]] * len(methods.split(","))
    if artifacts.preload is not None:
        assert out["clock"] == 1e9 + 600 * len(methods.split(","))


def test_unshare_probe_answers(tmp_path: Path) -> None:
    reason = probe_unshare(tmp_path)
    assert reason is None or ("\n" not in reason and reason)
