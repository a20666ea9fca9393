"""docs/pages/dev/house.md names real files: a path in its tables that stops existing fails here."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _paths(text: str) -> list[str]:
    out = []
    for token in re.findall(r"`(simulator/[^`]+)`", text):
        m = re.fullmatch(r"(.*)\{([^}]*)\}(.*)", token)
        if m:
            out += [f"{m.group(1)}{part}{m.group(3)}" for part in m.group(2).split(",")]
        elif "<" not in token:
            out.append(token)
    return out


def test_every_file_the_house_names_exists() -> None:
    paths = _paths((REPO / "docs" / "pages" / "dev" / "house.md").read_text())
    assert len(paths) > 30
    missing = [p for p in paths if not (REPO / p).exists()]
    assert missing == []
