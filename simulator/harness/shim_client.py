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

File requests: while the call runs the server may ask this client to open,
unlink, stat or readlink a file (``SVMF`` frames); the client does it itself,
as the driver, in the driver's view, and answers (``SVMA``), passing an opened
descriptor back with SCM_RIGHTS.

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


def _read(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return data


def _file_request(sock):
    """One file request (after its magic): do it as this process, answer."""
    op, flags, mode, plen = struct.unpack("<IIII", _read(sock, 16))
    if not 0 < plen < 4096:
        raise OSError("bad file request")
    path = _read(sock, plen)
    result, st_mode, st_size, data, fd = 0, 0, 0, b"", None
    try:
        if path.count(b"\0") != (1 if op in (10, 11) else 0):
            raise OSError(22, "Invalid argument")
        if op == 1:
            fd = os.open(path, flags | os.O_CLOEXEC, mode)
        elif op == 2:
            os.unlink(path)
        elif op in (3, 4):
            st = os.stat(path) if op == 3 else os.lstat(path)
            st_mode, st_size = st.st_mode, st.st_size
        elif op == 5:
            data = os.readlink(path)
        elif op == 6:
            os.mkdir(path, mode)
        elif op == 7:
            os.rmdir(path)
        elif op == 8:
            os.chmod(path, mode)
        elif op == 9:
            os.utime(path, (flags, flags))
        elif op == 10:
            target, link = path.split(b"\0")
            os.symlink(target, link)
        elif op == 11:
            old, new = path.split(b"\0")
            os.rename(old, new)
        else:
            raise OSError(38, "Function not implemented")
    except OSError as e:
        result = -(e.errno or 5)
    answer = struct.pack("<4siIQI", b"SVMA", result, st_mode, st_size, len(data)) + data
    try:
        if fd is not None:
            sock.sendmsg([answer], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                     struct.pack("i", fd))])
        else:
            sock.sendall(answer)
    finally:
        if fd is not None:
            os.close(fd)


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
        while True:
            reply = _read(sock, 4)
            if reply != b"SVMF":
                reply += _read(sock, 12)
                break
            _file_request(sock)
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
