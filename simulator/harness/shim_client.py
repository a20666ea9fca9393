"""Pure-Python shim client, the fallback when no C compiler is available.

Why standalone: it runs as ``python3 -IS shim_client.py`` inside the sandbox,
where the ``simulator`` package may not be importable, so it duplicates the
few lines of wire format it needs (see ``simulator.harness.protocol``) and
uses only the standard library.

How the command name survives: each fake command is installed as a two-line
wrapper script, named after the command, that runs
``exec python3 -IS /path/shim_client.py "$0" "$@"``.  ``$0`` is the path the
wrapper was run by (``/usr/sbin/metastat``, or the PATH entry found for a
bare ``metastat``), so when this file is run under its own name the first
argument is taken as argv[0].  Run through a symlink named after the
command, sys.argv[0] already is argv[0].  The command name the server uses
is basename(argv[0]).

Exit status: the code the server sends back; if the server asks for a signal
the client raises it on itself.  If the server cannot be reached it prints
``<name>: svmsim server not reachable`` and exits 127.  Without
``SVMSIM_SOCKET`` (a script that ran ``env -i``) it tries the sandbox's fixed
path ``/usr/lib/svmsim/run/svmsim.sock``.
"""

import os
import signal
import socket
import struct
import sys


def _str(value: str) -> bytes:
    raw = os.fsencode(value)
    return struct.pack("<I", len(raw)) + raw


def main() -> int:
    if os.path.basename(sys.argv[0]) == "shim_client.py" and len(sys.argv) > 1:
        argv = sys.argv[1:]
    else:
        argv = list(sys.argv)
    name = os.path.basename(argv[0]) or "svmsim-shim"
    fds = []
    mask = 0
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            continue
        fds.append(fd)
        mask |= 1 << fd
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = os.environ.get("PWD", "")
    env = [f"{k}={v}" for k, v in os.environ.items()]
    body = b"".join(
        [struct.pack("<III", os.getuid(), mask, len(argv))]
        + [_str(a) for a in argv]
        + [struct.pack("<I", len(env))]
        + [_str(e) for e in env]
        + [_str(cwd)]
    )
    header = struct.pack("<4sII", b"SVMQ", 1, len(body))
    path = os.environ.get("SVMSIM_SOCKET") or "/usr/lib/svmsim/run/svmsim.sock"
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
    except OSError:
        sys.stderr.write(f"{name}: svmsim server not reachable\n")
        return 127
    try:
        sock.sendmsg(
            [header], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))]
        )
        sock.sendall(body)
        reply = b""
        while len(reply) < 16:
            chunk = sock.recv(16 - len(reply))
            if not chunk:
                break
            reply += chunk
    except OSError:
        reply = b""
    finally:
        sock.close()
    if len(reply) != 16 or reply[:4] != b"SVMR":
        sys.stderr.write(f"{name}: svmsim server closed the connection\n")
        return 127
    (status,) = struct.unpack_from("<i", reply, 4)
    if status >= 256:
        signum = status - 256
        sys.stdout.flush()
        try:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        except (OSError, ValueError):
            pass
        return 128 + signum
    return status & 0xFF


if __name__ == "__main__":
    sys.exit(main())
