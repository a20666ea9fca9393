"""/etc/release, /etc/system and /var/adm/messages in the driver's view (session/hostfiles.py),
through both fronts: the ``svm_host`` fixture (in-process, pyfakefs) and ``svmsim run``
(the sandbox). Also uname and the DiskSuite paths of the host's release under ``svmsim run``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from simulator.harness.runner import HarnessRun
from simulator.scenario import Scenario, load_scenario, parse_scenario
from simulator.scenario.build import io_error
from simulator.session.hostfiles import etc_files
from simulator.sunos.files import BEGROOTSTR, release_text
from simulator.sunos.syslog import kernel_line, strlog_msgid
from simulator.testing.pytest_plugin import SimulatedHost


def test_msgid_is_strlog_make_msgid_of_the_format() -> None:
    """sys/strlog.h STRLOG_MAKE_MSGID over cmn_err's format (printf.c cprintf): mirror.c
    ``md: %s: %s needs maintenance`` is ID 104909, as Solaris hosts log it."""
    assert strlog_msgid("md: %s: %s needs maintenance") == 104909
    line = kernel_line("Nov 24 02:00:00", "h", "WARNING: md: d12: c2t1d0s0 needs maintenance")
    assert line == ("Nov 24 02:00:00 h md_mirror: [ID 104909 kern.warning] WARNING: md: d12: "
                    "c2t1d0s0 needs maintenance")
    last = kernel_line("Nov 24 02:00:00", "h", "WARNING: md: d12: c2t1d0s0 last erred")
    assert f"md_mirror: [ID {strlog_msgid('md: %s: %s last erred')} kern.warning]" in last


@pytest.mark.svm_scenario("root-mirror")
def test_svm_host_shows_release_and_system(svm_host: SimulatedHost) -> None:
    """/etc/release: SUNWsolnm's text of the host's release (5.10: 10 1/13); /etc/system:
    metaroot's lines (meta_systemfile.c) because / is on mirror d10."""
    assert Path("/etc/release").read_text() == release_text("5.10")
    system = Path("/etc/system").read_text()
    assert BEGROOTSTR + "rootdev:/pseudo/md@0:0,10,blk\n" in system


@pytest.mark.svm_scenario("maintenance")
def test_svm_host_shows_the_md_messages(svm_host: SimulatedHost) -> None:
    """md_mirror.c's cmn_err on the virtual clock, syslogd's line layout, after sd's report
    of the failed request (scsi_vu_errmsg: six lines, the first naming the disk)."""
    lines = Path("/var/adm/messages").read_text().splitlines()
    assert lines[-1] == ("Nov 24 02:00:00 host1 md_mirror: [ID 104909 kern.warning] WARNING: "
                         "md: d12: c2t1d0s0 needs maintenance")
    assert lines[0] == ("Nov 24 02:00:00 host1 scsi: [ID 107833 kern.warning] WARNING: "
                        "/pci@1c,600000/scsi@4/sd@1,0 (sd2):")
    assert len(lines) == 7
    io_error(svm_host.host, "c1t1d0s0")
    svm_host.run("metastat d10")                       # any call brings the files up to date
    assert "c1t1d0s0 last erred" in Path("/var/adm/messages").read_text()


def _harness(tmp_path: Path, sc: Scenario, body: str) -> tuple[str, int | None]:
    script = tmp_path / "driver.sh"
    script.write_text("#!/bin/sh\n" + body)
    result, proc = HarnessRun(sc, ["/bin/sh", str(script)], timeout=60).run(
        capture=True, stdin=subprocess.DEVNULL)
    return proc.stdout.decode(), result.driver_exit


def test_svmsim_run_shows_release_and_system(tmp_path: Path) -> None:
    out, code = _harness(tmp_path, load_scenario("root-mirror"),
                         "cat /etc/release; grep '^rootdev:' /etc/system; uname -r\n"
                         "[ -x /usr/opt/SUNWmd/sbin/metastat ] && echo disksuite || echo none\n")
    assert code == 0
    assert out == release_text("5.10") + "rootdev:/pseudo/md@0:0,10,blk\n5.10\nnone\n"


def test_svmsim_run_on_a_solaris_9_host(tmp_path: Path) -> None:
    """A 5.9 host: uname -r/-v, its /etc/release, and old DiskSuite's metastat path."""
    sc = parse_scenario('[host]\nrelease = "5.9"\nhostname = "old9"\n'
                        '[[disk]]\nname = "c0t0d0"\nsize = "36GB"\n'
                        '[[replica]]\ndevice = "c0t0d0s7"\ncount = 3\n'
                        '[[stripe]]\nname = "d1"\nrows = [["c0t0d0s0"]]\n')
    out, code = _harness(tmp_path, sc, "head -1 /etc/release; uname -a\n"
                         "/usr/opt/SUNWmd/sbin/metastat -p\n")
    assert code == 0
    assert out == ("                        Solaris 9 9/05 s9s_u8wos_05 SPARC\n"
                   "SunOS old9 5.9 Generic_122300-61 sun4u sparc SUNW,Sun-Fire-V240\n"
                   "d1 1 1 c0t0d0s0\n")


def test_svmsim_run_rewrites_a_view_file_only_when_a_call_changed_it(tmp_path: Path) -> None:
    """In the sandbox: calls that change nothing (metastat) leave every file of the view
    as it was (same inode, same modification time, to the nanosecond), and a call that
    changes one (umount, mount -o ro, metadb -a) shows the new text at once."""
    script = tmp_path / "driver.sh"
    script.write_text(
        "#!/bin/sh\n"
        "st() { stat -c '%n %i %y %s' /etc/mnttab /etc/vfstab /etc/lvm/mddb.cf"
        " /etc/lvm/md.tab /etc/dumpdates /etc/nodename /etc/system /var/adm/messages; }\n"
        "before=$(st)\n"
        "metastat d1 >/dev/null; metastat -p >/dev/null; metastat >/dev/null\n"
        "[ \"$(st)\" = \"$before\" ] && echo unchanged || echo rewritten\n"
        "grep -c '^/dev/md/dsk/d1' /etc/mnttab\n"
        "umount -f /home1\n"
        "grep -c '^/dev/md/dsk/d1' /etc/mnttab\n"
        "mount -o ro /home1\n"
        "grep '^/dev/md/dsk/d1' /etc/mnttab | cut -f4 | cut -d, -f1\n"
        "grep -vc '^#' /etc/lvm/mddb.cf\n"
        "metadb -a -c 2 c2t0d0s7\n"
        "grep -vc '^#' /etc/lvm/mddb.cf\n"
        "cat /etc/mnttab /etc/lvm/mddb.cf\n")
    run = HarnessRun(load_scenario("seed-example"), ["/bin/sh", str(script)], timeout=60)
    result, proc = run.run(capture=True, stdin=subprocess.DEVNULL)
    assert result.driver_exit == 0, proc.stderr
    out = proc.stdout.decode()
    *lines, files = out.split("\n", 6)
    assert lines == ["unchanged", "1", "0", "ro", "3", "5"], out
    assert files == run.host.fs.mnttab_text() + etc_files(run.host)["/etc/lvm/mddb.cf"]


def test_the_views_md_tab_is_read_as_path_read_text_reads_it(tmp_path: Path) -> None:
    """SandboxView.read's plain system calls give Path.read_text(errors="replace")'s text:
    the locale's encoding, bad bytes replaced, universal newlines, any length."""
    from simulator.session.hostfiles import _read_text
    f = tmp_path / "md.tab"
    for data in (b"", b"d1 -m d2 d3 1\r\nd2 1 1 c0t0d0s0\rd3 1 1 c1t0d0s0\r",
                 b"\xff\xfe\x80 \xe2\x82", "é\r\n".encode() * 70000 + b"\r"):
        f.write_bytes(data)
        assert _read_text(f) == f.read_text(errors="replace")


def test_the_sandbox_view_looks_at_its_files_again_only_after_a_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SandboxView.exists: once a file was found where the harness left it, and its way
    from the run's directory is watched, pushes that follow look at no file; a file the
    driver removed, or a directory it renamed, is seen at the next push and written again."""
    from simulator import build_host
    from simulator.harness import build
    from simulator.harness.sandbox import Sandbox
    from simulator.session.hostfiles import FileMirror, SandboxView, device_nodes, view_files
    host = build_host("seed-example")
    files = view_files(host, messages=True)
    nodes = sorted(device_nodes(host))
    with Sandbox(tmp_path, {}, {}, files, nodes, artifacts=build.build()) as sb:
        view = SandboxView(sb)
        mirror = FileMirror(host, view, messages=True, shown=files, nodes=nodes)
        looks: list[str] = []
        known = SandboxView._known
        monkeypatch.setattr(SandboxView, "_known",
                            lambda self, path: looks.append(path) or known(self, path))
        mirror.push()
        mirror.push()
        if view._inotify is None:
            pytest.skip("no inotify here: every push looks at every file, as before")
        looks.clear()
        for _ in range(3):
            mirror.push()
        assert looks == []
        vfstab = sb.host_path("/etc/vfstab")
        vfstab.unlink()                                   # the driver's rm /etc/vfstab
        mirror.push()
        assert vfstab.read_text() == files["/etc/vfstab"]
        assert "/etc/vfstab" in looks
        lvm = sb.host_path("/etc/lvm")
        lvm.rename(lvm.with_name("lvm.old"))              # mv /etc/lvm /etc/lvm.old
        mirror.push()
        assert sb.host_path("/etc/lvm/mddb.cf").read_text() == files["/etc/lvm/mddb.cf"]
        looks.clear()
        mirror.push()                                     # its own writes were a change too
        mirror.push()
        looks.clear()
        mirror.push()
        assert looks == []
        view.close()


def test_svmsim_run_writes_again_what_the_driver_removed_after_quiet_calls(
        tmp_path: Path) -> None:
    """After calls that changed nothing, a file the driver removes, a directory it renames
    and a file of another overlay (/var) are back after its next fake call."""
    out, code = _harness(tmp_path, load_scenario("seed-example"),
                         "metastat >/dev/null; metastat >/dev/null; metastat >/dev/null\n"
                         "rm /etc/vfstab; mv /etc/lvm /etc/lvm.old; metastat >/dev/null\n"
                         "head -1 /etc/vfstab; ls /etc/lvm; rm /var/adm/messages\n"
                         "metastat >/dev/null; ls /var/adm/messages\n")
    assert code == 0
    assert out == ("#device\t\tdevice\t\tmount\t\tFS\tfsck\tmount\tmount\n"
                   "md.tab\nmddb.cf\n/var/adm/messages\n")
