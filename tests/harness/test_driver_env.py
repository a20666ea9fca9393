"""The driver's environment: Solaris's nawk, mounts on directories the driver made, and the
trees of mounted simulated file systems in the driver's view (issue 14, "The driver's
environment").

Sources: illumos usr/src/cmd/awk (nawk: the AWK book's awk, one-true-awk's lineage, tran.c's
hash tables), usr/src/cmd/fs.d/mount.c main() (``realpath(mountp)``; ``perror``),
usr/src/cmd/fs.d/ufs/mount/mount.c rpterr() (ENOTDIR, ENOENT texts, exit 32),
usr/src/cmd/fs.d/umount.c (``not in mnttab`` warning; EINVAL ``not mounted``),
uts/common/fs/vfs.c domount() (a mount point must be a directory).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from simulator.harness.mounts import MountedTrees
from simulator.harness.runner import NAWK_PATHS, HarnessRun, aliases
from simulator.scenario import load_scenario
from simulator.session.verdict import to_text

DRIVERS = Path(__file__).resolve().parent / "drivers"
ONE_TRUE_AWK = "/usr/bin/original-awk"
# Keys whose order differs between one-true-awk and mawk/gawk (d10 x y d30 d20 in the first)
AWK_PROGRAM = ('BEGIN { a["d10"]; a["d20"]; a["d30"]; a["x"]; a["y"]; a["d0"]; a["d11"];'
               ' for (k in a) printf "%s ", k; print "" }')


def harness(argv: list[str], scenario: str = "seed-example",
            keep: Path | None = None) -> tuple[HarnessRun, Any, Any]:
    run = HarnessRun(load_scenario(scenario), argv, timeout=60, keep=keep)
    result, proc = run.run(capture=True, stdin=b"")
    return run, result, proc


def dash() -> str:
    return shutil.which("dash") or shutil.which("sh") or "/bin/sh"


# ----------------------------------------------------------------------------- nawk
def test_nawk_is_one_true_awk_in_the_sandbox() -> None:
    """Solaris 10 nawk (illumos usr/src/cmd/awk) is the AWK book's awk: ``for (k in a)`` must
    visit keys in one-true-awk's order, the order a real root-mirror split script relies on
    to pick the submirror it detaches. Bare ``nawk``, /usr/bin/nawk and /usr/xpg4/bin/awk
    all run original-awk; the answer equals running original-awk directly."""
    if not os.access(ONE_TRUE_AWK, os.X_OK):
        pytest.skip("original-awk is not installed")
    direct = subprocess.run([ONE_TRUE_AWK, AWK_PROGRAM], capture_output=True, text=True,
                            check=True).stdout
    mawk = subprocess.run(["awk", AWK_PROGRAM], capture_output=True, text=True).stdout
    script = (f"nawk '{AWK_PROGRAM}'; /usr/bin/nawk '{AWK_PROGRAM}';"
              f" /usr/xpg4/bin/awk '{AWK_PROGRAM}'")
    _run, r, proc = harness([dash(), "-c", script])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == direct * 3
    assert direct != mawk     # the machine's awk would have picked another order
    assert not any("nawk" in n for n in r.notes)


def test_without_original_awk_nawk_is_the_machines_awk_and_the_report_says_so() -> None:
    """When original-awk is missing the aliases fall back to /usr/bin/awk, with a note."""
    links, notes = aliases("/nonexistent/original-awk")
    assert {p: links[p] for p in NAWK_PATHS} == dict.fromkeys(NAWK_PATHS, "/usr/bin/awk")
    assert notes == ["nawk: /nonexistent/original-awk is not installed (Debian package "
                     "original-awk), so /usr/bin/nawk and /usr/xpg4/bin/awk run /usr/bin/awk,"
                     " whose for (k in a) order is not Solaris nawk's"]
    links, notes = aliases("/bin/sh")          # any executable stands for it here
    assert links["/usr/bin/nawk"] == "/bin/sh" and notes == []
    assert links["/usr/xpg4/bin/sh"] == "/bin/sh"     # the other aliases are unchanged


# ----------------------------------------------------------------------------- mount in-process
def detached_host() -> Any:
    host = load_scenario("seed-example").build_host()
    assert host.run("metadetach d1 d3").exit_code == 0
    return host


def test_mount_on_a_directory_only_the_callers_view_has(tmp_path: Path) -> None:
    """mount.c realpath()s the mount point in the caller's view, and mount(2) takes any
    directory there (vfs.c domount()): a directory the driver just made works, though the
    model's root file system never had it. umount2(2) of it, no longer mounted, is EINVAL
    (``not mounted``, umount.c) rather than ENOENT."""
    host = detached_host()
    mp = tmp_path / "m"
    mp.mkdir()
    r = host.run(f"mount -F ufs -o ro /dev/md/dsk/d3 {mp}")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    assert f"/dev/md/dsk/d3 - {mp} ufs - no ro," in host.run("mount -p").stdout
    assert host.run(f"umount {mp}").exit_code == 0
    # the same file system mounted again elsewhere is found there (mnttab, df, lookups)
    (tmp_path / "n").mkdir()
    assert host.run(f"mount /dev/md/dsk/d3 {tmp_path}/n").exit_code == 0
    assert (f"{tmp_path}/n", "/dev/md/dsk/d3") in host.fs.mounts()
    assert host.run(f"df -k {tmp_path}/n").stdout.splitlines()[-1].endswith(f"{tmp_path}/n")
    assert host.run(f"umount {tmp_path}/n").exit_code == 0
    r = host.run(f"umount {mp}")
    assert (r.exit_code, r.stderr) == (1, f"umount: warning: {mp} not in mnttab\n"
                                          f"umount: {mp} not mounted\n")
    nothing = f"/var/tmp/svmsim-test-{os.getpid()}-nothing"    # (the model's /tmp is tmpfs)
    r = host.run(f"umount {nothing}")
    assert r.stderr.endswith(f"umount: {nothing} no such file or directory\n")


def test_a_relative_mount_point_is_made_absolute(tmp_path: Path) -> None:
    """mount.c main() hands the UFS mount ``realpath(mountp)``: mnttab has the full path."""
    host = detached_host()
    (tmp_path / "m").mkdir()
    r = host.run("mount /dev/md/dsk/d3 m/.", cwd=str(tmp_path))
    assert r.exit_code == 0, r.stderr
    assert [m for m, _ in host.fs.mounts()][-1] == f"{tmp_path}/m"


def test_a_missing_or_non_directory_mount_point(tmp_path: Path) -> None:
    """Nothing there: mount.c's ``perror(mountp)`` after realpath() fails, exit 1. A file:
    mount(2) says ENOTDIR, ufs mount.c rpterr(): ``<mp> not a directory`` / ``or a
    component of <special> is not a directory``, exit 32."""
    host = detached_host()
    none = f"/var/tmp/svmsim-test-{os.getpid()}-none"    # (the model's /tmp is tmpfs)
    r = host.run(f"mount /dev/md/dsk/d3 {none}")
    assert (r.exit_code, r.stderr) == (1, f"mount: {none}: No such file or directory\n")
    (tmp_path / "f").write_text("")
    r = host.run(f"mount /dev/md/dsk/d3 {tmp_path}/f")
    assert (r.exit_code, r.stderr) == (32, f"mount: {tmp_path}/f not a directory\n\tor a "
                                           "component of /dev/md/dsk/d3 is not a directory\n")


# ----------------------------------------------------------------------------- trees, unit
def fake_sandbox(root: Path) -> Any:
    """What MountedTrees needs of a Sandbox: host_path, root, uid, gid, owned_trees."""
    return SimpleNamespace(root=root / "sandbox", uid=os.getuid(), gid=os.getgid(),
                           host_path=lambda p, cwd="/": root / p.lstrip("/"),
                           owned_trees=set())


def test_a_mounted_tree_is_shown_as_sparse_files_with_the_models_times(tmp_path: Path) -> None:
    """Names, sizes, modes and mtimes from the model (Image.entries of the live view);
    files are sparse (nothing allocated); unmounting empties the directory."""
    host = detached_host()
    (tmp_path / "var/tmp/m").mkdir(parents=True)
    trees = MountedTrees(host, fake_sandbox(tmp_path))
    host.fs.mount("/dev/md/dsk/d3", "/var/tmp/m", readonly=True, in_view="dir")
    trees.sync()
    where = tmp_path / "var/tmp/m"
    model = list(host.fs.app_view("/var/tmp/m").entries())
    shown = sorted(str(p.relative_to(where)) for p in where.rglob("*"))
    assert shown == sorted(e.path for e in model if e.path != ".")
    for e in model:
        st = os.lstat(where / e.path)
        assert int(st.st_mtime) == int(e.mtime)
        if e.kind == "f":
            assert st.st_size == e.size and stat.S_IMODE(st.st_mode) == stat.S_IMODE(e.mode)
            assert st.st_blocks == 0
    assert trees.notes == []
    host.fs.umount("/var/tmp/m")
    trees.sync()
    assert list(where.iterdir()) == []


def test_the_drivers_writes_leave_with_the_file_system(tmp_path: Path) -> None:
    """A driver's own file in a shown tree is gone after umount; the next mount shows the
    model's tree again, without it (the model never saw it)."""
    host = detached_host()
    where = tmp_path / "mnt2"
    where.mkdir()
    trees = MountedTrees(host, fake_sandbox(tmp_path))
    host.fs.mount("/dev/md/dsk/d3", "/mnt2", in_view="dir")
    trees.sync()
    (where / "NOTE").write_text("edited by the driver\n")
    host.fs.umount("/mnt2")
    trees.sync()
    assert list(where.iterdir()) == []
    host.fs.mount("/dev/md/dsk/d3", "/mnt2", in_view="dir")
    trees.sync()
    assert not (where / "NOTE").exists() and (where / "db").is_dir()
    trees.close()
    assert list(where.iterdir()) == []


def test_a_directory_with_files_or_not_the_drivers_is_never_written(tmp_path: Path) -> None:
    """The harness writes only into an empty directory the driver owns; otherwise the report
    says why the tree is not shown."""
    host = detached_host()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine").write_text("x")
    sandbox = fake_sandbox(tmp_path)
    trees = MountedTrees(host, sandbox)
    host.fs.mount("/dev/md/dsk/d3", "/busy", in_view="dir")
    trees.sync()
    assert [p.name for p in busy.iterdir()] == ["mine"]
    assert trees.notes == ["mount /dev/md/dsk/d3 on /busy: not shown in the driver's view: "
                           "/busy already holds files in the driver's view; the mounted file "
                           "system's tree is not shown over them"]
    trees.sync()
    assert len(trees.notes) == 1        # noted once per mount
    sandbox.uid += 1
    host.fs.umount("/busy")
    (tmp_path / "other").mkdir()
    host.fs.mount("/dev/md/dsk/d3", "/other", in_view="dir")
    trees.sync()
    assert list((tmp_path / "other").iterdir()) == []
    assert trees.notes[-1].endswith("/other is this machine's own directory; the harness does"
                                    " not write there")


# ----------------------------------------------------------------------------- the script
def test_a_split_mirror_script_mounts_the_detached_submirror_and_runs_to_the_end(
        tmp_path: Path) -> None:
    """Issue 14, "What must hold": metadetach, mkdir, ``mount -F ufs -o ro`` on it, ``ls -l |
    head``, ``find -type f | wc -l`` (the model's file count), umount, metattach -- under
    ``svmsim run``, to the end. Expected values come from the same scenario in-process."""
    host = detached_host()
    (tmp_path / "m").mkdir()
    assert host.run(f"mount -o ro /dev/md/dsk/d3 {tmp_path}/m").exit_code == 0
    model = list(host.fs.app_view(f"{tmp_path}/m").entries())
    nfiles = sum(1 for e in model if e.kind == "f")
    top = sorted(e.path for e in model if e.path != "." and "/" not in e.path)
    appdb = next(e.size for e in model if e.path == "db/appdb.dbf")

    run, r, proc = harness([dash(), str(DRIVERS / "split-mount.sh")])
    out = proc.stdout.decode().splitlines()
    assert proc.returncode == 0, proc.stderr
    assert out[0] == "d1: submirror d3 is detached"
    assert out[1].startswith("total ")
    assert [line.split()[-1] for line in out[2:2 + len(top)]] == top
    assert f"files: {nfiles}" in out and f"appdb: {appdb}" in out
    blocks = next(int(x.split()[1]) for x in out if x.startswith("blocks:"))
    assert blocks < 1024                # sparse: a 6 GB file costs nothing
    assert "edited: # edited by split-mount.sh" in out     # a file there can be edited
    assert out[-3:] == ["after umount: 0 entries", "d1: submirror d3 is attached",
                        "split-mount.sh: done"]
    assert [c.exit_code for c in r.transcript.calls] == [0, 0, 0, 0]
    assert r.driver_exit == 0
    assert "submirrors-reattached" not in {c.name for c in r.failed()}


def test_a_tree_left_mounted_is_taken_away_at_the_end_of_the_run(tmp_path: Path) -> None:
    """The driver exits with the file system still mounted (on a directory it made in its
    own /var/tmp): the simulated tree is taken away when the run ends, so none of it is
    left among the driver's files, and nothing reached this machine's /var/tmp."""
    mp = f"/var/tmp/svmsim-test-{os.getpid()}-left"
    script = (f"/usr/sbin/metadetach d1 d3 >/dev/null && mkdir {mp} &&"
              f" mount /dev/md/dsk/d3 {mp} && ls {mp} && echo x > {mp}/NOTE")
    run, r, proc = harness([dash(), "-c", script], keep=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().split() == ["db", "home", "lost+found", "var"]
    assert not os.path.lexists(mp)
    assert not [p for p in r.left_files if p.startswith(mp + "/")], r.left_files
    kept = tmp_path / mp.lstrip("/")
    assert not kept.exists() or list(kept.iterdir()) == []
    assert "note: " not in to_text(r) or "not shown" not in to_text(r)


def test_mail_a_driver_sends_is_recorded_in_the_report_never_sent() -> None:
    """Backup scripts mail their result (``mailx -s subject root``); like ``logger`` it is
    kept in the run's report and goes nowhere."""
    script = "echo 'backup of /home1 failed' | mailx -s 'backup d1' root; echo rc=$?"
    run, r, proc = harness([dash(), "-c", script])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == "rc=0\n"
    assert "mailx: to root: backup d1 (recorded, never sent)" in r.notes
    assert run.host.sunos.mail[0].body == "backup of /home1 failed\n"


def test_var_adm_messages_is_there_before_any_call() -> None:
    """A real host always has /var/adm/messages; the maintenance scenario's driver finds
    the md driver's warning (md_mirror.c) there before it has run any SVM command, and the
    machine's own /var/adm is never shown."""
    run, r, proc = harness([dash(), "-c", "cat /var/adm/messages; ls /var/adm"],
                           scenario="maintenance")
    out = proc.stdout.decode()
    assert "md_mirror: [ID 104909 kern.warning] WARNING: md: d12: c2t1d0s0 needs " \
           "maintenance\n" in out, (out, proc.stderr)
    assert out.splitlines()[-1] == "messages"
