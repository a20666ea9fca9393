"""The root of every public svmsim error, and the two control-flow exceptions every fake command
shares.

``simulator.Error`` is what a user catches (``except simulator.Error``); each package's errors
derive from it (``MDError``, ``ScenarioError``, ``StateError``, ``SandboxError``, ...).
:class:`UsageError` and :class:`CommandExit` never leave a command: the dispatcher turns the first
into the program's usage text and the second into its exit status, as ``usage()`` and ``exit()``
do in the C programs.
"""

from __future__ import annotations


class Error(Exception):
    """Base class of every error svmsim raises to its users."""


class UsageError(Error):
    """Bad command-line syntax: the dispatcher prints the command's usage text."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class CommandExit(Exception):  # noqa: N818  (it is exit(3C), not an error)
    """A command ends here with ``code`` (``exit(code)`` in its C source)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class HostHung(Error):
    """The host no longer answers (for example, the root file system is write-locked)."""


class HostPanic(Error):
    """The host panicked (an injected panic, or replicas lost below quorum at a write): every
    process of the run dies with it, and the host reboots. The message is the panic string."""

    def __init__(self, message: str = "", clean: bool = False) -> None:
        super().__init__(message)
        # True for a clean reboot (init 6): every process dies the same way, but nothing
        # panicked (no panic lines, no savecore)
        self.clean = clean
        # the command the host was running when it went down, as far as it got (a
        # ``simulator.host.CommandResult``, exit 128+SIGKILL when it died midway): the
        # session records it, so the transcript shows the call whose fault took the host down
        self.result: object | None = None
