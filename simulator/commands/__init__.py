"""The fake Solaris commands, one module each, and the dispatcher that runs them.

``run_command(host, argv)`` picks the module by the basename of ``argv[0]`` (so
``/usr/sbin/metastat`` and ``/usr/opt/SUNWmd/sbin/metastat`` are the same command), runs it on
a fresh :class:`Invocation`, charges a little virtual time, and never lets a Python traceback
out: an internal failure is reported in one line, exit 70, and recorded on the host.
"""

from __future__ import annotations

import importlib
import os
import traceback
from typing import TYPE_CHECKING, BinaryIO

from ..model.errors import MDError, UsageError
from .base import Invocation
from .files import FileAccess

if TYPE_CHECKING:
    from ..model.host import CommandResult, Host

# command name -> module (under simulator.commands)
COMMANDS: dict[str, str] = {
    "metastat": "metastat",
    "metainit": "metainit",
    "metaclear": "metaclear",
    "metattach": "metattach",
    "metadetach": "metadetach",
    "metaoffline": "metaoffline",
    "metaonline": "metaonline",
    "metareplace": "metareplace",
    "metasync": "metasync",
    "metadb": "metadb",
    "metahs": "metahs",
    "ufsdump": "ufsdump",
    "ufsrestore": "ufsrestore",
    "lockfs": "lockfs",
    "mount": "mount",
    "umount": "umount",
    "df": "df",
    "fsck": "fsck",
}

INTERNAL_ERROR_EXIT = 70


def known_commands() -> list[str]:
    return sorted(COMMANDS)


def run_command(host: Host, argv: list[str], stdin: bytes = b"", uid: int = 0,
                env: dict[str, str] | None = None, cwd: str = "/",
                interactive: bool = False, files: FileAccess | None = None,
                stdin_file: BinaryIO | None = None) -> CommandResult:
    from ..model.host import COMMAND_COST, CommandResult, HostHung
    if not argv:
        return CommandResult("", "", 0)
    name = os.path.basename(argv[0])
    if host.hung_reason:
        raise HostHung(host.hung_reason)
    inv = Invocation(host, list(argv), stdin=stdin, uid=uid, env=dict(env or {}), cwd=cwd,
                     interactive=interactive, files=files or FileAccess(), stdin_file=stdin_file)
    module_name = COMMANDS.get(name)
    if module_name is None:
        inv.err(f"{name}: not found")
        code = 127
    else:
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
            code = module.main(inv)
        except UsageError:
            code = module.usage(inv) if hasattr(module, "usage") else 1
        except MDError as e:
            code = inv.md_error(e)
        except HostHung:
            raise
        except Exception as e:  # never a traceback to the driver: one line, recorded
            host.internal_errors.append(traceback.format_exc())
            inv.err(f"{name}: svmsim internal error: {type(e).__name__}: {e}")
            code = INTERNAL_ERROR_EXIT
    host.advance(COMMAND_COST)
    return CommandResult(inv.stdout.text(), inv.stderr.text(), code,
                         bytes(inv.stdout.buffer), list(inv.journal))
