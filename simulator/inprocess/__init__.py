"""Python drivers in-process: ``subprocess`` calls of the fake commands answer from a Host.

A Python backup driver calls ``subprocess.run(["/usr/sbin/metastat", "d1"], ...)``. Inside
:func:`route_subprocess` such calls never start a process: they run on the simulated host,
and the driver gets what the real command would have given it.

How: while the block is active, ``subprocess.Popen.__init__`` is wrapped, so every way of
starting a process goes through it -- ``run``, ``call``, ``check_call``, ``check_output``,
``getoutput``, ``Popen`` (even as ``from subprocess import Popen`` done before the block)
and ``os.popen`` --, and ``os.system`` is wrapped too. A command is *fake* when its name is
one of :data:`simulator.core.registry.PROGRAMS`, called bare (``metastat``) or at one of its
Solaris paths (``/usr/sbin/metastat``). Then the ``Popen`` object becomes a
:class:`FakePopen`: a real ``subprocess.Popen`` instance (``isinstance`` holds) whose
streams, ``communicate``, ``wait``, ``poll``, ``returncode`` and context manager behave as a
finished process's do. ``run``'s ``check=True`` (``CalledProcessError``), ``capture_output``,
``text``/``encoding``/``errors``, ``input=``, ``stderr=STDOUT`` and ``timeout`` are the
standard library's own code working on that object.

Everything else runs for real, unchanged (``echo``, ``/usr/sbin/metaset`` -- which is not
simulated, so it raises ``FileNotFoundError`` just as it does without the simulation).

Shell strings (``shell=True``, ``os.system``, ``os.popen``) are routed when they are one
simple command, optionally with the redirections ``>file``, ``>>file``, ``<file``, ``2>&1``
(any of fds 0-2). Anything else -- pipes, ``;``, ``&&``, variables, globs, command
substitution -- goes to the real ``/bin/sh``, which cannot find ``/usr/sbin/metastat`` on
Linux: routing happens in this Python process, and a real shell's children are other
processes that never come back here. Drive such scripts with the process harness
(``svmsim run``), which puts the fake commands on the sandbox's disk. A warning
(:class:`UnroutedCommandWarning`) says when such a string names a fake command.

A command that hangs the host (``lockfs -w /``) never returns: ``wait``/``communicate`` with
a ``timeout`` raise ``subprocess.TimeoutExpired``, and without one raise
:class:`simulator.HostHung` (a test would otherwise block forever).

The calls run on a :class:`simulator.session.session.Session`, the one the process harness
uses too, and are recorded as its :class:`~simulator.session.transcript.Call`
(``RoutedCall`` is that type, under the name this package always gave it). Modules:
``popen`` (:class:`FakePopen` and its pipes), ``route`` (:func:`route_subprocess`, the
``Popen``/``os.system`` wrappers); the simple-command tokenizer is
:mod:`simulator.core.shellwords` (the lab shell shares it).
"""

from __future__ import annotations

from typing import TypeAlias

from simulator.core.shellwords import Redirect, ShellCommand, parse_shell
from simulator.inprocess.popen import FakePopen
from simulator.inprocess.route import (
    Router,
    UnroutedCommandWarning,
    fake_argv,
    plan_command,
    route_subprocess,
    run_argv,
)
from simulator.session.transcript import Call

RoutedCall: TypeAlias = Call   # one fake command run in-process (the session's Call)

__all__ = ["FakePopen", "Redirect", "RoutedCall", "Router", "ShellCommand",
           "UnroutedCommandWarning", "fake_argv", "parse_shell", "plan_command",
           "route_subprocess", "run_argv"]
