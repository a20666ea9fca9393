"""Routing ``subprocess`` to the simulated host: what reaches the command, what comes back.

Most tests use :func:`route_subprocess` on a host without the fake file system (so the
real programs around them run as usual); a few check the same under ``svm_host``.
"""

from __future__ import annotations

import errno
import gc
import os
import signal
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from subprocess import PIPE, STDOUT, Popen  # bound before any routing starts

import pytest

from simulator import Host, HostHung, build_host
from simulator.inprocess import (
    FakePopen,
    Redirect,
    RoutedCall,
    UnroutedCommandWarning,
    fake_argv,
    parse_shell,
    route_subprocess,
)
from simulator.testing.pytest_plugin import SimulatedHost

METASTAT = "/usr/sbin/metastat"


@pytest.fixture
def seed() -> Host:
    return build_host("seed-example")


@pytest.fixture
def routed(seed: Host) -> Iterator[list[RoutedCall]]:
    calls: list[RoutedCall] = []
    with route_subprocess(seed, calls):
        yield calls


def real_error(argv: list[str]) -> OSError:
    """The exception a plain subprocess.run raises for ``argv``."""
    with pytest.raises(OSError) as info:
        subprocess.run(argv)
    return info.value


# ---------------------------------------------------------------------------- routing
def test_fake_commands_only_exist_inside_the_block(seed: Host) -> None:
    assert isinstance(real_error([METASTAT, "d1"]), FileNotFoundError)
    calls: list[RoutedCall] = []
    with route_subprocess(seed, calls):
        r = subprocess.run([METASTAT, "d1"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("d1: Mirror\n")
    assert [c.argv for c in calls] == [[METASTAT, "d1"]]
    assert calls[0].stdout == r.stdout
    assert isinstance(real_error([METASTAT, "d1"]), FileNotFoundError)   # restored
    assert subprocess.Popen.__init__ is Popen.__init__


def test_real_programs_still_run(routed: list[RoutedCall]) -> None:
    r = subprocess.run(["echo", "hi"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "hi\n")
    r = subprocess.run(["cat"], input=b"through a real pipe", capture_output=True)
    assert r.stdout == b"through a real pipe"
    assert subprocess.run(["sh", "-c", "exit 3"]).returncode == 3
    assert routed == []


@pytest.mark.parametrize("argv", [["/usr/sbin/metarename"], ["/opt/SUNWmd/sbin/metastat"],
                                  ["/usr/sbin/no-such-program", "-x"], ["metastat d1"]])
def test_unknown_paths_fail_as_without_the_simulation(seed: Host, argv: list[str]) -> None:
    expected = real_error(argv)
    with route_subprocess(seed) as router:
        got = real_error(argv)
    assert type(got) is type(expected) is FileNotFoundError
    assert (got.errno, got.filename, str(got)) == (errno.ENOENT, expected.filename,
                                                  str(expected))
    assert router.host is seed


def test_routed_names_and_directories() -> None:
    assert fake_argv([METASTAT, "d1"], False) == [METASTAT, "d1"]
    assert fake_argv(["metastat"], False) == ["metastat"]
    assert fake_argv(["/usr/opt/SUNWmd/sbin/metadetach", "d1", "d3"], False)
    assert fake_argv([b"/sbin/../sbin/lockfs", Path("/home1")], False) == \
        ["/sbin/../sbin/lockfs", "/home1"]
    assert fake_argv(["/usr/local/sbin/metastat"], False) is None
    assert fake_argv(["echo", "metastat"], False) is None
    assert fake_argv("metastat d1", False) is None          # one program named "metastat d1"
    assert fake_argv("metastat d1", True) == ["metastat", "d1"]


def test_every_way_of_starting_a_process(routed: list[RoutedCall]) -> None:
    assert subprocess.call([METASTAT, "d1"], stdout=subprocess.DEVNULL) == 0
    assert subprocess.call([METASTAT, "d99"], stderr=subprocess.DEVNULL) == 1
    assert subprocess.check_call(["metastat", "-p"], stdout=subprocess.DEVNULL) == 0
    assert subprocess.check_output(["metastat", "-p", "d3"]) == b"d3 1 1 c2t0d0s0\n"
    assert subprocess.getoutput("metastat -p d3") == "d3 1 1 c2t0d0s0"
    assert subprocess.getstatusoutput("metastat d99")[0] == 1
    with Popen([METASTAT, "-c"], stdout=PIPE, text=True) as p:   # imported before routing
        lines = list(p.stdout)
    assert lines[0].split()[:2] == ["d1", "m"] and p.returncode == 0
    with os.popen("metastat -p d2") as f:
        assert f.read() == "d2 1 1 c1t0d0s0\n"
    assert len(routed) == 8


def test_capture_output_and_text(routed: list[RoutedCall]) -> None:
    b = subprocess.run([METASTAT, "-p", "d2"], capture_output=True)
    assert (b.stdout, b.stderr) == (b"d2 1 1 c1t0d0s0\n", b"")
    t = subprocess.run([METASTAT, "-p", "d2"], capture_output=True, text=True)
    assert (t.stdout, t.stderr) == ("d2 1 1 c1t0d0s0\n", "")
    e = subprocess.run([METASTAT, "-p", "d2"], capture_output=True, encoding="latin-1")
    assert e.stdout == "d2 1 1 c1t0d0s0\n"
    u = subprocess.run([METASTAT, "-p", "d2"], stdout=PIPE, universal_newlines=True)  # noqa: UP021
    assert (u.stdout, u.stderr) == ("d2 1 1 c1t0d0s0\n", None)
    n = subprocess.run([METASTAT, "-p", "d2"])
    assert (n.returncode, n.stdout, n.stderr) == (0, None, None)


def test_check_raises_called_process_error(routed: list[RoutedCall]) -> None:
    with pytest.raises(subprocess.CalledProcessError) as info:
        subprocess.run([METASTAT, "d99"], capture_output=True, text=True, check=True)
    e = info.value
    assert (e.returncode, e.cmd, e.stdout) == (1, [METASTAT, "d99"], "")
    assert e.stderr == "metastat: host1: d99: unit not set up\n\n"
    with pytest.raises(subprocess.CalledProcessError):
        subprocess.check_output(["metadetach", "d1", "d9"], stderr=STDOUT)
    assert subprocess.run([METASTAT, "d1"], check=True, stdout=PIPE).returncode == 0


def test_stderr_to_stdout(routed: list[RoutedCall]) -> None:
    r = subprocess.run(["metastat", "-p", "d2", "d99"], stdout=PIPE, stderr=STDOUT, text=True)
    assert r.returncode == 1 and r.stderr is None
    assert "d99: unit not set up" in r.stdout
    assert r.stdout == routed[0].stdout + routed[0].stderr


def test_inherited_output_goes_to_the_tests_stdout(routed: list[RoutedCall], capfd) -> None:
    assert subprocess.run(["metastat", "-p", "d2"]).returncode == 0
    assert subprocess.run(["metastat", "d99"]).returncode == 1
    assert os.system("metastat -p d3") == 0
    out, err = capfd.readouterr()
    assert out == "d2 1 1 c1t0d0s0\nd3 1 1 c2t0d0s0\n"
    assert err == "metastat: host1: d99: unit not set up\n\n"


def test_output_to_files_and_descriptors(routed: list[RoutedCall], tmp_path: Path) -> None:
    with open(tmp_path / "out", "wb") as f:
        subprocess.run(["metastat", "-p", "d2"], stdout=f, check=True)
    with open(tmp_path / "text", "w") as f:
        f.write("first\n")
        subprocess.run(["metastat", "-p", "d3"], stdout=f, stderr=f, check=True)
    fd = os.open(tmp_path / "fd", os.O_WRONLY | os.O_CREAT)
    try:
        subprocess.run(["metastat", "d99"], stderr=fd)
    finally:
        os.close(fd)
    assert (tmp_path / "out").read_text() == "d2 1 1 c1t0d0s0\n"
    assert (tmp_path / "text").read_text() == "first\nd3 1 1 c2t0d0s0\n"
    assert (tmp_path / "fd").read_text() == "metastat: host1: d99: unit not set up\n\n"


# ---------------------------------------------------------------------------- stdin
def dump_of_d3() -> bytes:
    r = subprocess.run(["/usr/sbin/ufsdump", "0f", "-", "/dev/md/rdsk/d3"],
                       capture_output=True)
    assert r.returncode == 0 and "DUMP IS DONE" in r.stderr.decode()
    return r.stdout


def test_input_reaches_the_command_as_stdin(routed: list[RoutedCall]) -> None:
    archive = dump_of_d3()                          # binary stdout, unchanged
    assert archive and routed[0].result.stdout_bytes == archive
    r = subprocess.run(["/usr/sbin/ufsrestore", "tf", "-"], input=archive,
                       capture_output=True)
    assert r.returncode == 0
    assert r.stdout.splitlines()[:2] == [b"         2\t.", b"         3\t./lost+found"]
    assert routed[1].stdin == archive
    with pytest.raises(subprocess.CalledProcessError):   # no input: no archive
        subprocess.run(["/usr/sbin/ufsrestore", "tf", "-"], check=True, capture_output=True)


def test_text_input_answers_prompts(routed: list[RoutedCall], tmp_path: Path) -> None:
    archive = tmp_path / "d3.dump"
    subprocess.run(["ufsdump", "0f", str(archive), "/dev/md/rdsk/d3"], check=True,
                   capture_output=True)
    r = subprocess.run(["ufsrestore", "if", str(archive)], input="ls\nquit\n",
                       capture_output=True, text=True)
    assert r.returncode == 0
    assert r.stdout.split() == ["db/", "home/", "lost+found/", "var/"]
    assert r.stderr.count("ufsrestore > ") == 2


def test_popen_stdin_pipe_runs_when_input_is_complete(routed: list[RoutedCall]) -> None:
    archive = dump_of_d3()
    p = subprocess.Popen(["ufsrestore", "tf", "-"], stdin=PIPE, stdout=PIPE, stderr=PIPE)
    assert isinstance(p, subprocess.Popen) and isinstance(p, FakePopen)
    assert p.returncode is None and p.pid > 0
    p.stdin.write(archive[:1000])
    p.stdin.write(archive[1000:])
    assert len(routed) == 1                         # still waiting for its input
    p.stdin.close()
    assert len(routed) == 2 and p.returncode is None
    assert b"./lost+found" in p.stdout.read()
    assert p.wait() == 0 and p.returncode == 0 and p.poll() == 0
    out, err = subprocess.Popen(["ufsrestore", "tf", "-"], stdin=PIPE, stdout=PIPE,
                                text=True).communicate("not an archive")
    assert out == "" and err is None
    assert routed[-1].stdin == b"not an archive"


def test_popen_kill_before_input_ends(routed: list[RoutedCall]) -> None:
    p = subprocess.Popen(["metadetach", "d1", "d3"], stdin=PIPE, stdout=PIPE)
    p.kill()
    assert p.wait() == -signal.SIGKILL
    assert p.communicate() == (b"", None)
    assert routed == []                             # it never ran: d3 stays attached
    assert "d3" in subprocess.check_output(["metastat", "-p", "d1"], text=True)


def test_a_dropped_popen_never_runs(routed: list[RoutedCall]) -> None:
    p = subprocess.Popen(["metadetach", "d1", "d3"], stdin=PIPE, text=True)
    p.stdin.write("unfinished input")
    del p
    gc.collect()
    assert routed == []                             # not run by the garbage collector


def test_popen_details(routed: list[RoutedCall]) -> None:
    with subprocess.Popen(["metastat", "-p", "d2"], -1, None, None, PIPE) as p:  # positional
        assert p.args == ["metastat", "-p", "d2"]
        assert p.poll() == 0
        assert p.stdout.read() == b"d2 1 1 c1t0d0s0\n"
    assert p.stdout.closed
    p = subprocess.Popen(["metastat-wrapper", "-p", "d4"], executable="/usr/sbin/metastat",
                         stdout=PIPE)
    assert p.communicate() == (b"d4 1 1 c3t0d0s0\n", None)
    with pytest.raises(TypeError):
        subprocess.Popen(["metastat"], no_such_argument=1)
    with pytest.raises(subprocess.SubprocessError):
        subprocess.Popen(["metastat"], text=True, universal_newlines=False)
    with pytest.raises(FileNotFoundError):
        subprocess.run(["metastat"], cwd="/no/such/dir")


def test_cwd_and_relative_paths(routed: list[RoutedCall], tmp_path: Path) -> None:
    subprocess.run(["ufsdump", "0f", "rel.dump", "/dev/md/rdsk/d3"], cwd=tmp_path,
                   check=True, capture_output=True)
    assert (tmp_path / "rel.dump").stat().st_size > 0
    assert routed[-1].cwd == str(tmp_path)
    r = subprocess.run(["ufsrestore", "tf", "rel.dump"], cwd=str(tmp_path), env={"TZ": "UTC"},
                       capture_output=True, text=True)
    assert "./lost+found" in r.stdout


# ---------------------------------------------------------------------------- shell strings
@pytest.mark.parametrize(("line", "argv", "redirects"), [
    ("metastat d1", ["metastat", "d1"], []),
    ("  /usr/sbin/metastat   -p  ", ["/usr/sbin/metastat", "-p"], []),
    ("metastat 'd1' \"d2\" d\\3", ["metastat", "d1", "d2", "d3"], []),
    ("metastat d1 2>&1", ["metastat", "d1"], [Redirect(2, ">&", "1")]),
    ("metastat >/dev/null 2>&1", ["metastat"],
     [Redirect(1, ">", "/dev/null"), Redirect(2, ">&", "1")]),
    ("metastat -p >> out 2> err", ["metastat", "-p"],
     [Redirect(1, ">>", "out"), Redirect(2, ">", "err")]),
    ("ufsrestore tf - < x.dump", ["ufsrestore", "tf", "-"], [Redirect(0, "<", "x.dump")]),
    ("metastat '|' 'a;b' \"\\$x\"", ["metastat", "|", "a;b", "$x"], []),
])
def test_simple_shell_commands_parse(line: str, argv: list[str],
                                     redirects: list[Redirect]) -> None:
    cmd = parse_shell(line)
    assert cmd is not None and (cmd.argv, cmd.redirects) == (argv, redirects)


@pytest.mark.parametrize("line", [
    "metastat d1 | grep Okay", "metastat; metastat", "metastat && echo ok",
    "metastat &", "metastat $MIRROR", "metastat `cat x`", "metastat \"$(cat x)\"",
    "metastat d*", "metastat >&-", "cat <<EOF", "metastat 'unterminated", "metastat 3>x",
    "(metastat)", "metastat # comment", "", "   ", "metastat >",
])
def test_other_shell_strings_are_not_simple(line: str) -> None:
    assert parse_shell(line) is None


def test_simple_shell_strings_are_routed(routed: list[RoutedCall], tmp_path: Path) -> None:
    r = subprocess.run("metastat -p d2", shell=True, capture_output=True, text=True)
    assert r.stdout == "d2 1 1 c1t0d0s0\n"
    r = subprocess.run("metastat d99 2>&1", shell=True, capture_output=True, text=True)
    assert r.stdout.startswith("metastat: host1: d99:") and r.stderr == ""
    log = tmp_path / "log"
    with pytest.warns(UnroutedCommandWarning):                # not simple: the real sh
        assert subprocess.call(f"metastat -p d2 >{log}; ", shell=True) == 127
    assert subprocess.call(f"metastat -p d2 >{log}", shell=True) == 0
    assert subprocess.call(f"metastat -p d3 >>{log} 2>/dev/null", shell=True) == 0
    assert log.read_text() == "d2 1 1 c1t0d0s0\nd3 1 1 c2t0d0s0\n"
    archive = tmp_path / "a.dump"
    assert os.system(f"ufsdump 0f {archive} /dev/md/rdsk/d3 2>/dev/null") == 0
    out = subprocess.check_output(f"ufsrestore tf - <{archive}", shell=True, text=True)
    assert "./lost+found" in out
    assert os.waitstatus_to_exitcode(os.system("metastat d99 2>/dev/null")) == 1
    r = subprocess.run("metastat </no/such/file", shell=True, capture_output=True, text=True)
    assert r.returncode == 2 and "cannot open /no/such/file" in r.stderr
    # the last line never ran: its input could not be opened
    assert [c.argv[0] for c in routed] == ["metastat"] * 4 + ["ufsdump", "ufsrestore",
                                                              "metastat"]


def test_shell_pipelines_are_not_routed(routed: list[RoutedCall]) -> None:
    # The real /bin/sh runs the pipeline and starts its commands itself: those are other
    # processes, which this in-process routing never sees. /usr/sbin/metastat does not
    # exist on Linux, so the pipeline finds nothing -- and svmsim says why.
    with pytest.warns(UnroutedCommandWarning, match="not routed"):
        r = subprocess.run("/usr/sbin/metastat d1 | grep Okay", shell=True,
                           capture_output=True, text=True)
    assert r.returncode == 1 and r.stdout == ""
    assert "not found" in r.stderr
    with pytest.warns(UnroutedCommandWarning):
        assert os.system("metastat d1 >/dev/null 2>&1 && true") != 0
    assert routed == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # no fake command: no warning
        assert subprocess.run("echo a | cat", shell=True, capture_output=True).stdout == b"a\n"


# ---------------------------------------------------------------------------- hangs, nesting
def test_a_hung_host_never_answers() -> None:
    host = build_host("root-mirror")
    with route_subprocess(host):
        with pytest.raises(subprocess.TimeoutExpired):
            subprocess.run(["lockfs", "-w", "/"], timeout=30)
        assert host.hung_reason
        p = subprocess.Popen(["metastat"], stdout=PIPE)
        assert p.poll() is None
        with pytest.raises(subprocess.TimeoutExpired):
            p.wait(timeout=5)
        with pytest.raises(HostHung):
            subprocess.run(["metastat"], capture_output=True)
        with pytest.raises(HostHung):
            os.system("metastat")


def test_blocks_nest(seed: Host) -> None:
    other = build_host("two-way-mirror")
    outer: list[RoutedCall] = []
    inner: list[RoutedCall] = []
    with route_subprocess(seed, outer):
        with route_subprocess(other, inner):
            assert subprocess.check_output(["metastat", "-p"]).startswith(b"d0 -m d10 d20")
        assert subprocess.check_output(["metastat", "-p"]).startswith(b"d1 -m d2 d3 d4")
    assert (len(outer), len(inner)) == (1, 1)
    assert isinstance(real_error(["metastat"]), FileNotFoundError)


# ---------------------------------------------------------------------------- under svm_host
def test_real_programs_run_under_the_fake_fs(svm_host: SimulatedHost) -> None:
    r = subprocess.run(["echo", "hi"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "hi\n")
    with subprocess.Popen(["cat"], stdin=PIPE, stdout=PIPE) as p:
        assert p.communicate(b"real") == (b"real", None)
    assert subprocess.run(["sh", "-c", "exit 4"]).returncode == 4
    with pytest.raises(FileNotFoundError):
        subprocess.run(["/usr/sbin/metarename"])
    assert svm_host.calls == []
    assert subprocess.run(["metastat", "d1"], capture_output=True).returncode == 0
    assert len(svm_host.calls) == 1


def test_shell_redirections_write_into_the_fake_fs(svm_host: SimulatedHost) -> None:
    assert os.system("metastat -p > /etc/lvm/md.tab") == 0
    with open("/etc/lvm/md.tab") as f:
        assert f.read().startswith("d1 -m d2 d3 d4 1\n")
    # the host took the driver's md.tab: a second metainit of d3 says it exists already
    r = subprocess.run(["metainit", "d3"], capture_output=True, text=True)
    assert r.returncode == 1 and "d3: unit already set up" in r.stderr


def test_routed_calls_are_the_sessions_calls(seed: Host) -> None:
    from simulator.session.session import Session
    from simulator.session.transcript import Call
    assert RoutedCall is Call
    session = Session(seed)
    mine: list[RoutedCall] = []
    with route_subprocess(session, mine):
        subprocess.run(["metadetach", "d1", "d3"], check=True, capture_output=True)
        subprocess.run("metastat -p d3 >/dev/null", shell=True, check=True)
    assert mine == session.transcript.calls and [c.index for c in mine] == [1, 2]
    assert mine[0].changes == ["d1: submirror d3 detached"]
    assert session.transcript.detached == {"d1": ["d3"]}


def test_disksuite_paths_are_routed_only_on_a_release_that_has_them() -> None:
    """/usr/opt/SUNWmd/sbin exists on a 5.9 host kept from DiskSuite, not on 5.10
    (simulator/sunos/release.py): a driver on 5.10 gets the same FileNotFoundError as there."""
    from simulator.inprocess.route import plan_command
    assert plan_command(["/usr/opt/SUNWmd/sbin/metastat"], release="5.9") is not None
    assert plan_command(["/usr/opt/SUNWmd/sbin/metastat"], release="5.10") is None
    assert plan_command(["/usr/sbin/metastat"], release="5.10") is not None
    assert plan_command(["metastat"], release="illumos") is not None
