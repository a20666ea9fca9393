"""A driver's first fake call may reach the server before the harness has seen the driver's
pid (``Popen`` returns it after the child already runs; on a loaded machine the child gets
to its first call first). The call then waits for the pid and is admitted, not refused as a
stranger's: refused, the driver saw exit 127 and a campaign cell changed outcome under load
("refused a shim connection from pid ... uid 65534"). No real sleep: the test orders the two
sides with events."""

from __future__ import annotations

import os
import threading
from types import SimpleNamespace
from typing import Any

from simulator.harness.runner import HarnessRun
from simulator.harness.sandbox import Sandbox
from simulator.harness.server import Peer


class _Started(threading.Event):
    """The sandbox's start event, telling the test when a caller began to wait on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting.set()
        return super().wait(timeout)


def _run_with_sandbox() -> tuple[Any, Any]:
    sandbox = SimpleNamespace(uid=os.geteuid(), pid=None, _started=_Started())
    sandbox.driver_pid = lambda wait=10.0: Sandbox.driver_pid(sandbox, wait)  # type: ignore[arg-type]
    return SimpleNamespace(sandbox=sandbox), sandbox


def test_a_call_before_the_drivers_pid_is_seen_waits_for_it_and_is_admitted() -> None:
    run, sandbox = _run_with_sandbox()
    me = Peer(os.getpid(), os.geteuid(), os.getegid())   # "the driver" is this process
    answer: list[bool] = []
    caller = threading.Thread(target=lambda: answer.append(HarnessRun.admit(run, me)))
    caller.start()
    assert sandbox._started.waiting.wait(10), "the call did not wait for the driver's pid"
    assert not answer                    # still waiting: the pid is not known yet
    sandbox.pid = os.getpid()            # what Sandbox.run does once Popen returns
    sandbox._started.set()
    caller.join(10)
    assert answer == [True]


def test_no_driver_started_admits_no_call() -> None:
    run, sandbox = _run_with_sandbox()
    me = Peer(os.getpid(), os.geteuid(), os.getegid())
    assert Sandbox.driver_pid(sandbox, 0) is None       # type: ignore[arg-type]
    sandbox.driver_pid = lambda wait=10.0: Sandbox.driver_pid(sandbox, 0)  # type: ignore[arg-type]
    assert HarnessRun.admit(run, me) is False


def test_a_call_of_another_uid_is_refused_without_waiting() -> None:
    run, sandbox = _run_with_sandbox()
    stranger = Peer(os.getpid(), os.geteuid() + 1, os.getegid())
    assert HarnessRun.admit(run, stranger) is False
    assert not sandbox._started.waiting.is_set()
