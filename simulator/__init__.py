"""svmsim: a simulator of Solaris Volume Manager hosts, for testing backup scripts on Linux.

The public API is this module's ``__all__`` (tested): build a host from a scenario, run fake
commands on it, run a driver against it and judge the run. Everything else is internal and
may move. Names are imported on first use, so that the fake-command path (``svmsim exec``)
pays only for what it runs. Every error svmsim raises to a user derives from :class:`Error`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.backup.verify import BackupReport, verify_backup
    from simulator.core.errors import Error, HostHung
    from simulator.harness.runner import run_driver
    from simulator.host import CommandResult, Host
    from simulator.inprocess import route_subprocess
    from simulator.lvm.errors import MDError
    from simulator.scenario import Scenario, ScenarioError, build_host, load_scenario
    from simulator.session.verdict import RunResult
    from simulator.state_store import StateError, StateStore

# public name -> module that defines it
_HOMES = {
    "Error": "simulator.core.errors",
    "HostHung": "simulator.core.errors",
    "MDError": "simulator.lvm.errors",
    "Host": "simulator.host",
    "CommandResult": "simulator.host",
    "Scenario": "simulator.scenario",
    "ScenarioError": "simulator.scenario",
    "load_scenario": "simulator.scenario",
    "build_host": "simulator.scenario",
    "StateError": "simulator.state_store",
    "StateStore": "simulator.state_store",
    "run_driver": "simulator.harness.runner",
    "RunResult": "simulator.session.verdict",
    "route_subprocess": "simulator.inprocess",
    "verify_backup": "simulator.backup.verify",
    "BackupReport": "simulator.backup.verify",
}
__all__ = [
    "BackupReport", "CommandResult", "Error", "Host", "HostHung", "MDError", "RunResult",
    "Scenario", "ScenarioError", "StateError", "StateStore", "build_host", "load_scenario",
    "route_subprocess", "run_driver", "verify_backup",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
