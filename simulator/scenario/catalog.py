"""Reading scenarios: TOML text or a file to a validated Scenario, and the shipped scenarios.

A name without ``/`` and not ending in ``.toml`` is a shipped scenario (``seed-example``);
an unknown one gets "did you mean" (difflib) and the list of shipped names. Shipped scenarios
live in ``scenarios/`` at the top of a checkout and inside an installed package.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from simulator.scenario.refs import check_references
from simulator.scenario.schema import Scenario, ScenarioError, validate_document

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"      # in a wheel
_REPO_SCENARIO_DIR = Path(__file__).resolve().parent.parent.parent / "scenarios"  # a checkout


def parse_scenario(data: str | dict[str, Any], source: str = "<scenario>",
                   default_name: str = "scenario") -> Scenario:
    """Validate a scenario (TOML text or an already parsed document) and return it."""
    if isinstance(data, str):
        try:
            data = tomllib.loads(data)
        except tomllib.TOMLDecodeError as e:
            raise ScenarioError(f"{source}: TOML syntax error: {e}") from None
    sc = validate_document(data, source, default_name)
    check_references(sc)
    return sc


def scenario_dirs() -> list[Path]:
    """Where shipped scenarios live: inside the package (installed) or the source tree."""
    return [d for d in (SCENARIO_DIR, _REPO_SCENARIO_DIR) if d.is_dir()]


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario names (file stems) and their files."""
    found: dict[str, Path] = {}
    for d in scenario_dirs():
        for p in sorted(d.glob("*.toml")):
            found.setdefault(p.stem, p)
    return dict(sorted(found.items()))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A scenario from a path (contains ``/`` or ends in ``.toml``) or a shipped name."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith(".toml"):
        path = Path(text)
    else:
        shipped = shipped_scenarios()
        if text not in shipped:
            hint = difflib.get_close_matches(text, list(shipped), n=1)
            extra = f"did you mean {hint[0]!r}? " if hint else ""
            raise ScenarioError(f"unknown scenario {text!r} ({extra}shipped: "
                                f"{', '.join(shipped) or 'none'})")
        path = shipped[text]
    try:
        data = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ScenarioError(f"{text}: cannot read scenario: {reason}") from None
    return parse_scenario(data, source=text if "/" in text or text.endswith(".toml")
                          else str(path), default_name=path.stem)
