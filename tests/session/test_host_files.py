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
