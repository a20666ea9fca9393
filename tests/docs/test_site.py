"""The documentation site: its generated references are current, it builds with
``mkdocs build --strict``, and every shell example in the README and the site runs.

Shell examples are the ``sh`` fenced blocks (a synopsis, a grammar or an output is a
``text`` block). Each runs under ``bash -e -o pipefail`` in a fresh directory holding
``drivers`` and ``scenarios`` (links to the checkout's), with this Python's ``svmsim`` first
on ``PATH``. Two set-up commands are not run again inside the tests: ``pip install -e .``
(the tests run on the installed checkout: the rest of its line runs) and ``bash .ci/run``
(it is what runs these tests).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
PAGES = [REPO / "README.md", *sorted((DOCS / "pages").rglob("*.md"))]


def _shell_blocks() -> list[tuple[str, int, str]]:
    out = []
    for page in PAGES:
        text = page.read_text()
        for i, block in enumerate(re.findall(r"```sh\n(.*?)```", text, re.S)):
            out.append((str(page.relative_to(REPO)), i, block))
    return out


BLOCKS = _shell_blocks()


def test_the_generated_references_are_current():
    r = subprocess.run([sys.executable, str(DOCS / "gen" / "generate.py"), "--check"],
                       capture_output=True, text=True, env={**os.environ,
                                                            "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr


def test_the_site_builds_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                        str(DOCS / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                       capture_output=True, text=True,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "site" / "reference" / "fidelity" / "index.html").is_file()
    assert (tmp_path / "site" / "labs" / "index.html").is_file()


def test_every_page_is_in_the_navigation():
    nav = (DOCS / "mkdocs.yml").read_text()
    for page in (DOCS / "pages").rglob("*.md"):
        assert str(page.relative_to(DOCS / "pages")) in nav, page


def test_there_are_shell_examples():
    assert len(BLOCKS) >= 12


@pytest.mark.parametrize(("page", "index", "code"), BLOCKS,
                         ids=[f"{p}#{i}" for p, i, _ in BLOCKS])
def test_shell_example_runs(page: str, index: int, code: str, tmp_path: Path) -> None:
    code = code.replace("pip install -e . && ", "")
    if code.strip() == "bash .ci/run":
        pytest.skip("the CI job itself")
    for name in ("drivers", "scenarios"):
        (tmp_path / name).symlink_to(REPO / name)
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
           "PYTHONPATH": str(REPO), "HOME": str(tmp_path), "SVMSIM_CACHE": "off",
           "SVMSIM_LAB_RECORDS": str(tmp_path / "records")}
    if shutil.which("svmsim", path=env["PATH"]) is None:
        pytest.skip("svmsim is not installed in this Python's bin directory")
    r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{page} shell example {index}:\n{code}\n--- stdout\n" \
        f"{r.stdout[-3000:]}\n--- stderr\n{r.stderr[-3000:]}"
