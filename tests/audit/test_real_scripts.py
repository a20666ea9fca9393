"""Patterns from real administrators' SVM scripts, run under ``svmsim run``.

Each test runs a small driver written for this suite that reproduces what a public script
did (the script is named in the test's docstring; its code is not copied here).
"""

from __future__ import annotations

from pathlib import Path

from simulator.harness.runner import HarnessRun
from simulator.scenario import load_scenario


def run_sh(tmp_path: Path, scenario: str, body: str) -> tuple[str, str, int | None]:
    """Run ``body`` as a /bin/sh driver; return its stdout, stderr and exit status."""
    script = tmp_path / "driver.sh"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    result, proc = HarnessRun(load_scenario(scenario), ["/bin/sh", str(script)],
                              timeout=60).run(capture=True, stdin=b"")
    return proc.stdout.decode(), proc.stderr.decode(), result.driver_exit


def test_uname_and_hostname_answer_as_the_simulated_solaris_host(tmp_path: Path) -> None:
    """quickservchk.sh (a Solaris health check: ``[ "`uname -s`" != SunOS ]`` -> exit 1,
    ``uname -r`` 5.8/5.9/5.10 else exit, ``hostname`` in its CSV) and a public Perl
    disk-mirror check (``$os !~ /sunos/i`` skips metastat) gate on uname; the Linux kernel's
    answer made them stop before any metastat. Pattern: gate on uname, log under the node
    name."""
    out, err, code = run_sh(tmp_path, "two-way-mirror", """
[ "`uname -s`" = SunOS ] || { echo "not Solaris: `uname -s`"; exit 1; }
case `/usr/bin/uname -r` in 5.8|5.9|5.10) ;; *) echo unsupported; exit 1 ;; esac
echo "node=`uname -n` host=`hostname` nodename=`cat /etc/nodename`"
uname -X | grep KernelID
uname -a
uname -z 2>&1; echo "bad option rc=$?"
""")
    assert code == 0, (out, err)
    assert "node=sunhost host=sunhost nodename=sunhost" in out
    assert "KernelID = Generic_" in out
    assert "SunOS sunhost 5.10 " in out
    assert "usage: uname" in out and "bad option rc=1" in out
