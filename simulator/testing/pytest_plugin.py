"""pytest plugin: the ``svm_host`` fixture, a simulated Solaris host for Python drivers.

    @pytest.mark.svm_scenario("maintenance")
    def test_backup_refuses(svm_host):
        assert my_backup.main(["d10", "d12", "/export/data"]) == 2  # its subprocess calls
        assert svm_host.calls[0].argv == ["/usr/sbin/metastat", "d10"]  # hit the simulation

The scenario comes from indirect parametrization
(``@pytest.mark.parametrize("svm_host", ["seed-example"], indirect=True)``; a parameter may
also be a built :class:`~simulator.host.Host`, which is copied) or else from
``@pytest.mark.svm_scenario(NAME_OR_PATH)``, default ``seed-example``. An unknown scenario
fails the test's setup with the scenario loader's one-line message.

Inside the test, ``subprocess`` calls of the fake commands run in-process
(:func:`simulator.inprocess.route_subprocess`), and the host's files (``/etc/vfstab``,
``/etc/mnttab``, ``/etc/lvm/md.tab``, ``/etc/lvm/mddb.cf``, ``/etc/dumpdates``,
``/etc/nodename``, ``/var/adm/messages``, the ``/dev/md/[r]dsk`` nodes, ``/dev/[r]dsk``
slices and tape drives) live in a pyfakefs file system -- the ``fs`` fixture, which the test
may use too -- together with whatever the driver writes (dump archives included). The files
are brought up to date after every fake command; ``/etc/lvm/md.tab`` written by the driver
is handed to the host before the next one (``metainit -a`` reads it), as the process
harness does. A fake command that failed inside the simulator (an internal error) fails the
test at teardown: its result would not be what Solaris does.
"""

from __future__ import annotations

import shlex
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from simulator.host import CommandResult, Host
    from simulator.inprocess import RoutedCall

DEFAULT_SCENARIO = "seed-example"
SKELETON_DIRS = ("/tmp", "/var/tmp", "/var/adm", "/etc/lvm", "/dev/md/dsk", "/dev/md/rdsk",
                 "/dev/dsk", "/dev/rdsk", "/dev/rmt")
MESSAGES = "/var/adm/messages"
MD_TAB = "/etc/lvm/md.tab"


@dataclass
class SimulatedHost:
    """What ``svm_host`` yields: the host, the fake commands run so far, and helpers."""

    host: Host
    fakefs: Any = None
    calls: list[RoutedCall] = field(default_factory=list)
    _files: dict[str, str] = field(default_factory=dict, repr=False)
    _nodes: set[str] = field(default_factory=set, repr=False)

    @property
    def argvs(self) -> list[list[str]]:
        """The argv of every fake command run so far, in order."""
        return [c.argv for c in self.calls]

    def run(self, command: str | list[str], stdin: bytes | str = b"",
            cwd: str = "/") -> CommandResult:
        """Run a fake command directly (not through ``subprocess``); it is recorded too."""
        from simulator.inprocess import RoutedCall
        self.pull_files()
        data = stdin.encode() if isinstance(stdin, str) else stdin
        result = self.host.run(command, stdin=data, cwd=cwd)
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        self.calls.append(RoutedCall(argv, data, result, cwd))
        self.after_call()
        return result

    def advance(self, seconds: float) -> None:
        """Let virtual time pass (resyncs progress), then update the files."""
        self.host.advance(seconds)
        self.sync_files()

    def sleep(self, seconds: float) -> None:
        """A ``time.sleep`` replacement: ``monkeypatch.setattr(time, "sleep", svm_host.sleep)``."""
        self.advance(seconds)

    def after_call(self, call: RoutedCall | None = None) -> None:
        """After a fake command: take the driver's md.tab (a redirection may have written
        it), then show the host's files."""
        self.pull_files()
        self.sync_files()

    def pull_files(self) -> None:
        """A driver may write /etc/lvm/md.tab (``metastat -p > /etc/lvm/md.tab``)."""
        if self.fakefs is None or not self.fakefs.exists(MD_TAB):
            return
        with open(MD_TAB, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if text != self._files.get(MD_TAB):
            self.host.md.mdtab = text
            self._files[MD_TAB] = text

    def sync_files(self) -> None:
        """Show the host's current files and device nodes in the fake file system."""
        if self.fakefs is None:
            return
        from simulator.session.hostfiles import device_nodes, etc_files, messages
        fs = self.fakefs
        for d in SKELETON_DIRS:
            if not fs.exists(d):
                fs.create_dir(d, perm_bits=0o1777 if d.endswith("tmp") else 0o755)
        files = {**etc_files(self.host), MESSAGES: messages(self.host)}
        for path, text in files.items():
            if self._files.get(path) == text and fs.exists(path):
                continue
            if fs.exists(path):
                fs.remove_object(path)
            fs.create_file(path, contents=text, encoding="utf-8")
            self._files[path] = text
        for mount in getattr(self.host.fs, "filesystems", {}):
            if mount != "/" and not fs.exists(mount):
                fs.create_dir(mount)
        nodes = set(device_nodes(self.host))
        for node in sorted(nodes - self._nodes):
            if not fs.exists(node):
                kind = stat.S_IFBLK if "/dsk/" in node else stat.S_IFCHR
                fs.create_file(node, st_mode=kind | 0o640)
        for node in sorted(self._nodes - nodes):
            if node.startswith("/dev/md/") and fs.exists(node):
                fs.remove_object(node)
        self._nodes = nodes


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "svm_scenario(name): scenario (shipped name or TOML path) for svm_host")


def _scenario_for(request: pytest.FixtureRequest) -> Any:
    param = getattr(request, "param", None)
    if param is not None:
        return param
    marker = request.node.get_closest_marker("svm_scenario")
    if marker is not None:
        if len(marker.args) != 1:
            pytest.fail("svm_scenario: give exactly one scenario name or path, e.g. "
                        "@pytest.mark.svm_scenario('maintenance')", pytrace=False)
        return marker.args[0]
    return DEFAULT_SCENARIO


def _build_host(source: Any) -> Host:
    from simulator.host import Host
    from simulator.scenario import Scenario, ScenarioError, build_host
    if isinstance(source, Host):
        return Host.from_dict(source.to_dict())      # tests must not share one host
    if not isinstance(source, (str, Scenario)) and not hasattr(source, "__fspath__"):
        pytest.fail(f"svm_host: a scenario is a name, a path, a Scenario or a Host "
                    f"(got {type(source).__name__})", pytrace=False)
    try:
        return build_host(source if isinstance(source, Scenario) else str(source))
    except ScenarioError as e:
        message = f"svm_host: {e}"
    pytest.fail(message, pytrace=False)       # outside the except: no chained traceback


def _load_commands() -> None:
    """Import every fake command now: pyfakefs hides the package files once active."""
    import importlib

    from simulator.core.registry import PROGRAMS
    for program in PROGRAMS.values():
        importlib.import_module(program.module)


@pytest.fixture
def svm_host(request: pytest.FixtureRequest) -> Iterator[SimulatedHost]:
    """A simulated host from the test's scenario, with subprocess routing and fake files."""
    from simulator.inprocess import route_subprocess
    from simulator.scenario import shipped_scenarios
    host = _build_host(_scenario_for(request))   # before the fake fs: it reads real files
    _load_commands()
    fakefs = request.getfixturevalue("fs")
    for d in {str(p.parent) for p in shipped_scenarios().values()}:
        if not fakefs.exists(d):
            fakefs.add_real_directory(d, read_only=True)   # Host.from_scenario still works
    sim = SimulatedHost(host, fakefs)
    sim.sync_files()
    with route_subprocess(host, sim.calls, fakefs=fakefs, before=sim.pull_files,
                          after=sim.after_call):
        yield sim
    if host.internal_errors:
        pytest.fail(f"svm_host: {len(host.internal_errors)} internal simulator error(s); "
                    f"the first:\n{host.internal_errors[0]}", pytrace=False)
