"""The mounted trees' cache (simulator/harness/mounts.py, TreeCache): a tree moved in from
the cache is the tree made in place, entry for entry, and a tree anything changed, or whose
run may still have a process, never goes back."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from simulator.harness import build
from simulator.harness.mounts import MountedTrees, TreeCache, signature, tree_key
from simulator.harness.runner import HarnessRun
from simulator.scenario import load_scenario

MP = "/export/m"
FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NOATIME


def mounted_host(after: float = 0.0) -> Any:
    """The seed host, ``after`` seconds of its workload, d3 then detached and mounted on MP
    (its 2,000-file tree)."""
    host = load_scenario("seed-example").build_host()
    host.advance(after)
    assert host.run("metadetach d1 d3").exit_code == 0
    host.fs.mount("/dev/md/dsk/d3", MP, readonly=True, in_view="dir")
    return host


def sandbox_in(base: Path) -> Any:
    """What MountedTrees needs of a Sandbox; the view's files under ``base/root/view``."""
    root = base / "root"
    (root / "view" / MP.lstrip("/")).mkdir(parents=True)
    return SimpleNamespace(root=root, uid=os.getuid(), gid=os.getgid(), ended=True,
                           host_path=lambda p, cwd="/": root / "view" / p.lstrip("/"),
                           owned_trees=set(), pid=None)


def listing(top: Path) -> list[tuple[object, ...]]:
    """Everything a driver could see of a tree: names, types, modes, owners, sizes,
    blocks, times (not ctime: the kernel's own), link targets. Read with O_NOATIME, so
    that reading it is no change (a directory read sets its atime)."""
    out: list[tuple[object, ...]] = []

    def walk(fd: int, rel: str) -> None:
        for name in sorted(os.listdir(fd)):
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            out.append((f"{rel}/{name}", st.st_mode, st.st_uid, st.st_gid, st.st_size,
                        st.st_blocks, st.st_mtime_ns, st.st_atime_ns,
                        os.readlink(name, dir_fd=fd) if stat.S_ISLNK(st.st_mode) else None))
            if stat.S_ISDIR(st.st_mode):
                sub = os.open(name, FLAGS, dir_fd=fd)
                try:
                    walk(sub, f"{rel}/{name}")
                finally:
                    os.close(sub)

    fd = os.open(top, FLAGS)
    try:
        walk(fd, "")
        st = os.fstat(fd)
        out.append((".", st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns))
    finally:
        os.close(fd)
    return out


def shown(tmp_path: Path, name: str, cache: TreeCache | None, host: Any = None
          ) -> tuple[MountedTrees, Path]:
    sandbox = sandbox_in(tmp_path / name)
    trees = MountedTrees(host or mounted_host(), sandbox, cache)
    trees.sync()
    assert trees.notes == []
    return trees, sandbox.root / "view" / MP.lstrip("/")


def cache_in(tmp_path: Path) -> TreeCache:
    base = tmp_path / "cache"
    base.mkdir(mode=0o700)
    return TreeCache(base)


def kept(cache: TreeCache) -> list[str]:
    return sorted(n for n in os.listdir(cache.base) if n.count(".") == 1)


def test_a_tree_from_the_cache_is_the_tree_made_in_place(tmp_path: Path) -> None:
    """Made in place (no cache), made in the cache and moved in, taken from the cache a
    second and a third time: the same entries, modes, owners, sizes, blocks, times."""
    plain, where = shown(tmp_path, "plain", None)
    want = listing(where)
    assert len(want) > 2000
    cache = cache_in(tmp_path)
    for n in range(3):
        trees, where = shown(tmp_path, f"run{n}", cache)
        assert listing(where) == want, f"run {n}"
        assert str(where) in trees.sandbox.owned_trees
        assert len(trees.shown) == 2         # /home1 too (d1's tree, alike at first)
        trees.close()
        assert list(where.iterdir()) == []
        assert len(kept(cache)) == 2         # back in the cache
    plain.close()
    assert list(where.iterdir()) == []


def test_the_signature_sees_every_kind_of_change(tmp_path: Path) -> None:
    """Each change a driver can make to a tree gives another signature."""
    _, where = shown(tmp_path, "sig", None)
    top = os.open(where, os.O_RDONLY | os.O_DIRECTORY)
    try:
        before = signature(top)
        assert signature(top) == before      # reading it changes nothing (O_NOATIME)
        f = next(p for p in where.rglob("*") if p.is_file() and not p.is_symlink())
        d = next(p for p in where.rglob("*") if p.is_dir() and not p.is_symlink())
        changes = [
            lambda: _io(f, "r+b", lambda fh: fh.write(b"x")),  # data (mtime, blocks, ctime)
            lambda: os.chmod(f, 0o600),                     # mode
            lambda: os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns)),  # ctime only
            lambda: _io(f, "rb", lambda fh: fh.read(1)),    # atime (relatime: atime <= mtime)
            lambda: (d / "NEW").write_text(""),             # a new entry
            lambda: (where / "TOP").write_text(""),         # a new entry at the top
            lambda: os.link(f, where / "LINK"),             # a hard link (nlink)
        ]
        for n, change in enumerate(changes):
            new = signature(top)
            change()
            assert signature(top) != new, f"change {n}"
    finally:
        os.close(top)


def _io(path: Path, mode: str, do: Callable[[Any], object]) -> None:
    """``do`` with ``path`` open in ``mode``, then closed."""
    with path.open(mode) as fh:
        do(fh)


@pytest.mark.parametrize("change", ["write", "read", "add", "xattr"])
def test_a_changed_tree_never_goes_back(tmp_path: Path, change: str) -> None:
    """The driver wrote, read (atime), added a file or set an attribute on the top: the
    tree is emptied in place, and the next run's tree is made afresh, as in place."""
    _, plain = shown(tmp_path, "plain", None)
    want = listing(plain)
    cache = cache_in(tmp_path)
    trees, where = shown(tmp_path, "first", cache)
    trees.close()
    assert len(kept(cache)) == 2         # MP's and /home1's
    trees, where = shown(tmp_path, "second", cache)
    f = next(p for p in sorted(where.rglob("*")) if p.is_file() and not p.is_symlink())
    if change == "write":
        with f.open("r+b") as fh:
            fh.write(b"edited")
    elif change == "read":
        with f.open("rb") as fh:         # one byte sets the atime (the file may be a sparse
            fh.read(1)                   # database of gigabytes: no need to read it all)
    elif change == "add":
        (where / "NOTE").write_text("the driver's\n")
    else:
        try:
            os.setxattr(where, "user.svmsim-test", b"1")
        except OSError:
            pytest.skip("no user extended attributes here")
    trees.close()
    assert list(where.iterdir()) == []
    assert len(kept(cache)) == 1         # /home1's went back; MP's was emptied
    trees, where = shown(tmp_path, "third", cache)
    assert listing(where) == want


def test_a_tree_goes_back_only_when_the_run_has_ended(tmp_path: Path) -> None:
    """A run whose processes may live on (killed, timed out, proot) empties its trees."""
    cache = cache_in(tmp_path)
    trees, where = shown(tmp_path, "first", cache)
    trees.sandbox.ended = False
    trees.close()
    assert list(where.iterdir()) == [] and kept(cache) == []


def test_a_tree_mounted_once_the_run_started_is_made_in_place(tmp_path: Path) -> None:
    """Once the driver started (the sandbox has its pid), a new mount's tree is made in the
    mount point and emptied there, never put in the cache."""
    cache = cache_in(tmp_path)
    sandbox = sandbox_in(tmp_path / "run")
    sandbox.pid = 12345
    trees = MountedTrees(mounted_host(), sandbox, cache)
    trees.sync()
    assert all(s.cached is None for s in trees.shown.values()) and len(trees.shown) == 2
    assert os.listdir(cache.base) == []
    trees.close()
    assert os.listdir(cache.base) == []


def test_a_tree_too_big_for_the_cache_is_made_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_ENTRIES a tree is made in place and emptied there (the cache would hold
    its inodes in memory between runs)."""
    monkeypatch.setattr(TreeCache, "MAX_ENTRIES", 100)
    cache = cache_in(tmp_path)
    trees, where = shown(tmp_path, "big", cache)
    assert all(s.cached is None for s in trees.shown.values()) and len(trees.shown) == 2
    assert len(list(where.iterdir())) == 4 and os.listdir(cache.base) == []
    trees.close()
    assert list(where.iterdir()) == [] and os.listdir(cache.base) == []


def test_a_mid_run_umount_empties_the_tree(tmp_path: Path) -> None:
    """Unmounted while the driver runs: emptied in place, never put back (the driver could
    still write in it)."""
    cache = cache_in(tmp_path)
    host = mounted_host()
    trees, where = shown(tmp_path, "first", cache, host)
    host.fs.umount(MP)
    trees.sync()
    assert list(where.iterdir()) == [] and kept(cache) == []


def test_another_tree_never_takes_a_cached_one(tmp_path: Path) -> None:
    """The key is every shown field of every entry: a workload's write makes another
    tree, made afresh."""
    cache = cache_in(tmp_path)
    trees, _ = shown(tmp_path, "first", cache)
    trees.close()
    assert len(kept(cache)) == 2
    other = mounted_host(after=600)     # the workload wrote /home1 (and d3) for 10 minutes
    trees, where = shown(tmp_path, "second", cache, other)
    _, plain = shown(tmp_path, "plain", None, other)
    assert listing(where) == listing(plain)
    assert len(kept(cache)) == 2         # the first run's trees, neither taken


def test_the_cache_keeps_a_bounded_number_of_trees(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Past KEEP trees, the ones put longest ago go; a claimed tree of a run that died
    an hour ago and a signature without its tree go too."""
    cache = cache_in(tmp_path)
    fd = os.open(cache.base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for n in range(TreeCache.KEEP + 3):
            (cache.base / f"{n:032x}.aaaaaa").mkdir()
            (cache.base / f"{n:032x}.aaaaaa" / "f").write_text("")
        (cache.base / "dead.bbbbbb.taken").mkdir()
        (cache.base / "gone.cccccc.sig").write_bytes(b"")
        real = time.time()
        monkeypatch.setattr(time, "time", lambda: real + 2 * 3600)   # two hours later
        cache.trim(fd)
    finally:
        os.close(fd)
    assert sorted(os.listdir(cache.base)) == [f"{n:032x}.aaaaaa"
                                              for n in range(3, TreeCache.KEEP + 3)]


# ------------------------------------------------------------------------- whole runs
def run(argv: list[str]) -> tuple[Any, Any]:
    r = HarnessRun(load_scenario("seed-example"), argv, timeout=60)
    return r.run(capture=True, stdin=b"")


def dash() -> str:
    return shutil.which("dash") or shutil.which("sh") or "/bin/sh"


# (ls -lRu lists each directory's atime before it reads it, which sets it to the real time)
LOOK = ("cd /home1 && ls -lRu --full-time . && ls -lR --full-time . && stat -c '%a %u %g %s"
        " %b %Y %F %N' . * */* && find . | wc -l")


def test_a_run_sees_the_same_tree_through_the_cache_or_without_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What a driver sees of /home1 (names, modes, owners, sizes, blocks, both times, link
    targets): the same with the cache off, in a run after one that put the tree back, and
    in a run after one that read it (so changed its atimes: made afresh)."""
    monkeypatch.setenv("SVMSIM_CACHE", "off")
    _, plain = run([dash(), "-c", LOOK])
    assert plain.returncode == 0, plain.stderr
    monkeypatch.delenv("SVMSIM_CACHE")
    assert run(["true"])[1].returncode == 0       # made (or taken) and, mostly, put back
    for n in range(2):
        _, proc = run([dash(), "-c", LOOK])
        assert (proc.returncode, proc.stdout) == (0, plain.stdout), f"run {n}"


def test_a_tree_mounted_by_the_driver_at_the_top_of_its_view() -> None:
    """A mount while the driver runs, on a directory it made in its view's root, is made
    in place (not through the cache: the tree depends on what the run did), every run."""
    script = ("/usr/sbin/metadetach d1 d3 >/dev/null && mkdir /svmsim-m && mount"
              " /dev/md/dsk/d3 /svmsim-m && ls /svmsim-m && ls /svmsim-m/db | head -1"
              " && echo x > /svmsim-m/NOTE && ls /svmsim-m | wc -l")
    for _ in range(2):
        result, proc = run([dash(), "-c", script])
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.decode().split() == ["db", "home", "lost+found", "var",
                                                "appdb.dbf", "5"]
        assert not [p for p in result.left_files if p.startswith("/svmsim-m/")]


def test_the_c_walk_reads_the_same_signature_as_python(tmp_path: Path) -> None:
    """csrc/svmsim_tree.c makes the records signature() makes in Python, byte for byte:
    the seed's shown tree, then a tree with links (to a directory, dangling), a name that
    is not UTF-8, names that sort differently as bytes and as text, an empty directory, a
    directory that cannot be read, every kind of change."""
    art = build.build()
    if art.tree is None:
        pytest.skip(f"no C compiler: {art.problem}")
    _, where = shown(tmp_path, "c", None)
    odd = where / "odd"
    odd.mkdir()
    (odd / "empty").mkdir()
    (odd / "dirlink").symlink_to("../db")
    (odd / "dangling").symlink_to("/nowhere")
    os.mkdir(os.fsencode(odd) + b"/caf\xe9")
    for name in ("Z", "a", "\u00e9t\u00e9", "\U0001f600", "b c"):
        (odd / name).write_text(name)
    top = os.open(where, FLAGS)
    try:
        for change in (lambda: None, lambda: (odd / "a").write_text("x"),
                       lambda: os.chmod(odd / "empty", 0o700)):
            change()
            assert signature(top, art.tree) == signature(top), change
        (odd / "empty").chmod(0)
        if os.geteuid() != 0:       # root reads it anyway: both see it
            with pytest.raises(OSError):
                signature(top, art.tree)
            with pytest.raises(OSError):
                signature(top)
        else:
            assert signature(top, art.tree) == signature(top)
    finally:
        os.close(top)
        (odd / "empty").chmod(0o755)


def test_a_trees_key_is_the_same_in_another_process() -> None:
    """The key names a tree kept between processes (each ``svmsim run`` is one): the same
    scenario's tree has the same key in a new interpreter, and another tree another."""
    code = ("import sys; from simulator.harness.mounts import tree_key; from simulator.scenario"
            " import load_scenario; h = load_scenario('seed-example').build_host();"
            " h.advance(float(sys.argv[1]));"
            " fs = next(f for f in h.fs.mounted_ufs() if f.mount == '/home1');"
            " print(tree_key(list(fs.live.entries()), (1, 2)))")
    keys = [subprocess.run([sys.executable, "-c", code, t], capture_output=True, text=True,
                           check=True).stdout for t in ("0", "0", "600")]
    host = load_scenario("seed-example").build_host()
    fs = next(f for f in host.fs.mounted_ufs() if f.mount == "/home1")
    here = tree_key(list(fs.live.entries()), (1, 2))
    assert keys[0] == keys[1] == here + "\n" != keys[2]
    assert tree_key(list(fs.live.entries()), (1, 3)) != here
