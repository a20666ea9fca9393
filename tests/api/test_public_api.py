"""The public API is small, flat and tested: ``simulator.__all__`` and one error root."""

from __future__ import annotations

import importlib
import inspect

import simulator
from simulator import _HOMES


def test_all_is_exactly_the_public_names_and_each_resolves() -> None:
    assert simulator.__all__ == sorted(_HOMES)
    for name in simulator.__all__:
        obj = getattr(simulator, name)
        assert obj is getattr(importlib.import_module(_HOMES[name]), name)


def test_unknown_names_raise_attribute_error() -> None:
    try:
        simulator.no_such_name  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:
        raise AssertionError("no AttributeError")


def test_every_public_error_derives_from_the_one_root() -> None:
    errors = [getattr(simulator, n) for n in simulator.__all__
              if inspect.isclass(getattr(simulator, n))
              and issubclass(getattr(simulator, n), BaseException)]
    assert {e.__name__ for e in errors} >= {"Error", "HostHung", "MDError", "ScenarioError",
                                           "StateError"}
    for e in errors:
        assert issubclass(e, simulator.Error), e
    from simulator.backup.archive import ArchiveError
    from simulator.core.strerror import SysError
    from simulator.harness.protocol import ProtocolError
    from simulator.harness.sandbox import SandboxError
    for e in (ArchiveError, ProtocolError, SandboxError, SysError):
        assert issubclass(e, simulator.Error), e


def test_a_host_from_the_public_api_runs_the_seed_procedure() -> None:
    host = simulator.build_host("seed-example")
    assert "State: Okay" in host.run("metastat d1").stdout
    for line in ("lockfs -w /home1", "metadetach d1 d3", "lockfs -u /home1",
                 "fsck -n /dev/md/rdsk/d3"):
        assert host.run(line).exit_code == 0, line
    assert host.fs.lock_of("/home1") == "unlock"
    assert host.submirrors("d1") == ["d2", "d4"]
    assert host.run("metattach d1 d3").exit_code == 0
    assert host.submirrors("d1") == ["d2", "d3", "d4"]     # Solaris 10: back in its slot
    assert host.mirrors() == ["d1"]


def test_host_builders_and_queries() -> None:
    h = simulator.Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d10", ["d11", "d12"])
    h.add_hsp("hsp001", "c3t0d0s0", "c3t1d0s0")
    assert h.mirrors() == ["d10"] and h.submirrors("d10") == ["d11", "d12"]
    assert type(h.unit("d11")).__name__ == "Stripe"
    assert "hsp001 c3t0d0s0 c3t1d0s0" in h.run("metastat -p").stdout
    try:
        h.submirrors("d11")
    except ValueError as e:
        assert "not a mirror" in str(e)
    else:
        raise AssertionError("d11 is a concat")


def test_every_program_is_in_the_independence_contract() -> None:
    """pyproject.toml's import-linter contract lists every program of the registry, so no
    program can start importing another unnoticed."""
    import tomllib
    from pathlib import Path

    from simulator.core.registry import PROGRAMS
    data = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    (contract,) = [c for c in data["tool"]["importlinter"]["contracts"]
                   if c["type"] == "independence"]
    assert sorted(contract["modules"]) == sorted({p.module for p in PROGRAMS.values()})
