"""The lab shell: a Solaris root prompt over the simulated host, nothing of Linux."""

from __future__ import annotations

import json
import os

import pytest

from simulator.lab.labfile import load_lab
from simulator.lab.shell import EXIT, LabShell


@pytest.fixture
def shell():
    out: list[str] = []
    sh = LabShell(load_lab("online-backup"), write=out.append)
    sh.out = out
    return sh


def run(sh: LabShell, line: str) -> str:
    sh.out.clear()
    sh.run_line(line)
    return "".join(sh.out)


def test_prompt_is_the_hosts(shell):
    assert shell.prompt() == "host1# "


def test_svm_commands_and_pipes(shell):
    text = run(shell, "metastat -p | grep d1")
    assert text.splitlines()[0].startswith("d1 -m d2 d3 d4")
    assert run(shell, "metastat -p | wc -l").split() == ["4"]
    assert run(shell, "/usr/sbin/metastat -c d1 | head -1").startswith("d1 ")


def test_redirections_stay_in_the_lab_host(shell, tmp_path):
    run(shell, "metastat -p > /tmp/md.out 2>&1")
    assert run(shell, "cat /tmp/md.out").startswith("d1 -m d2 d3 d4")
    run(shell, "echo more >> /tmp/md.out")
    assert run(shell, "tail -1 /tmp/md.out") == "more\n"
    assert not os.path.exists("/tmp/md.out") or open("/tmp/md.out").read() != "more\n"
    # a dump to a file lands in the lab host's /var/tmp, and ufsrestore reads it back
    run(shell, "ufsdump 0f /var/tmp/home1.dump /dev/md/rdsk/d1")
    assert "home1.dump" in run(shell, "ls /var/tmp")
    assert run(shell, "ufsrestore tf /var/tmp/home1.dump | head -1").strip() == "2\t."


def test_the_linux_machine_does_not_show_through(shell):
    listing = run(shell, "ls /").split()
    assert {"etc", "usr", "var", "home1", "dev"} <= set(listing)
    assert "boot" not in listing and "snap" not in listing
    assert run(shell, "ps -ef") == "ps: not found\n"
    assert run(shell, "bash") == "bash: not found\n"
    assert run(shell, "uname -s") == "SunOS\n"
    assert "not simulated" in run(shell, "echo $HOME")
    assert run(shell, "cat /etc/hostname") == "cat: cannot open /etc/hostname\n"


def test_host_files(shell):
    assert "/dev/md/dsk/d1\t/dev/md/rdsk/d1\t/home1\tufs" in run(shell, "cat /etc/vfstab")
    assert run(shell, "cat /etc/lvm/md.tab").startswith("#")
    run(shell, "metadetach d1 d3")
    assert run(shell, "grep d3 /var/adm/messages") == ""      # a detach logs nothing
    assert "d1 -m d2 d4" in run(shell, "metastat -p")


def test_sleep_and_date_are_virtual(shell):
    before = run(shell, "date")
    run(shell, "metadetach d1 d3")
    run(shell, "metattach d1 d3")
    run(shell, "sleep 600")
    after = run(shell, "date")
    assert before.startswith("Tue Nov 24 02:00") and after.startswith("Tue Nov 24 02:10")
    assert "Resync in progress" in run(shell, "metastat d1")


def test_control_operators(shell):
    assert run(shell, "false && echo no; echo yes") == "yes\n"
    assert run(shell, "false || echo fallback") == "fallback\n"
    assert run(shell, "metastat d99 && echo no").startswith("metastat: host1: d99:")


def test_hang_then_reboot(shell):
    run(shell, "lockfs -w /")
    assert shell.hung
    frozen = run(shell, "metastat d1")
    assert "console does not answer" in frozen and "d1: Mirror" not in frozen
    text = run(shell, "reboot")
    assert "sync" in text and not shell.hung
    assert "sync initiated" in run(shell, "tail -2 /var/adm/messages")
    assert "d1: Mirror" in run(shell, "metastat d1")


def test_clean_reboot_and_init(shell):
    assert "rebooted cleanly" in run(shell, "init 6")
    assert "syslogd: going down on signal 15" in run(shell, "cat /var/adm/messages")
    assert "only `init 6'" in run(shell, "init 5")


def test_lab_commands(shell):
    task = run(shell, "lab task")
    assert "Objectives" in task and "(10 points)" in task
    assert run(shell, "lab hint").startswith("Hint")
    assert "Score: 0 %" in run(shell, "lab check")
    run(shell, "metadetach d1 d3")
    status = run(shell, "lab status")
    assert "d1  mirror  /home1" in status and "d3" not in status.split("d1  mirror")[1][:60]
    run(shell, "lab reset")
    assert "d1 -m d2 d3 d4" in run(shell, "metastat -p")
    assert len(shell.attempts) == 2
    assert run(shell, "lab bogus").startswith("lab: bogus: unknown")
    assert shell.run_line("exit") == EXIT


def test_history(shell):
    run(shell, "metastat d1")
    run(shell, "date")
    assert run(shell, "history").split("\n")[1].strip() == "2  date"


def test_record_keeps_every_line_and_read_only_command(tmp_path):
    path = tmp_path / "record.json"
    sh = LabShell(load_lab("online-backup", 2), record_path=path)
    sh.run_line("metastat")
    sh.run_line("cat /etc/vfstab")
    record = json.loads(path.read_text())
    assert record["lab"] == "online-backup" and record["seed"] == 2
    lines = record["attempts"][0]["lines"]
    assert [ln["line"] for ln in lines] == ["metastat", "cat /etc/vfstab"]
    assert "Mirror" in lines[0]["output"]
    assert [c["command"] for c in record["attempts"][0]["commands"]] == \
        ["metastat", "cat /etc/vfstab"]
    assert record["transcript"]["calls"][0]["argv"] == ["metastat"]
    assert record["score"] == 0 and len(record["objectives"]) == 7   # nothing done yet


def test_an_internal_error_is_one_line_and_the_lab_goes_on(shell, monkeypatch):
    from simulator.lab import utilities
    monkeypatch.setitem(utilities.UTILITIES, "wc", lambda ctx, argv: 1 / 0)
    text = run(shell, "wc /etc/vfstab")
    assert "internal error: ZeroDivisionError" in text and "Traceback" not in text
    assert run(shell, "echo alive") == "alive\n"
    assert shell.internal_errors


def test_tail_follow_is_refused_rather_than_hanging(shell):
    assert "not simulated" in run(shell, "tail -f /var/adm/messages")
