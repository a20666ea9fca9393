"""The sandbox's mounts made by one helper process (csrc/svmsim_setup.c) or, on a machine
without a C compiler, by mount(8) in the setup script: the same plan
(``Sandbox._mount_plan``), the same view.

The helper is what every run uses where cc exists: these tests check that it makes the
mounts the script made (the driver sees the same mount table), that a mount that must
succeed stops the setup with the script's message and exit status 125, and the plan's
failure rules (ignored, alternative, fatal) and read-only bindings."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from simulator.harness import build
from simulator.harness.sandbox import Sandbox, probe_unshare

COMMANDS = {"metastat": ["/usr/sbin/metastat"]}


@pytest.fixture(scope="module")
def helper() -> build.Artifacts:
    art = build.build()
    if art.setup is None:
        pytest.skip(f"the setup helper was not built: {art.problem}")
    if probe_unshare() is not None:
        pytest.skip(f"no user namespaces here: {probe_unshare()}")
    return art


def mounts(sb: Sandbox) -> list[tuple[str, str, str]]:
    """(mount point, options, file system type) of every mount the driver sees."""
    r = sb.run(["cat", "/proc/self/mountinfo"], capture=True, cwd="/")
    assert r.returncode == 0, r.stderr
    out = []
    for line in r.stdout.decode().splitlines():
        left, right = line.split(" - ", 1)
        f = left.split()
        # the run's own directories are named after it: compare their shape only
        point = f[4].replace(str(sb.socket_path.parent), "<run>")
        out.append((point, f[5], right.split()[0]))
    return out


def test_the_helper_makes_the_view_the_script_made(helper: build.Artifacts) -> None:
    views = []
    for art in (helper, dataclasses.replace(helper, setup=None)):
        with Sandbox(Path("/tmp"), COMMANDS, artifacts=art) as sb:
            views.append(mounts(sb))
            script = (sb.root / "setup.sh").read_text()
            assert ("mounts.plan" in script) == (art.setup is not None)
            assert ("mount --bind" in script) == (art.setup is None)
    assert views[0] == views[1]
    points = [p for p, _, _ in views[0]]
    assert {"/", "/usr", "/etc", "/dev", "/dev/shm", "/proc", "<run>"} <= set(points)


def plan(*records: tuple[str, str, str, str, str, str]) -> bytes:
    return b"".join(b"".join(f.encode() + b"\0" for f in rec) for rec in records)


def run_helper(helper: build.Artifacts, tmp_path: Path, data: bytes, then: str = ""
               ) -> subprocess.CompletedProcess[str]:
    """The helper alone in fresh user and mount namespaces, then `ls` of tmp_path/t (and
    the shell command ``then``)."""
    (tmp_path / "t").mkdir(exist_ok=True)
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "seen").touch()
    (tmp_path / "mounts.plan").write_bytes(data)
    assert helper.setup is not None
    unshare = shutil.which("unshare") or "unshare"
    return subprocess.run(
        [unshare, "--user", "--map-root-user", "--mount", "sh", "-c",
         f"'{helper.setup}' '{tmp_path}/mounts.plan'; s=$?; ls '{tmp_path}/t'; {then}"
         " exit $s"],
        capture_output=True, text=True, check=False)


def test_a_mount_that_must_succeed_stops_the_setup(helper: build.Artifacts,
                                                   tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    bad = str(tmp_path / "missing")
    r = run_helper(helper, tmp_path, plan(("bind", bad, str(tmp_path / "t"), "", "", "bind x"),
                                          ("bind", str(tmp_path / "src"), str(tmp_path / "t"),
                                           "", "", "never reached")))
    assert r.returncode == 125
    assert r.stderr == "svmsim: sandbox setup failed: bind x\n"
    assert r.stdout == ""                        # the second bind was not made


def test_failures_ignored_and_alternatives(helper: build.Artifacts, tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    t, src, bad = str(tmp_path / "t"), str(tmp_path / "src"), str(tmp_path / "missing")
    # an ignored failure, then an alternative taken because the first way failed
    r = run_helper(helper, tmp_path, plan(("bind", bad, t, "", "", ""),
                                          ("bind", bad, t, "", "", "|"),
                                          ("bind", src, t, "", "", "fallback")))
    assert (r.returncode, r.stdout, r.stderr) == (0, "seen\n", "")
    # the first way works: its alternative (which would fail) is not tried
    r = run_helper(helper, tmp_path, plan(("bind", src, t, "", "", "|"),
                                          ("bind", bad, t, "", "", "fallback")))
    assert (r.returncode, r.stdout, r.stderr) == (0, "seen\n", "")
    # a binding remounted read-only: writes through it refused, the source untouched
    r = run_helper(helper, tmp_path, plan(("bind", src, t, "", "", "bind"),
                                          ("ro", "", t, "", "", "ro")),
                   then=f"touch '{t}/new' 2>/dev/null && echo wrote || echo refused;")
    assert (r.returncode, r.stdout, r.stderr) == (0, "seen\nrefused\n", "")
    assert not (tmp_path / "src" / "new").exists()


def test_a_plan_cut_short_is_refused(helper: build.Artifacts, tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    r = run_helper(helper, tmp_path, plan(("bind", "/x", "/y", "", "", "z"))[:-3])
    assert r.returncode == 125 and "the plan is cut short" in r.stderr
