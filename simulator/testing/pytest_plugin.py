"""pytest plugin: the ``svm_host`` fixture, a simulated Solaris host for Python drivers.

    @pytest.mark.svm_scenario("maintenance")
    def test_backup_refuses(svm_host):
        assert my_backup.main(["d10", "d12", "/export/data"]) == 2  # its subprocess calls
        assert svm_host.calls[0].argv == ["/usr/sbin/metastat", "d10"]  # hit the simulation

The scenario comes from indirect parametrization
(``@pytest.mark.parametrize("svm_host", ["seed-example"], indirect=True)``; a parameter may
also be a built :class:`~simulator.host.Host`, which is copied) or else from
``@pytest.mark.svm_scenario(NAME_OR_PATH)``, default ``seed-example``. An unknown scenario
fails the test's setup with the scenario loader's one-line message. Faults:
``@pytest.mark.svm_faults("panic@ufsdump:50%", ...)`` or ``svm_host.fault(SPEC)`` in the test.

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

The fixture is a thin front over :class:`simulator.session.session.Session`, as the process
harness is: the session runs and records every call, mirrors the files (through a
:class:`~simulator.session.hostfiles.FakeFsView`), and gives the same verdict
(``svm_host.verdict()``, a :class:`~simulator.session.verdict.RunResult`).
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from simulator.core.files import FileAccess
from simulator.session.checks import Expectations
from simulator.session.hostfiles import FakeFsView, FileMirror
from simulator.session.session import Session
from simulator.session.transcript import Call
from simulator.session.verdict import RunResult, result_of

if TYPE_CHECKING:
    from pyfakefs.fake_filesystem import FakeFilesystem

    from simulator.faults import Armed, Fault
    from simulator.host import CommandResult, Host
    from simulator.scenario import Scenario

DEFAULT_SCENARIO = "seed-example"


@dataclass
class SimulatedHost:
    """What ``svm_host`` yields: the host, the fake commands run so far, and helpers."""

    host: Host
    fakefs: FakeFilesystem | None = None
    scenario: str = DEFAULT_SCENARIO
    expect: Expectations = field(default_factory=Expectations)
    session: Session = field(init=False, repr=False)

    def __post_init__(self) -> None:
        mirror = (FileMirror(self.host, FakeFsView(self.fakefs), messages=True)
                  if self.fakefs is not None else None)
        self.session = Session(self.host, mirror)
        self.virtual_start = self.host.clock.now
        self.real_start = time.monotonic()

    @property
    def calls(self) -> list[Call]:
        """Every fake command run so far (``argv``, ``stdin``, ``cwd``, ``result``,
        ``exit_code``, ``stdout``, ``stderr``...), in order."""
        return self.session.transcript.calls

    @property
    def argvs(self) -> list[list[str]]:
        """The argv of every fake command run so far, in order."""
        return [c.argv for c in self.calls]

    def run(self, command: str | list[str], stdin: bytes | str = b"",
            cwd: str = "/") -> CommandResult:
        """Run a fake command directly (not through ``subprocess``); it is recorded too."""
        data = stdin.encode() if isinstance(stdin, str) else stdin
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        return self.session.dispatch(argv, stdin=data, cwd=cwd).result

    def advance(self, seconds: float) -> None:
        """Let virtual time pass (resyncs progress), then update the files."""
        self.session.advance(seconds)

    def sleep(self, seconds: float) -> None:
        """A ``time.sleep`` replacement: ``monkeypatch.setattr(time, "sleep", svm_host.sleep)``.
        The sleep is recorded in the transcript, as the harness records a driver's."""
        self.session.sleep(seconds)

    def fault(self, *specs: str | Fault, seed: int = 0) -> list[Armed]:
        """Arm faults on the host (one-line specs or :class:`~simulator.faults.Fault`):
        ``svm_host.fault("component-error:c2t0d0s0@after:metadetach")``. A fault that takes
        the host down raises :class:`~simulator.core.errors.HostPanic` out of the fake
        command's ``subprocess`` call (the driver dies with the host; the host has booted
        again); the verdict then says ``crashed`` or ``left-degraded``. ``seed`` seeds the
        ``p:`` triggers (the first call only: the plan keeps its generator)."""
        from simulator.faults import arm
        plan = arm(self.host, [], seed=seed)
        armed = [plan.add(spec) for spec in specs]
        self.sync_files()
        return armed

    def sync_files(self) -> None:
        """Show the host's current files and device nodes in the fake file system (after a
        change made to ``host`` directly)."""
        if self.session.mirror is not None:
            self.session.mirror.push()

    def verdict(self, driver_exit: int | None = 0,
                expect: Expectations | dict[str, Any] | None = None, *,
                expected: Sequence[str] | None = None) -> RunResult:
        """The harness's verdict over what the test's driver did so far.

        ``driver_exit`` is what the driver returned (``main()``'s value, a ``SystemExit``
        code; None: it never finished); ``expect`` overrides the scenario's ``[expect]``,
        ``expected`` its acceptable outcomes (as ``svmsim run --expect``). The same outcome
        and checks as ``svmsim run``, judged against the host as the fixture began, in the
        same :class:`RunResult` (``outcome``, ``reason``, ``expected``, ``checks``,
        ``passed``).
        """
        want = expect if isinstance(expect, Expectations) else \
            Expectations.from_dict(expect) if expect is not None else self.expect
        files = FileAccess()
        judgement = self.session.judge(driver_exit, want, resolve=files.resolve,
                                       expected=tuple(expected) if expected else None)
        return result_of(
            judgement, scenario=self.scenario, command=["pytest"], driver_exit=driver_exit,
            transcript=self.session.transcript, method="in-process",
            shim="subprocess", hung=self.session.hung, virtual_start=self.virtual_start,
            virtual_end=self.host.clock.now, real_seconds=time.monotonic() - self.real_start,
            hostname=self.host.hostname)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "svm_scenario(name): scenario (shipped name or TOML path) for svm_host")
    config.addinivalue_line(
        "markers", "svm_faults(*specs): faults armed on svm_host before the test (one-line "
        "specs, e.g. 'panic@ufsdump:50%')")


def _scenario_for(request: pytest.FixtureRequest) -> object:
    param = getattr(request, "param", None)   # set only under indirect parametrization
    if param is not None:
        return param
    marker = request.node.get_closest_marker("svm_scenario")
    if marker is not None:
        if len(marker.args) != 1:
            pytest.fail("svm_scenario: give exactly one scenario name or path, e.g. "
                        "@pytest.mark.svm_scenario('maintenance')", pytrace=False)
        return marker.args[0]
    return DEFAULT_SCENARIO


def _load(source: object) -> tuple[Host, Scenario | None]:
    """The host for ``source`` (a name, a path, a Scenario, a Host), and its scenario."""
    from simulator.host import Host
    from simulator.scenario import Scenario, ScenarioError, load_scenario
    if isinstance(source, Host):
        return Host.from_dict(source.to_dict()), None   # tests must not share one host
    if not isinstance(source, (str, os.PathLike, Scenario)):
        pytest.fail(f"svm_host: a scenario is a name, a path, a Scenario or a Host "
                    f"(got {type(source).__name__})", pytrace=False)
    try:
        scenario = source if isinstance(source, Scenario) else load_scenario(str(source))
        return scenario.build_host(), scenario
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
    host, scenario = _load(_scenario_for(request))   # before the fake fs: it reads real files
    _load_commands()
    fakefs = request.getfixturevalue("fs")
    for d in {str(p.parent) for p in shipped_scenarios().values()}:
        if not fakefs.exists(d):
            fakefs.add_real_directory(d, read_only=True)   # Host.from_scenario still works
    sim = SimulatedHost(host, fakefs,
                        scenario=scenario.name if scenario else host.hostname,
                        expect=Expectations.from_dict(scenario.expect if scenario else None))
    marker = request.node.get_closest_marker("svm_faults")
    if marker is not None:
        from simulator.faults import FaultError
        try:
            sim.fault(*marker.args)
        except FaultError as e:
            pytest.fail(f"svm_faults: {e}", pytrace=False)
    sim.sync_files()
    with route_subprocess(sim.session, fakefs=fakefs):
        yield sim
    if host.internal_errors:
        pytest.fail(f"svm_host: {len(host.internal_errors)} internal simulator error(s); "
                    f"the first:\n{host.internal_errors[0]}", pytrace=False)
