"""Hostile drivers against the driver's own root and its processes (issue 8).

Source: issue 8 "The sandbox is a security boundary" and the hostile-driver report
``hostile-probe-2b802bd.md`` (D3 symlinks the harness followed, D6 escaped children, D7
writes outside /usr, /etc, /dev).  Each case runs ``svmsim run`` as a separate process, as
root (the driver then runs as uid 65534) and as an unprivileged user (``setpriv`` to uid
65534 with a private copy of the package it can import), and asserts that the machine's
files it targets are unchanged (sha256 of content, mode and owner before/after), that no
process of the run survives it, and that the verdict of the seed procedure it also runs
is unaffected.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.harness import build

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "tests" / "harness" / "drivers" / "seed.sh"
NOBODY = 65534
ROOT = os.geteuid() == 0
MODES = ["root", "unprivileged"]


# ----------------------------------------------------------------------------- machinery
def fingerprint(*paths: Path) -> dict[str, tuple[int, int, int, str]]:
    """(mode, uid, gid, sha256) of every path and everything under it; absent paths too."""
    out: dict[str, tuple[int, int, int, str]] = {}

    def one(p: Path) -> None:
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            out[str(p)] = (0, 0, 0, "absent")
            return
        digest = ""
        if p.is_file() and not p.is_symlink():
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_symlink():
            digest = os.readlink(p)
        out[str(p)] = (st.st_mode, st.st_uid, st.st_gid, digest)
        if p.is_dir() and not p.is_symlink():
            for child in sorted(p.iterdir()):
                one(child)

    for path in paths:
        one(path)
    return out


def survivors(token: str) -> list[int]:
    """Live (not zombie) processes of this machine whose command line holds ``token``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if token.encode() in cmdline and state not in ("Z", "X"):
            out.append(int(entry.name))
    return out


def wait_gone(token: str) -> list[int]:
    deadline = time.monotonic() + 5
    while survivors(token) and time.monotonic() < deadline:
        time.sleep(0.02)
    return survivors(token)


def _link_tree(src: Path, dest: Path) -> None:
    try:
        shutil.copytree(src, dest, copy_function=os.link)
    except (OSError, shutil.Error):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(src, dest)


@pytest.fixture(scope="module")
def private_site() -> Iterator[Path | None]:
    """As root: a copy of the package and its dependencies uid 65534 can import."""
    if not ROOT:
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="svmsim-sec-site-"))
    try:
        site = base / "site"
        shutil.copytree(REPO / "simulator", site / "simulator",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(REPO / "scenarios", site / "simulator" / "scenarios")
        for dep in ("faker", "pydantic", "pydantic_core", "annotated_types",
                    "typing_inspection", "typing_extensions"):
            spec = importlib.util.find_spec(dep)
            assert spec is not None and spec.origin is not None
            if spec.submodule_search_locations:
                _link_tree(Path(list(spec.submodule_search_locations)[0]), site / dep)
            else:
                shutil.copy2(spec.origin, site / Path(spec.origin).name)
        cache = base / "cache"
        art = build.build()
        if art.shim is not None:   # seed the build cache: no compile in the timed runs
            shutil.copytree(art.shim.parent, cache / "svmsim" / art.shim.parent.name)
        for p in [base, *base.rglob("*")]:
            os.lchown(p, NOBODY, NOBODY)
        base.chmod(0o755)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


class Run:
    """One ``svmsim run`` of the seed-example scenario, as root or unprivileged."""

    def __init__(self, mode: str, site: Path | None, tmp: Path) -> None:
        if mode == "root" and not ROOT:
            pytest.skip("needs root")
        self.mode, self.site, self.tmp = mode, site, tmp
        self.as_nobody = ROOT and mode == "unprivileged"
        if self.as_nobody:
            if shutil.which("setpriv") is None:
                pytest.skip("setpriv is not installed")
            check = subprocess.run(["/usr/bin/python3", "-c", "import sys; print(sys.version_info"
                                    " >= (3, 11))"], capture_output=True, text=True)
            if check.stdout.strip() != "True":
                pytest.skip("/usr/bin/python3 is missing or older than 3.11")
        # the driver's uid on the host: what a leak would write with
        self.uid = NOBODY if ROOT else os.getuid()
        self.home = self.mkdir(tmp / "home")
        self.checkout = self.mkdir(tmp / "checkout")
        (self.checkout / "README.md").write_text("the checkout's README\n")
        (self.checkout / "other").write_text("another file of the checkout\n")
        shutil.copy2(SEED, self.checkout / "seed.sh")
        for p in self.checkout.iterdir():
            os.lchown(p, self.uid, self.uid)
        self.report = tmp / "report.json"

    def mkdir(self, path: Path) -> Path:
        path.mkdir(parents=True)
        path.chmod(0o755)
        os.lchown(path, self.uid, self.uid)
        return path

    def __call__(self, script: str, *, timeout: float = 60.0) -> tuple[
            subprocess.CompletedProcess[bytes], dict, float]:
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(self.home),
               "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        if self.as_nobody:
            assert self.site is not None
            env.update(PYTHONPATH=str(self.site / "site"),
                       XDG_CACHE_HOME=str(self.site / "cache"))
            prefix = [shutil.which("setpriv") or "setpriv", f"--reuid={NOBODY}",
                      f"--regid={NOBODY}", "--clear-groups", "/usr/bin/python3"]
            out = self.tmp / "out"
            self.mkdir(out)
            self.report = out / "report.json"
        else:
            env.update(PYTHONPATH=str(REPO), XDG_CACHE_HOME=os.environ.get(
                "XDG_CACHE_HOME", str(Path.home() / ".cache")))
            prefix = [sys.executable]
        t0 = time.monotonic()
        proc = subprocess.run(
            [*prefix, "-m", "simulator.cli", "run", "--scenario", "seed-example", "--report",
             "json", "--out", str(self.report), "--timeout", str(timeout), "--",
             "sh", "-c", script],
            cwd=self.checkout, env=env, capture_output=True, timeout=120,
            stdin=subprocess.DEVNULL)
        elapsed = time.monotonic() - t0
        data = json.loads(self.report.read_text()) if self.report.exists() else {}
        return proc, data, elapsed


@pytest.fixture(params=MODES)
def run(request: pytest.FixtureRequest, private_site: Path | None) -> Iterator[Run]:
    """A directory uid 65534 can reach (not pytest's tmp_path: a pytest session of the same
    user puts its base directory back to 0700 whenever it starts)."""
    base = Path(tempfile.mkdtemp(prefix="svmsim-sec-"))
    try:
        base.chmod(0o755)
        yield Run(request.param, private_site, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def seed(dump: str = "/var/tmp/seed.dump") -> str:
    return f"sh ./seed.sh {dump} >/dev/null"


def passed(data: dict) -> list[str]:
    return [c["name"] for c in data["checks"] if not c["held"]]


# ----------------------------------------------------------------------------- writes
def test_writes_to_home_cwd_tmp_var_tmp_checkout_and_backup_stay_in_the_run(run: Run) -> None:
    """Issue 8 / report D7: ``$HOME``, the working directory (the checkout, README.md
    included), ``/tmp``, ``/var/tmp`` and ``/backup`` are writable in the run's own upper
    layers; the machine's files there are unchanged and the report lists what was left."""
    token = f"svmsim-sec-{os.getpid()}-{run.mode}"
    tmp_victim = Path(f"/tmp/{token}-victim")
    var_victim = Path(f"/var/tmp/{token}-victim")
    for victim in (tmp_victim, var_victim):
        victim.write_text("the machine's file\n")
        os.lchown(victim, run.uid, run.uid)
    (run.home / ".profile").write_text("the home's file\n")
    os.lchown(run.home / ".profile", run.uid, run.uid)
    watched = (run.home, run.checkout, tmp_victim, var_victim, Path(f"/tmp/{token}-new"),
               Path(f"/var/tmp/{token}-new"), Path("/backup"), REPO / "README.md")
    before = fingerprint(*watched)
    script = f"""
        echo pwned > $HOME/new; echo pwned >> $HOME/.profile; rm -f $HOME/.profile
        echo pwned >> README.md; echo pwned > new-file; rm -f other
        echo pwned > {tmp_victim}; echo pwned > /tmp/{token}-new
        echo pwned > {var_victim}; echo pwned > /var/tmp/{token}-new
        echo pwned >> {REPO}/README.md 2>/dev/null
        mkdir -p /backup && echo pwned > /backup/mine
        /usr/sbin/ufsdump 0f /backup/x.dump /dev/md/rdsk/d1 2>/dev/null
        cat README.md; ls /export /var/adm >/dev/null && echo solaris-dirs
        {seed()}"""
    try:
        proc, data, _ = run(script)
        after = fingerprint(*watched)
    finally:
        for victim in (tmp_victim, var_victim):
            victim.unlink(missing_ok=True)
    assert proc.returncode == 0, (proc.stderr.decode()[-2000:], data.get("notes"))
    assert after == before
    # the driver saw its own writes
    assert proc.stdout.decode().splitlines() == ["the checkout's README", "pwned",
                                                 "solaris-dirs"]
    assert passed(data) == []
    note = next(n for n in data["notes"] if n.startswith("the driver left"))
    for left in (f"{run.home}/new", f"{run.checkout}/new-file", f"/tmp/{token}-new",
                 f"/var/tmp/{token}-new", "/backup/mine", "/backup/x.dump", "/var/tmp/seed.dump"):
        assert left in note


# ----------------------------------------------------------------------------- links
def test_links_the_driver_plants_are_never_followed_by_the_harness(run: Run) -> None:
    """Report D3: ``/etc/dumpdates`` -> a root-only file (overwritten before), ``/etc/lvm/
    md.tab`` -> a secret (shown in the output and the report before), ``/dev/md`` -> a
    directory of the machine (entries made, chowned and deleted before).  The harness
    resolves them in the driver's view, where they lead into the run's own layers."""
    private = run.tmp / "private"
    private.mkdir(mode=0o700)
    victim = private / "victim"
    victim.write_text("root-only\n")
    victim.chmod(0o600)
    secret_dir = Path(tempfile.mkdtemp(prefix=".svmsim-sec-", dir=REPO))  # seen in the view
    secret = Path(secret_dir) / "secret"
    secret.write_text("TOPSECRET-CANARY-4242\n")
    secret.chmod(0o600)
    devdir = run.tmp / "devtarget"
    (devdir / "dsk").mkdir(parents=True)
    (devdir / "dsk" / "d50").write_text("a file of the machine\n")
    watched = (private, secret_dir, devdir)
    before = fingerprint(*watched)
    script = f"""
        ln -sf {victim} /etc/dumpdates
        /usr/sbin/ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d3 >/dev/null 2>&1
        ln -sf {secret} /etc/lvm/md.tab; /usr/sbin/metainit -n -a 2>&1
        ln -sf {victim} /etc/lvm/md.tab
        rm -rf /dev/md; ln -s {devdir} /dev/md
        /usr/sbin/metainit d50 1 1 c1t0d0s1 >/dev/null 2>&1; /usr/sbin/metaclear d50 >/dev/null 2>&1
        /usr/sbin/metainit d51 1 1 c1t0d0s1 >/dev/null 2>&1
        rm -f /dev/md; mkdir -p /dev/md/dsk /dev/md/rdsk
        {seed()}"""
    try:
        proc, data, _ = run(script)
        after = fingerprint(*watched)
    finally:
        shutil.rmtree(secret_dir, ignore_errors=True)
    assert after == before
    assert b"TOPSECRET" not in proc.stdout + proc.stderr
    assert "TOPSECRET" not in json.dumps(data)
    assert proc.returncode == 0, (proc.stderr.decode()[-2000:], data.get("notes"))
    assert passed(data) == []


# ----------------------------------------------------------------------------- processes
def test_children_that_leave_the_process_group_die_with_the_run(run: Run) -> None:
    """Report D6: ``setsid`` and ``setpgid`` children survived a normal exit and kept the
    caller's stderr open (765 s).  The PID namespace's first process waits for the driver;
    when it exits the kernel kills every process of the run."""
    token = f"svmsim-sec-{os.getpid()}-{run.mode}-bg"
    script = f"""
        mkfifo /tmp/f
        setsid sh -c 'read x < /tmp/f; : {token}' &
        perl -e 'setpgrp(0, 0); exec "sh", "-c", "read x < /tmp/f; : {token}"' &
        {seed()}
        exit 0"""
    proc, data, elapsed = run(script)
    assert proc.returncode == 0, (proc.stderr.decode()[-2000:], data.get("notes"))
    assert wait_gone(token) == []
    assert elapsed < 30         # the children did not hold the harness's stderr open
    assert passed(data) == []


def test_children_die_at_the_timeout(run: Run) -> None:
    """``--timeout`` kills the driver and with it the setsid child (report D6)."""
    token = f"svmsim-sec-{os.getpid()}-{run.mode}-to"
    script = f"""
        mkfifo /tmp/f /tmp/g
        setsid sh -c 'read x < /tmp/f; : {token}' &
        read y < /tmp/g"""
    proc, data, elapsed = run(script, timeout=2)
    assert wait_gone(token) == []
    assert elapsed < 30
    assert data["timed_out"] == "the driver was killed after 2 real seconds"


def test_ps_inside_shows_the_runs_processes_only(run: Run) -> None:
    """Report D7: ``ps -ef`` inside showed the harness and the machine's processes.  In the
    PID namespace it lists the run's first process, the driver and ps itself."""
    proc, data, _ = run(f"ps -ef; {seed()}")
    assert proc.returncode == 0, (proc.stderr.decode()[-2000:], data.get("notes"))
    lines = proc.stdout.decode().splitlines()
    assert lines[0].split()[:3] == ["UID", "PID", "PPID"]
    pids = sorted(int(line.split()[1]) for line in lines[1:])
    assert pids[0] == 1 and len(pids) <= 4, lines
    assert not any("simulator.cli" in line or "python" in line for line in lines), lines
    assert passed(data) == []
