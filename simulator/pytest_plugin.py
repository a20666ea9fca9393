"""pytest plugin: the ``svm_host`` fixture, a simulated Solaris host for Python drivers.

    @pytest.mark.svm_scenario("maintenance")
    def test_backup_refuses(svm_host):
        assert my_backup.main() == 1          # its subprocess calls hit the simulation
        assert svm_host.calls[0].argv[0].endswith("metastat")

The scenario comes from ``@pytest.mark.svm_scenario(NAME_OR_PATH)`` or from indirect
parametrization (``@pytest.mark.parametrize("svm_host", ["seed-example"], indirect=True)``),
default ``seed-example``. Inside the test, ``subprocess`` calls of the fake commands run
in-process, and the host's files (``/etc/vfstab``, ``/etc/mnttab``, ``/etc/lvm/md.tab``,
``/etc/dumpdates``, ``/dev/md/...``) live in a pyfakefs file system together with whatever
the driver writes (dump archives included).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .model.host import CommandResult, Host

DEFAULT_SCENARIO = "seed-example"


@dataclass
class SimulatedHost:
    """What ``svm_host`` yields: the host, the calls made so far, and a runner."""

    host: Host
    fakefs: Any = None
    calls: list[CommandResult] = field(default_factory=list)

    def run(self, command: str | list[str], stdin: bytes | str = b"") -> CommandResult:
        result = self.host.run(command, stdin=stdin)
        self.calls.append(result)
        self.sync_files()
        return result

    def sync_files(self) -> None:
        """Show the host's current /etc files and device nodes in the fake file system."""
        if self.fakefs is None:
            return
        from .hostfiles import device_nodes, etc_files, messages
        files = {**etc_files(self.host), "/var/adm/messages": messages(self.host)}
        for path, text in files.items():
            if self.fakefs.exists(path):
                self.fakefs.remove_object(path)
            self.fakefs.create_file(path, contents=text)
        for node in device_nodes(self.host):
            if not self.fakefs.exists(node):
                self.fakefs.create_file(node, st_mode=stat.S_IFCHR | 0o640)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "svm_scenario(name): scenario (shipped name or TOML path) for svm_host")


def _scenario_for(request: pytest.FixtureRequest) -> str:
    param = getattr(request, "param", None)
    if isinstance(param, str):
        return param
    marker = request.node.get_closest_marker("svm_scenario")
    if marker is not None and marker.args:
        return str(marker.args[0])
    return DEFAULT_SCENARIO


@pytest.fixture
def svm_host(request: pytest.FixtureRequest) -> Iterator[SimulatedHost]:
    """A simulated host from the test's scenario, with subprocess routing and fake files."""
    from .inprocess import route_subprocess
    from .model.host import Host
    host = Host.from_scenario(_scenario_for(request))   # before the fake fs: imports need disk
    fakefs = request.getfixturevalue("fs")
    sim = SimulatedHost(host, fakefs)
    sim.sync_files()

    class Recording(list):  # every routed call re-syncs the fake files
        def append(self, item: Any) -> None:
            super().append(item)
            sim.calls.append(item)
            sim.sync_files()

    with route_subprocess(host, Recording()):
        yield sim
