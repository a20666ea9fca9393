"""The fidelity matrix (docs/gen/fidelity.py) and the COVERAGE each program declares.

Cheap honesty checks of each declaration against its own module: the getopt strings it
names are read by the module, every option letter it claims is one of them and is handled
in the module's code, every word it claims appears there, and every source it cites is an
illumos path (``usr/src/...``) unless the program is svmsim's own (dbctl).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from simulator.core.coverage import Coverage
from simulator.core.registry import PROGRAMS

REPO = Path(__file__).resolve().parents[2]
NAMES = sorted(PROGRAMS)


def _fidelity() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fidelity", REPO / "docs/gen/fidelity.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _coverage(name: str) -> Coverage:
    cov = importlib.import_module(PROGRAMS[name].module).COVERAGE
    assert isinstance(cov, Coverage)
    return cov


def _files(name: str) -> list[Path]:
    """The module's source files (every file of a package such as ufsdump)."""
    module = importlib.import_module(PROGRAMS[name].module)
    path = Path(module.__file__ or "")
    return sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path]


def _strings(name: str) -> list[str]:
    """Every string constant of the module's code outside its COVERAGE declaration."""
    out: list[str] = []
    for path in _files(name):
        tree = ast.parse(path.read_text())
        skip: set[int] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "COVERAGE" for t in node.targets):
                skip |= {id(n) for n in ast.walk(node)}
        out += [n.value for n in ast.walk(tree) if id(n) not in skip
                and isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_program_declares_its_coverage(name: str) -> None:
    cov = _coverage(name)
    assert cov.options or cov.not_simulated or cov.messages


@pytest.mark.parametrize("name", NAMES)
def test_sources_are_illumos_paths_or_svmsims_own(name: str) -> None:
    cov = _coverage(name)
    if cov.own:
        assert cov.source == ()
    else:
        assert cov.source
        for path in cov.source:
            assert path.startswith("usr/src/") and ".." not in path, path


@pytest.mark.parametrize("name", NAMES)
def test_getopt_strings_are_read_by_the_module(name: str) -> None:
    strings = _strings(name)
    for optstring in _coverage(name).getopt:
        assert optstring in strings, optstring


@pytest.mark.parametrize("name", NAMES)
def test_claimed_options_appear_in_the_module(name: str) -> None:
    """A letter ``-x`` is in a getopt string the program reads and its code names it
    (``"x"``, ``"-x"``, or a short letter set such as ``"sna"``); a word (``if=``,
    ``rewind``, ``softpart``) appears in one of its strings."""
    cov = _coverage(name)
    strings = _strings(name)
    letters = "".join(cov.getopt).replace(":", "")
    for word in cov.option_words():
        token = word.lstrip("-").split("=")[0].strip(".") or "-"
        if len(token) == 1 and token != "-":
            if word.startswith("-") and cov.getopt:
                assert token in letters, (name, word)
            assert any(s == token or f"-{token}" in s or (
                token in s and len(s) <= 20 and " " not in s and s not in cov.getopt)
                for s in strings), (name, word)
        else:
            assert any(token in s for s in strings), (name, word)


def test_render_names_every_program() -> None:
    text = _fidelity().render()
    for name in NAMES:
        assert f"\n## {name}\n" in text
        assert f"[{name}](#{name})" in text
        for path in PROGRAMS[name].paths:
            assert f"`{path}`" in text


def test_render_is_deterministic() -> None:
    fidelity = _fidelity()
    first = fidelity.render()
    assert first == _fidelity().render()
    assert first.endswith("\n") and "\n\n\n" not in first


def test_render_orders_by_service_then_name() -> None:
    fidelity = _fidelity()
    order = [p.name for p in fidelity.programs()]
    assert order == sorted(order, key=lambda n: (PROGRAMS[n].module.split(".")[1], n))
    text = fidelity.render()
    assert [text.index(f"\n## {n}\n") for n in order] == sorted(
        text.index(f"\n## {n}\n") for n in order)
