"""Compile the C shim client, the virtual-time LD_PRELOAD library, the sandbox's mount
helper and the tree-signature library (``csrc/svmsim_tree.c``, loaded by the harness
itself with ctypes) on demand.

Why at run time: the sources ship as package data and are built with the
machine's own ``cc`` into a cache keyed by the sources and the compiler, so
there is no wheel per platform and a rebuild happens only when they change.
A machine without a compiler is a supported case, not an error: ``build``
then returns ``Artifacts`` with ``problem`` set to a one-line reason and the
callers fall back to the pure-Python client and PATH shims for sleep/date.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

CSRC = Path(__file__).with_name("csrc")
SHIM_SOURCE = CSRC / "svmsim_shim.c"
PRELOAD_SOURCE = CSRC / "svmsim_preload.c"
SETUP_SOURCE = CSRC / "svmsim_setup.c"
TREE_SOURCE = CSRC / "svmsim_tree.c"
SHIM_NAME = "svmsim-shim"
PRELOAD_NAME = "libsvmsim_preload.so"
SETUP_NAME = "svmsim-setup"
TREE_NAME = "libsvmsim_tree.so"
COMPILE_TIMEOUT = 120.0


@dataclass(frozen=True)
class Artifacts:
    """Paths of the built programs; ``None`` for what could not be built (without the
    mount helper, ``setup``, the sandbox's setup script calls mount(8) for each mount;
    without ``tree``, the harness reads its trees' signatures in Python)."""

    shim: Path | None
    preload: Path | None
    problem: str | None = None
    setup: Path | None = None
    tree: Path | None = None

    @property
    def complete(self) -> bool:
        return self.shim is not None and self.preload is not None


def find_compiler() -> list[str] | None:
    """The C compiler command: $CC if it resolves, else cc, gcc or clang."""
    cc = os.environ.get("CC", "").strip()
    if cc:
        words = shlex.split(cc)
        found = shutil.which(words[0])
        return [found, *words[1:]] if found else None
    for name in ("cc", "gcc", "clang"):
        found = shutil.which(name)
        if found:
            return [found]
    return None


def available() -> bool:
    """True when a C compiler exists on this machine."""
    return find_compiler() is not None


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "svmsim"


def _key(compiler: list[str]) -> str:
    h = hashlib.sha256()
    for src in (SHIM_SOURCE, PRELOAD_SOURCE, SETUP_SOURCE, TREE_SOURCE):
        h.update(src.read_bytes())
    h.update(" ".join([os.path.realpath(compiler[0]), *compiler[1:]]).encode())
    h.update(os.uname().machine.encode())   # platform.machine(), without importing platform
    return h.hexdigest()[:16]


def _compile(
    compiler: list[str], variants: list[tuple[list[str], list[str]]], source: Path, target: Path
) -> str | None:
    """Try each (flags, libs) variant; return None on success, else the first error line."""
    if target.exists():
        return None
    error = "no output"
    for flags, libs in variants:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(fd)
        try:
            proc = subprocess.run(
                [*compiler, *flags, "-o", tmp, str(source), *libs],
                capture_output=True,
                text=True,
                timeout=COMPILE_TIMEOUT,
                check=False,
            )
            if proc.returncode == 0:
                os.chmod(tmp, 0o755)
                os.replace(tmp, target)
                return None
            lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
            error = lines[0] if lines else f"exit status {proc.returncode}"
        except (OSError, subprocess.TimeoutExpired) as exc:
            error = str(exc)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return f"{source.name}: {error}"


def build(cache_dir: Path | None = None, *, compiler: list[str] | None = None) -> Artifacts:
    """Build (or reuse) the shim and the preload library; never raises."""
    cc = compiler or find_compiler()
    if cc is None:
        return Artifacts(
            None, None, "no C compiler (cc/gcc/clang) found; using the Python shim client"
        )
    try:
        out = Path(cache_dir) if cache_dir else cache_root() / _key(cc)
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return Artifacts(None, None, f"cannot create the build cache: {exc}")
    shim, preload, setup = out / SHIM_NAME, out / PRELOAD_NAME, out / SETUP_NAME
    tree = out / TREE_NAME
    problems = []
    # Static: no dynamic loader at exec time, which is most of a shim's cost.
    static: list[tuple[list[str], list[str]]] = [(["-O2", "-static"], []), (["-O2"], [])]
    err = _compile(cc, static, SHIM_SOURCE, shim)
    if err:
        problems.append(err)
    err = _compile(cc, static, SETUP_SOURCE, setup)
    if err:
        problems.append(err)
    so_flags = ["-O2", "-fPIC", "-shared"]
    err = _compile(cc, [(so_flags, ["-ldl", "-lm"]), (so_flags, ["-lm"])], PRELOAD_SOURCE, preload)
    if err:
        problems.append(err)
    err = _compile(cc, [(so_flags, [])], TREE_SOURCE, tree)
    if err:
        problems.append(err)
    return Artifacts(
        shim if shim.exists() else None,
        preload if preload.exists() else None,
        "; ".join(problems) or None,
        setup if setup.exists() else None,
        tree if tree.exists() else None,
    )


def main() -> int:
    art = build()
    print(f"shim:    {art.shim or '-'}")
    print(f"preload: {art.preload or '-'}")
    print(f"setup:   {art.setup or '-'}")
    print(f"tree:    {art.tree or '-'}")
    if art.problem:
        print(f"problem: {art.problem}", file=sys.stderr)
    return 0 if art.complete else 1


if __name__ == "__main__":
    sys.exit(main())
