"""The lab shell: a trainee's command lines run on one simulated host, recorded and graded.

:class:`LabShell` is the third front over :class:`~simulator.session.session.Session` (the
process harness and the in-process routing are the others): it builds the lab's host,
keeps its files in memory (:mod:`simulator.lab.files`), and runs each line the trainee
types -- at a terminal (:mod:`simulator.lab.terminal`) or from an answer file -- as a
Bourne shell would run the small part of the language an administrator types at a root
prompt: simple commands joined by ``|``, ``;``, ``&&`` and ``||``, with the redirections
``>``, ``>>``, ``<``, ``2>&1``, ``2>file`` (the words are :mod:`simulator.core.shellwords`'s).
Variables, globs and substitutions are refused with one line saying so.

A command is one of: a fake Solaris program (the registry's: every SVM and UFS command,
``format``, ``prtvtoc``, ``iostat``, ``mt``, ``man``...), one of the shell's small
utilities (:mod:`simulator.lab.utilities`), ``reboot``/``init 6``, ``lab ...`` (the lab's
own: task, hint, check, status, reset, help) and ``exit``. Anything else is ``NAME: not
found``, as ``/sbin/sh`` says it: nothing of the Linux machine shows through.

``lockfs -w /`` hangs the host (the Admin Guide's warning; ``simulator.ufs.locks``): from
then on the console answers nothing, the lab explains what happened, and ``reboot`` is the
operator's way out (a break to the ok prompt and ``sync``: the host panics, dumps and boots,
``/var/adm/messages`` shows it).

Everything is recorded (:meth:`LabShell.record`): each line, what it printed, every
command with its exit status and the changes it made, the session's transcript (fake calls,
read-only ones included), hints taken, resets, and the grade.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import RenderableType

from simulator.core.errors import HostHung, HostPanic
from simulator.core.registry import PROGRAMS, program_at
from simulator.core.shellwords import ShellCommand, parse_shell
from simulator.lab import views
from simulator.lab.files import LabFiles, LabView
from simulator.lab.labfile import Lab
from simulator.lab.objectives import Command, Grade, grade
from simulator.lab.utilities import UTILITIES, Context
from simulator.lab.views import plain
from simulator.scenario.build import build_scenario
from simulator.session.hostfiles import FileMirror
from simulator.session.session import Session

EXIT = -1                   # run_line's answer to ``exit``
# the operator's break and sync on a hung console: the panic string illumos gives a
# forced dump from the ok prompt (uts/sun4/os/... "sync initiated"; savecore logs it)
SYNC_PANIC = "sync initiated"
NOT_SIMULATED_SYNTAX = ("sh: the lab's shell runs commands with |, ;, &&, || and the "
                        "redirections >, >>, <, 2>&1; variables ($), globs (*, ?, [ ]), "
                        "backquotes and here-documents are not simulated\n")
HUNG_TEXT = """\
The console does not answer.  `lockfs -w /` write-locked the root file system: every
process that writes to / now waits for the lock -- syslogd, the shell writing its history,
login, cron, and the `lockfs -u /` you would type to undo it.  The Solaris Volume Manager
Administration Guide warns against exactly this: never write-lock /.  On a real host the
way out is the console: a break (Stop-A, or ~# over the ILOM) to the ok prompt, `sync` to
force a crash dump, and the boot that follows.  Type `reboot` to do that here."""
LAB_HELP = """\
lab task      the situation, the steps and the objectives (with your progress)
lab hint      a hint for the next objective not yet met
lab check     grade what you have done so far, with feedback
lab status    the metadevices, their states and resyncs, file systems and locks
lab reset     start again: the host as it was at the beginning of the lab
exit          end the lab: your grade, and where your record was saved
Time is virtual: it passes only when a command runs or you `sleep N` (a resync of a
large submirror needs a `sleep`; `metastat` shows its progress)."""
LAB_SUBCOMMANDS = ("task", "hint", "check", "status", "reset", "help")
SHELL_COMMANDS = ("lab", "exit", "logout", "reboot", "init", "shutdown", "history")


@dataclass
class Line:
    """One line the trainee entered, when (virtual), what it printed and its status."""

    at: float
    text: str
    output: str = ""
    status: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "line": self.text, "output": self.output,
                "status": self.status}


@dataclass
class Attempt:
    """One try at the lab (``lab reset`` starts another): lines and commands."""

    lines: list[Line] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)


class _TerminalInput(io.RawIOBase):
    """A command's standard input when it is the terminal: one line asked at a time."""

    def __init__(self, ask: Callable[[], str | None], echo: Callable[[str], None]) -> None:
        super().__init__()
        self.ask = ask
        self.echo = echo
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if not self.pending:
            line = self.ask()
            if line is None:
                return 0
            self.echo(line + "\n")
            self.pending = (line + "\n").encode()
        n = min(len(b), len(self.pending))
        b[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


class LabShell:
    """One trainee's lab: the host, the session over it, the record, the grade.

    ``write`` shows text on the trainee's screen (a terminal, or nothing in batch);
    ``note`` shows the lab's own words (styled apart at a terminal); ``ask`` reads one line
    of the terminal for a command's question (None: end of input).
    """

    def __init__(self, lab: Lab, *, write: Callable[[str], None] | None = None,
                 note: Callable[[str | RenderableType], None] | None = None,
                 ask: Callable[[], str | None] | None = None,
                 record_path: Path | None = None) -> None:
        self.lab = lab
        self._write = write or (lambda _t: None)
        self._note = note or (lambda w: self._write(
            (w if isinstance(w, str) else plain(w).rstrip("\n")) + "\n"))
        self.ask = ask or (lambda: None)
        self.record_path = record_path
        self.attempts: list[Attempt] = []
        self.hints_taken = 0
        self.started = time.time()
        self.ended = False
        self.history: list[str] = []
        self.internal_errors: list[str] = []
        self.running: list[str] | None = None   # the fake command running now
        self._capture: list[str] | None = None
        self._start()

    # ------------------------------------------------------------------ the host
    def _start(self) -> None:
        self.files = LabFiles()
        self.host = build_scenario(self.lab.scenario)
        self.session = Session(self.host, FileMirror(self.host, LabView(self.files),
                                                     messages=True))
        self.session.mirror.push()              # type: ignore[union-attr]
        self.cwd = "/"
        self.attempts.append(Attempt())
        self.hints_given: set[str] = set()
        self._general_hints = 0

    @property
    def attempt(self) -> Attempt:
        return self.attempts[-1]

    @property
    def hung(self) -> bool:
        """The host is hung now (a reboot ends it; the session remembers it happened)."""
        return bool(self.host.hung_reason)

    def prompt(self) -> str:
        return f"{self.host.hostname}# "

    # ------------------------------------------------------------------ output
    def write(self, text: str) -> None:
        if self._capture is not None:
            self._capture.append(text)
        self._write(text)

    def note(self, what: str | RenderableType) -> None:
        """The lab's own words (a text or a rich view), apart from the host's output."""
        text = what if isinstance(what, str) else plain(what).rstrip("\n")
        if self._capture is not None:
            self._capture.append(text + "\n")
        self._note(what)

    # ------------------------------------------------------------------ a line
    def run_line(self, text: str) -> int:
        """Run one line the trainee entered; its status, or :data:`EXIT` for ``exit``."""
        line = Line(self.host.clock.now, text)
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            self.history.append(stripped)
        self.attempt.lines.append(line)
        self._capture = []
        try:
            status = self._run(stripped)
        except Exception as e:      # an svmsim bug: one line, the lab goes on
            self.internal_errors.append(traceback.format_exc())
            self.note(f"svmsim lab: internal error: {type(e).__name__}: {e} (the lab goes "
                      "on; your record keeps the details)")
            status = 70
        finally:
            line.output = "".join(self._capture)
            self._capture = None
        line.status = status
        self.save()
        return status

    def _run(self, text: str) -> int:
        if not text or text.startswith("#"):
            return 0
        if self.hung:
            return self._hung_line(text)
        pipelines = split_line(text)
        if pipelines is None:
            self.write(NOT_SIMULATED_SYNTAX)
            return 2
        status = 0
        for op, pipeline in pipelines:
            if (op == "&&" and status != 0) or (op == "||" and status == 0):
                continue
            commands = [parse_shell(seg) for seg in pipeline]
            if any(c is None for c in commands):
                self.write(NOT_SIMULATED_SYNTAX)
                return 2
            status = self._pipeline([c for c in commands if c is not None])
            if status == EXIT or self.hung:
                return status
        return status

    def _hung_line(self, text: str) -> int:
        words = text.split()
        if words[0] in ("reboot", "halt", "sync") or words[:2] == ["init", "6"]:
            return self._power_cycle()
        if words[0] == "lab":
            return self._lab(words)
        if words[0] in ("exit", "logout"):
            return EXIT
        self.note("(the console does not answer: the host is hung -- type `reboot` to break "
                  "to the ok prompt and force a crash dump, `lab hint` for help)")
        return 0

    def _pipeline(self, commands: list[ShellCommand]) -> int:
        data: bytes | None = None
        status = 0
        for i, cmd in enumerate(commands):
            last = i == len(commands) - 1
            status, data = self._simple(cmd, data, to_terminal=last)
            if status == EXIT or self.hung:
                return status
        return status

    def _simple(self, cmd: ShellCommand, stdin: bytes | None,
                to_terminal: bool) -> tuple[int, bytes | None]:
        """One simple command with its redirections: (status, what it printed to stdout
        when that goes to the next command)."""
        out_target: tuple[str, bool] | None = None      # (path, append)
        err_target: tuple[str, bool] | None = None
        err_to_out = False
        for r in cmd.redirects:
            if r.op == "<" and r.fd == 0:
                try:
                    stdin = self.files.read_bytes(r.target, self.cwd)
                except OSError:
                    self.write(f"sh: {r.target}: cannot open\n")
                    return 1, b""
            elif r.op in (">", ">>"):
                target = (r.target, r.op == ">>")
                if r.fd == 1:
                    out_target = target
                elif r.fd == 2:
                    err_target = target
            elif r.op == ">&" and r.fd == 2 and r.target == "1":
                err_to_out = True
            elif r.op == ">&" and r.fd == 1 and r.target == "2":
                out_target = ("/dev/stderr", False)
        out_buf = bytearray()
        err_buf = bytearray()
        piped = not to_terminal or out_target is not None

        def out(b: bytes) -> None:
            if piped:
                out_buf.extend(b)
            else:
                self.write(b.decode("utf-8", "replace"))

        def err(b: bytes) -> None:
            if err_to_out:
                out(b)
            elif err_target is not None:
                err_buf.extend(b)
            else:
                self.write(b.decode("utf-8", "replace"))

        for path, append in [t for t in (out_target, err_target) if t is not None]:
            if path != "/dev/stderr" and not self._can_create(path, append):
                self.write(f"sh: {path}: cannot create\n")
                return 1, b""
        status = self._command(cmd.argv, stdin, out, err)
        if out_target is not None:
            if out_target[0] == "/dev/stderr":
                self.write(out_buf.decode("utf-8", "replace"))
            else:
                self._store(out_target, bytes(out_buf))
            out_buf.clear()
        if err_target is not None:
            self._store(err_target, bytes(err_buf))
        return status, (bytes(out_buf) if not to_terminal else None)

    def _can_create(self, path: str, append: bool) -> bool:
        where = self.files.absolute(path, self.cwd)
        parent = where.rsplit("/", 1)[0] or "/"
        return where == "/dev/null" or (self.files.kind(parent, "/") == "dir"
                                        and self.files.kind(where, "/") in ("", "file"))

    def _store(self, target: tuple[str, bool], data: bytes) -> None:
        path, append = target
        opener = self.files.open_append if append else self.files.open_write
        with opener(path, self.cwd) as f:
            f.write(data)
        if self.files.absolute(path, self.cwd) == "/etc/lvm/md.tab":
            self.session.mirror.pull()              # type: ignore[union-attr]

    # ------------------------------------------------------------------ a command
    def _command(self, argv: list[str], stdin: bytes | None, out: Callable[[bytes], None],
                 err: Callable[[bytes], None]) -> int:
        name = argv[0]
        start = self.host.clock.now
        before = len(self.session.transcript.calls)
        if name in ("exit", "logout"):
            return EXIT
        if name == "lab":
            status = self._lab(argv)
            return status
        if name == "history":
            for i, h in enumerate(self.history, 1):
                out(f"{i:>5}  {h}\n".encode())
            return 0
        if name in ("reboot", "init", "shutdown"):
            status = self._reboot(argv, err)
        elif name in UTILITIES:
            ctx = Context(self.files, self.session, self.cwd, stdin, out, err, self._set_cwd)
            try:
                status = UTILITIES[name](ctx, argv)
            except HostPanic:
                status = self._panicked()
        elif ("/" in name and program_at(name) is not None) or name in PROGRAMS:
            status = self._fake(argv, stdin, out, err)
        else:
            err(f"{name}: not found\n".encode())
            status = 127
        changes = [ch for c in self.session.transcript.calls[before:] for ch in c.changes]
        if name in ("reboot", "init", "shutdown") and status == 0:
            changes.append("host rebooted")
        self.attempt.commands.append(Command(len(self.attempt.commands) + 1, list(argv),
                                             status, start, self.host.clock.now, changes))
        return status

    def _set_cwd(self, where: str) -> None:
        self.cwd = where

    def _fake(self, argv: list[str], stdin: bytes | None, out: Callable[[bytes], None],
              err: Callable[[bytes], None]) -> int:
        terminal = stdin is None
        stream = _TerminalInput(self.ask, self.write) if terminal else None

        def live(fd: int, data: bytes) -> None:
            (out if fd == 1 else err)(data)

        self.running = list(argv)
        try:
            call = self.session.dispatch(
                argv, stdin=stdin or b"", stdin_file=stream, cwd=self.cwd, files=self.files,
                interactive=terminal, live=live)
        except HostHung:
            return 0
        except HostPanic:
            return self._panicked()
        finally:
            self.running = None
        if self.hung:
            self.note(HUNG_TEXT)
        return call.exit_code

    def _panicked(self) -> int:
        self.note(f"The host went down ({self.session.panicked}) and has booted again "
                  f"({self.host.clock.ctime()}): whatever was running died with it. "
                  "/var/adm/messages has the story.")
        return 137

    def _reboot(self, argv: list[str], err: Callable[[bytes], None]) -> int:
        if argv[0] == "init" and argv[1:] != ["6"]:
            err(b"init: only `init 6' (reboot) is simulated in the lab\n")
            return 1
        if argv[0] == "shutdown" and "-i6" not in argv and "-i" not in argv:
            err(b"shutdown: only `shutdown -i6 -g0 -y' (reboot) is simulated in the lab\n")
            return 1
        self.session.go_down(HostPanic("reboot", clean=True))
        self.note(f"{self.host.hostname} rebooted cleanly (init 6) and is up again "
                  f"({self.host.clock.ctime()}).")
        return 0

    def _power_cycle(self) -> int:
        start = self.host.clock.now
        self.write("\n(break: the ok prompt)\nok sync\n")
        self.session.go_down(HostPanic(SYNC_PANIC))
        self.attempt.commands.append(Command(len(self.attempt.commands) + 1, ["reboot"], 0,
                                             start, self.host.clock.now, ["host rebooted"]))
        self.note(f"The host panicked on purpose (\"{SYNC_PANIC}\"), wrote a crash dump and "
                  f"booted again ({self.host.clock.ctime()}).  Write locks do not survive a "
                  "boot: / is unlocked.  /var/adm/messages shows the panic and savecore's "
                  "line.")
        return 0

    # ------------------------------------------------------------------ lab commands
    def _lab(self, argv: list[str]) -> int:
        sub = argv[1] if len(argv) > 1 else "help"
        if sub == "task":
            self.note(views.task_text(self.lab, self.grade()))
        elif sub == "hint":
            self.note(self.hint())
        elif sub == "check":
            self.note(views.check_text(self.lab, self.grade()))
        elif sub == "status":
            self.note(views.status_text(self.host, self.session))
        elif sub == "reset":
            self._start()
            self.note(f"The lab starts again: {self.host.hostname} is as it was at the "
                      "beginning (your earlier attempt stays in your record).")
        elif sub == "help":
            self.note(LAB_HELP)
        else:
            self.note(f"lab: {sub}: unknown (lab task, hint, check, status, reset, help)")
            return 2
        return 0

    def hint(self) -> str:
        """The hint of the first objective not met, then the lab's general hints."""
        self.hints_taken += 1
        for r, o in zip(self.grade().results, self.lab.spec.objective, strict=True):
            if not r.held and o.hint:
                self.hints_given.add(o.id)
                return f"Hint ({o.text}): {o.hint}"
        hints = self.lab.spec.lab.hints
        if hints:
            h = hints[min(self._general_hints, len(hints) - 1)]
            self._general_hints += 1
            return "Hint: " + h
        return "No more hints: `lab check` says what is left."

    # ------------------------------------------------------------------ grading, record
    def grade(self) -> Grade:
        return grade(self.lab, self.session, self.attempt.commands, self.files)

    def record(self) -> dict[str, Any]:
        g = self.grade()
        return {"lab": self.lab.name, "title": self.lab.title, "seed": self.lab.seed,
                "variant": self.lab.values,
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
                "ended": self.ended, "hints_taken": self.hints_taken,
                "resets": len(self.attempts) - 1,
                "attempts": [{"lines": [ln.to_dict() for ln in a.lines],
                              "commands": [c.to_dict() for c in a.commands]}
                             for a in self.attempts],
                "transcript": self.session.transcript.to_dict(),
                "hung": self.session.hung,
                **({"internal_errors": self.internal_errors} if self.internal_errors else {}),
                **g.to_dict()}

    def save(self) -> None:
        """Write the record (atomically: a killed session leaves the last whole one)."""
        if self.record_path is None:
            return
        path = self.record_path
        data = json.dumps(self.record(), indent=1)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lab-record-")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(data + "\n")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def finish(self) -> Grade:
        self.ended = True
        self.save()
        return self.grade()


# ---------------------------------------------------------------------------- lines
def split_line(text: str) -> list[tuple[str, list[str]]] | None:
    """A line as (operator before it, pipeline segments): ``a | b && c`` is
    ``[("", ["a", "b"]), ("&&", ["c"])]``. Quotes are respected; None when a quote is not
    closed or an operator has no command on one side."""
    out: list[tuple[str, list[str]]] = []
    seg: list[str] = []
    pipeline: list[str] = []
    op = ""
    i, n = 0, len(text)
    quote = ""
    while i < n:
        c = text[i]
        if quote:
            seg.append(c)
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"' and i + 1 < n:
                seg.append(text[i + 1])
                i += 1
            i += 1
            continue
        if c in "'\"":
            quote = c
            seg.append(c)
        elif c == "\\" and i + 1 < n:
            seg.append(text[i:i + 2])
            i += 1
        elif c == "|" and text[i:i + 2] == "||" or c == "&" and text[i:i + 2] == "&&":
            if not "".join(seg).strip():
                return None
            pipeline.append("".join(seg))
            out.append((op, pipeline))
            op, seg, pipeline = text[i:i + 2], [], []
            i += 1
        elif c == "|":
            if not "".join(seg).strip():
                return None
            pipeline.append("".join(seg))
            seg = []
        elif c == ";":
            if "".join(seg).strip():
                pipeline.append("".join(seg))
            if pipeline:
                out.append((op, pipeline))
            op, seg, pipeline = ";", [], []
        elif c == "&" and text[i - 1:i] != ">" and text[i + 1:i + 2] not in ("1", "2"):
            return None                 # a background job: not simulated
        else:
            seg.append(c)
        i += 1
    if quote:
        return None
    if "".join(seg).strip():
        pipeline.append("".join(seg))
    elif pipeline or op in ("&&", "||"):
        return None
    if pipeline:
        out.append((op, pipeline))
    return out
