"""Every Python example in the README and docs/ runs as written, so the docs cannot rot.

A block that defines tests (``def test_``) runs under pytest in a subprocess, with
``tests/plugin`` on ``sys.path`` for ``example_driver`` as the page says; any other block is
executed as a script.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def _blocks() -> list[tuple[str, int, str]]:
    out = []
    for page in PAGES:
        for i, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), re.S)):
            out.append((str(page.relative_to(REPO)), i, block))
    return out


BLOCKS = _blocks()


def test_the_docs_have_examples() -> None:
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize(("page", "index", "code"), BLOCKS,
                         ids=[f"{p}#{i}" for p, i, _ in BLOCKS])
def test_example_runs(page: str, index: int, code: str, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "tests" / "plugin"), str(REPO), os.environ.get("PYTHONPATH", "")])}
    if "def test_" in code:
        test = tmp_path / f"test_example_{index}.py"
        test.write_text(code)
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                            "-p", "no:cacheprovider", str(test)],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
        assert r.returncode == 0, f"{page} example {index}:\n{r.stdout[-3000:]}{r.stderr[-2000:]}"
    else:
        monkeypatch.chdir(tmp_path)
        monkeypatch.syspath_prepend(str(REPO / "tests" / "plugin"))
        exec(compile(code, f"{page}#{index}", "exec"), {"__name__": "__doc_example__"})
