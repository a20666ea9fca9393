"""The lab at a real pseudo-terminal (pexpect): prompt_toolkit's prompt, completion, a
command's question answered at the terminal, the grade at the end and the record."""

from __future__ import annotations

import json
import os
import sys

import pytest

pexpect = pytest.importorskip("pexpect")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMPT = "host1#"


def spawn(tmp_path, *args: str):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm",
           "PYTHONPATH": REPO, "HOME": str(tmp_path),
           "SVMSIM_LAB_RECORDS": str(tmp_path / "records"),
           # pexpect does not answer prompt_toolkit's cursor position request
           "PROMPT_TOOLKIT_NO_CPR": "1", "SVMSIM_CACHE": "off"}
    child = pexpect.spawn(sys.executable, ["-m", "simulator.cli", "lab", *args], env=env,
                          encoding="utf-8", timeout=60, dimensions=(50, 160))
    child.expect("lab task")
    child.expect(PROMPT)
    return child


def type_line(child, line: str, *expect: str) -> None:
    """Type a line; wait for what it must print, then for the next prompt."""
    child.sendline(line)
    for text in expect:
        child.expect_exact(text)
    child.expect(PROMPT)


FULL = [("metastat d1", ["d1: Mirror"]),
        ("/usr/sbin/lockfs -w /home1", []),
        ("metadetach d1 d3", ["d1: submirror d3 is detached"]),
        ("/usr/sbin/lockfs -u /home1", []),
        ("/usr/sbin/fsck /dev/md/rdsk/d3", ["Phase 5 - Check Cylinder Groups"]),
        ("ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d3", ["DUMP IS DONE"]),
        ("metattach d1 d3", ["d1: submirror d3 is attached"]),
        ("sleep 3600", []),
        ("metastat d1", ["d1: Mirror"])]


def finish(child) -> str:
    child.sendline("exit")
    child.expect("Your session is recorded in ([^\\s\x1b]+)")
    record = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return str(record)


def test_a_full_correct_solution_scores_100(tmp_path):
    child = spawn(tmp_path, "online-backup")
    for line, expect in FULL:
        type_line(child, line, *expect)
    child.sendline("exit")
    child.expect_exact("Score: 100 % (100 of 100 points): passed")
    child.expect("recorded in ([^\\s\x1b]+)")
    path = child.match.group(1)
    child.expect(pexpect.EOF)
    record = json.loads(open(path).read())
    assert record["score"] == 100 and record["ended"] is True
    typed = [ln["line"] for ln in record["attempts"][0]["lines"]]
    assert typed == [line for line, _ in FULL] + ["exit"]
    # read-only commands are in the record too
    assert record["transcript"]["calls"][0]["argv"] == ["metastat", "d1"]


def test_a_careless_solution_gets_partial_marks_and_says_why(tmp_path):
    child = spawn(tmp_path, "online-backup")
    careless = [("metastat d1", ["d1: Mirror"]),
                ("lockfs -w /home1", []),
                ("metadetach d1 d3", ["is detached"]),
                ("ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d3", ["DUMP IS DONE"]),
                ("lockfs -u /home1", []),
                ("metattach d1 d3", ["is attached"]),
                ("sleep 3600", [])]
    for line, expect in careless:
        type_line(child, line, *expect)
    child.sendline("lab check")
    child.expect_exact("Unlock right after the detach")    # the lock held through the dump
    child.expect_exact("Run `fsck /dev/md/rdsk/d3` before")    # no fsck
    child.expect_exact("Score: 65 % (65 of 100 points)")
    child.expect(PROMPT)
    finish(child)


def test_completion_and_lab_status(tmp_path):
    child = spawn(tmp_path, "online-backup")
    child.send("metast\t")
    child.expect_exact("metastat")
    child.sendline(" -c")
    child.expect_exact("d1               m")
    child.expect(PROMPT)
    child.send("lab stat\t")
    child.expect_exact("status")
    child.sendline("")
    child.expect_exact("d1  mirror")
    child.expect_exact("/home1")
    child.expect(PROMPT)
    finish(child)


def test_a_question_is_answered_at_the_terminal(tmp_path):
    child = spawn(tmp_path, "tape-change")
    for line, expect in FULL[1:5]:
        type_line(child, line, *expect)
    child.sendline("ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d3")
    child.expect_exact("ready to go?")
    child.sendline("yes")
    child.expect_exact("DUMP IS DONE")
    child.expect(PROMPT)
    finish(child)


def test_lockfs_root_freezes_the_console_until_reboot(tmp_path):
    child = spawn(tmp_path, "root-caution")
    type_line(child, "lockfs -w /", "The console does not answer")
    type_line(child, "metastat", "the host is hung")
    type_line(child, "reboot", "ok sync", "booted again")
    type_line(child, "tail -1 /var/adm/messages", "reboot after panic: sync initiated")
    finish(child)


def test_without_a_terminal_the_shell_says_so(tmp_path):
    import subprocess
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "lab", "online-backup"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": REPO})
    assert r.returncode == 2
    assert r.stderr.startswith("svmsim lab: the lab's shell needs a terminal")
