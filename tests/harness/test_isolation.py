"""Isolation: a run never changes the host, works unprivileged, under proot, with Python shims.

The driver (``drivers/tamper.sh``) runs the seed procedure and then writes to /etc,
/usr/sbin and /dev as the root it believes it is; the host's listings and mtimes must be
the same afterwards. The unprivileged run is a separate ``svmsim run`` process: as root it
runs under ``setpriv`` as uid 65534 on a private copy of the package it can read.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.harness import build
from simulator.harness.runner import HarnessRun, run_driver
from simulator.scenario import load_scenario
from simulator.session.verdict import to_json, to_text

REPO = Path(__file__).resolve().parents[2]
DRIVERS = Path(__file__).resolve().parent / "drivers"
NOBODY = 65534
# What a leaking sandbox would leave on the host.
SOLARIS_PATHS = ("/usr/sbin/metastat", "/usr/sbin/svmsim-isolation-probe", "/usr/opt",
                 "/usr/lib/svmsim", "/etc/vfstab", "/etc/mnttab", "/etc/dumpdates",
                 "/etc/lvm", "/etc/ld.so.preload", "/etc/svmsim-isolation-probe", "/dev/md",
                 "/dev/rmt")


def sh() -> str:
    path = shutil.which("dash") or shutil.which("sh")
    if path is None:
        pytest.skip("no POSIX shell")
    return path


@pytest.fixture
def dump(request: pytest.FixtureRequest) -> Iterator[str]:
    path = Path(f"/var/tmp/svmsim-test-{os.getpid()}-{request.node.name}.dump"
                .replace("[", "-").replace("]", ""))
    path.unlink(missing_ok=True)
    yield str(path)
    path.unlink(missing_ok=True)


def snapshot() -> dict[str, tuple[int, int]]:
    """(mtime, mode) of /usr/sbin, /etc and /dev and of every entry in them; in /dev
    only regular files keep their mtime (ttys and /dev/shm change on their own)."""
    out: dict[str, tuple[int, int]] = {}
    for top in ("/usr/sbin", "/etc", "/dev"):
        st = os.lstat(top)
        out[top] = (st.st_mtime_ns if top != "/dev" else 0, st.st_mode)
        for e in os.scandir(top):
            est = e.stat(follow_symlinks=False)
            keep = top != "/dev" or stat.S_ISREG(est.st_mode)
            out[e.path] = (est.st_mtime_ns if keep else 0, est.st_mode)
    for path in SOLARIS_PATHS:
        out[f"exists:{path}"] = (int(os.path.lexists(path)), 0)
    return out


@pytest.mark.parametrize("method", ["auto", "proot"])
def test_host_unchanged_after_a_tampering_driver(method: str, dump: str) -> None:
    if method == "proot" and shutil.which("proot") is None:
        pytest.skip("proot is not installed")
    before = snapshot()
    kw = {"method": "proot"} if method == "proot" else {}
    run = HarnessRun(load_scenario("seed-example"),
                     [sh(), str(DRIVERS / "tamper.sh"), str(DRIVERS / "seed.sh"), dump],
                     timeout=60, **kw)  # type: ignore[arg-type]
    r, proc = run.run(capture=True, stdin=b"")
    after = snapshot()
    assert proc.returncode == 0, proc.stderr
    assert r.passed, [(c.name, c.summary) for c in r.failed()]
    # the writes landed inside: the driver saw them
    out = proc.stdout.decode().splitlines()
    assert out[0] == "tampered by svmsim test"
    assert out[1:] == ["d1", "d2", "d3", "d4", "d50"]
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert changed == []
    for path in ("/usr/sbin/metastat", "/dev/md", "/etc/ld.so.preload", "/usr/lib/svmsim"):
        assert not os.path.lexists(path)
    assert not os.path.lexists("/etc/vfstab") or before["exists:/etc/vfstab"] == (1, 0)
    if method == "proot":
        assert r.method == "proot"
    # the report says how the run was made
    assert f"sandbox {r.method}, {r.shim} shims" in to_text(r).replace("\n", " ")
    data = json.loads(to_json(r))
    assert (data["sandbox"], data["shim"]) == (r.method, r.shim)


def test_a_run_leaves_nothing_in_the_temp_dir(dump: str, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="svmsim-test-tmp-"))
    try:
        tmp.chmod(0o755)     # the unprivileged uid keeps its sandbox here when we are root
        monkeypatch.setattr(tempfile, "tempdir", str(tmp))
        r = run_driver("seed-example", [sh(), str(DRIVERS / "seed.sh"), dump],
                       capture=True, stdin=b"", timeout=60)
        assert r.passed
        assert sorted(os.listdir(tmp)) == []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_python_shims(dump: str) -> None:
    r = run_driver("seed-example", [sh(), str(DRIVERS / "seed.sh"), dump], client="python",
                   capture=True, stdin=b"", timeout=60)
    assert r.shim == "python"
    assert r.passed, [(c.name, c.summary) for c in r.failed()]
    assert len(r.transcript.calls) == 7
    assert "python shims" in to_text(r).replace("\n", " ")


def _link_tree(src: Path, dest: Path) -> None:
    """Hard links where possible (fast; files keep their owner), else copies."""
    try:
        shutil.copytree(src, dest, copy_function=os.link)
    except (OSError, shutil.Error):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(src, dest)


def _private_install(home: Path) -> Path:
    """A copy of the package and its run-time dependency uid 65534 can import."""
    site = home / "site"
    shutil.copytree(REPO / "simulator", site / "simulator",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "scenarios", site / "simulator" / "scenarios")   # as a wheel has it
    for dep in ("faker", "pydantic", "pydantic_core", "annotated_types", "typing_inspection",
                "typing_extensions"):
        spec = importlib.util.find_spec(dep)
        assert spec is not None and spec.origin is not None
        if spec.submodule_search_locations:     # a package
            _link_tree(Path(list(spec.submodule_search_locations)[0]), site / dep)
        else:                                   # a single-file module
            shutil.copy2(spec.origin, site / Path(spec.origin).name)
    return site


def test_svmsim_run_as_an_unprivileged_user(dump: str) -> None:
    root = os.geteuid() == 0
    home = Path(tempfile.mkdtemp(prefix="svmsim-unpriv-"))
    try:
        driver = home / "seed.sh"
        shutil.copy2(DRIVERS / "seed.sh", driver)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(home),
               "XDG_CACHE_HOME": str(home / "cache"), "PYTHONDONTWRITEBYTECODE": "1",
               "LANG": "C.UTF-8"}
        art = build.build()
        if art.shim is not None:   # seed the build cache: no compile in the timed run
            shutil.copytree(art.shim.parent, home / "cache" / "svmsim" / art.shim.parent.name)
        if root:
            setpriv, python = shutil.which("setpriv"), "/usr/bin/python3"
            if setpriv is None:
                pytest.skip("setpriv is not installed")
            check = subprocess.run([python, "-c", "import sys; print(sys.version_info >= "
                                    "(3, 11))"], capture_output=True, text=True)
            if check.stdout.strip() != "True":
                pytest.skip(f"{python} is missing or older than 3.11")
            env["PYTHONPATH"] = str(_private_install(home))
            home.chmod(0o755)
            for p in [home, driver, *(home / "cache").rglob("*")]:
                os.chown(p, NOBODY, NOBODY)
            prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        else:
            python, prefix = sys.executable, []
            env["PYTHONPATH"] = str(REPO)
        report = home / "report.json"
        proc = subprocess.run(
            [*prefix, python, "-m", "simulator.cli", "run", "--scenario", "seed-example",
             "--report", "json", "--out", str(report), "--", "sh", str(driver), dump],
            cwd=home, env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        data = json.loads(report.read_text())
        assert report.stat().st_uid == (NOBODY if root else os.getuid())
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert data["passed"] and data["driver_exit"] == 0
    assert data["sandbox"] in ("unshare", "proot") and data["shim"] in ("c", "python")
    if art.shim is not None:
        assert data["shim"] == "c"
    # the archive stayed in the run's own /var/tmp (issue 8): listed in the report, not on
    # the machine
    assert not os.path.lexists(dump)
    assert f"the driver left 1 file in its view: {dump}" in data["notes"]
    assert b"DUMP IS DONE" in proc.stderr


def test_a_cwd_the_driver_cannot_enter_is_a_report_note(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """As root from a 0700 checkout: the driver starts in /, and says so only in the report
    (its stderr is its own, byte for byte)."""
    if os.geteuid() != 0:
        pytest.skip("only a root harness runs the driver as another uid")
    private = tmp_path / "checkout"
    private.mkdir()
    private.chmod(0o700)
    monkeypatch.chdir(private)
    run = HarnessRun(load_scenario("seed-example"),
                     [sh(), "-c", "pwd; /usr/sbin/metastat -p d1 >/dev/null; echo done >&2"],
                     timeout=60)
    r, proc = run.run(capture=True, stdin=b"")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"/\n", b"done\n")
    assert r.notes == [f"uid {NOBODY} cannot enter {private}; the driver started in /"]
    assert f"note: uid {NOBODY} cannot enter" in to_text(r)
