"""docs/screenshots.py makes the browser lab's three pictures the docs show (d3 detached,
resyncing, Okay), and docs/pages/labs.md uses them."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_the_docs_show_the_three_moments():
    text = (REPO / "docs" / "pages" / "labs.md").read_text()
    for name in ("lab-detached.png", "lab-resyncing.png", "lab-okay.png"):
        assert f"images/{name}" in text
        assert (REPO / "docs" / "pages" / "images" / name).is_file()


def test_the_script_makes_them(tmp_path):
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("no chromium (Debian package chromium; .ci/run installs it)")
    pytest.importorskip("playwright.sync_api")
    script = runpy.run_path(str(REPO / "docs" / "screenshots.py"))
    written = script["main"](tmp_path)
    assert [p.name for p in written] == ["lab-detached.png", "lab-resyncing.png",
                                         "lab-okay.png"]
    for p in written:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 20000
