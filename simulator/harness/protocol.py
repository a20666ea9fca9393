"""Wire format between the fake Solaris commands ("shims") and the harness.

Why a home-grown format: the client side must be a ~100-line C program that
starts faster than ``/bin/true`` costs twice, so the format is fixed-width
little-endian integers and length-prefixed byte strings, nothing to parse.

Transport: a ``SOCK_STREAM`` unix socket.  One request per connection; the
server answers with one reply and closes.

Request::

    header  12 bytes   magic b"SVMQ" | u32 kind | u32 body_len
    body    body_len bytes (at most MAX_BODY)

    kind CALL  (1)  body = u32 uid | u32 fdmask | u32 argc | argc * str
                           | u32 envc | envc * str ("NAME=value") | str cwd
                    str  = u32 len | len bytes (no terminating NUL)
                    The client's fds 0, 1, 2 travel as SCM_RIGHTS ancillary
                    data on the *first* sendmsg (the one carrying the header).
                    Bit i of fdmask says fd i was open and is attached; the
                    attached fds are in ascending order.  A missing fd is
                    replaced by /dev/null on the server side.
                    The request's uid and cwd are not trusted: the server takes the
                    caller's uid from SO_PEERCRED and its cwd from /proc/PID/cwd
                    (the field is kept only as a name for that same directory).
    kind SLEEP (2)  body = f64 seconds (finite, >= 0)
    kind NOW   (3)  body = empty

A body longer than MAX_BODY is refused with a REFUSED reply (status
``STATUS_REFUSED``) and a one-line message on the client's stderr when it sent one.

File requests (server -> client, during a CALL, any number before the reply).
Every file a fake command opens is opened by the client, as the driver, in the
driver's view (its root, its mounts, its cwd, its permissions); the harness
never resolves a driver path itself::

    header  20 bytes   magic b"SVMF" | u32 op | u32 flags | u32 mode | u32 path_len
    path    path_len bytes (1..PATH_MAX-1, no NUL), absolute

    op OPEN (1)      open(path, flags | O_CLOEXEC, mode)
    op UNLINK (2)    unlink(path)
    op STAT (3)      stat(path)
    op LSTAT (4)     lstat(path)
    op READLINK (5)  readlink(path)

Answer (client -> server)::

    magic b"SVMA" | i32 result | u32 st_mode | u64 st_size | u32 data_len | data

    result 0, or -errno.  STAT/LSTAT fill st_mode and st_size; READLINK puts
    the link's text in data; a successful OPEN attaches the new descriptor as
    SCM_RIGHTS data on the answer's first sendmsg.

Reply (always 16 bytes)::

    magic b"SVMR" | i32 status | f64 value

    CALL   status = exit code 0..255, or 256+N: "die of signal N"
           (the client re-raises N on itself, falling back to exit 128+N);
           value = virtual epoch after the call
    SLEEP  status 0, value = virtual epoch after the sleep
    NOW    status 0, value = virtual epoch

All integers and floats are little-endian.  A malformed request gets no
reply: the server closes the connection.

Clock file (``SVMSIM_CLOCK``), read by the LD_PRELOAD library through mmap
and rewritten in place (never replaced) by the server::

    offset 0  4s  magic b"SVMC"
    offset 4  u32 version (1)
    offset 8  u64 seq            seqlock: odd while the server writes
    offset 16 i64 realtime_ns    virtual CLOCK_REALTIME, ns since the epoch
    offset 24 i64 mono_offset_ns added to the real CLOCK_MONOTONIC/BOOTTIME
    size CLOCK_FILE_SIZE bytes

Each 64-bit field is written with one aligned store, so even a reader that
ignores ``seq`` never sees a torn value.
"""

from __future__ import annotations

import enum
import math
import os
import socket
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from simulator.core.errors import Error

REQUEST_MAGIC = b"SVMQ"
REPLY_MAGIC = b"SVMR"
HEADER = struct.Struct("<4sII")
REPLY = struct.Struct("<4sid")
U32 = struct.Struct("<I")
F64 = struct.Struct("<d")
# Linux's ARG_MAX is a quarter of an 8 MiB stack (argv and environment together), so no
# real command line comes near 4 MiB; larger bodies are refused, not buffered.
MAX_BODY = 4 * 1024 * 1024
SIGNAL_BASE = 256
# exit status of a refused request: the shell's "cannot execute" (E2BIG is 126 in sh too)
STATUS_REFUSED = 126

FILE_MAGIC = b"SVMF"
ANSWER_MAGIC = b"SVMA"
FILE_HEADER = struct.Struct("<4sIIII")
ANSWER = struct.Struct("<4siIQI")
PATH_MAX = 4096

CLOCK_MAGIC = b"SVMC"
CLOCK_VERSION = 1
CLOCK_FILE_SIZE = 64
CLOCK_HEAD = struct.Struct("<4sI")
CLOCK_BODY = struct.Struct("<Qqq")  # seq, realtime_ns, mono_offset_ns at offset 8

SOCKET_ENV = "SVMSIM_SOCKET"
CLOCK_ENV = "SVMSIM_CLOCK"
# Fallbacks compiled into the clients for drivers that clear their
# environment; inside a sandbox they are symlinks to the real paths.
DEFAULT_SOCKET = "/usr/lib/svmsim/run/svmsim.sock"
DEFAULT_CLOCK = "/usr/lib/svmsim/run/svmsim.clock"


class Kind(enum.IntEnum):
    CALL = 1
    SLEEP = 2
    NOW = 3


class FileOp(enum.IntEnum):
    OPEN = 1
    UNLINK = 2
    STAT = 3
    LSTAT = 4
    READLINK = 5
    MKDIR = 6      # mode
    RMDIR = 7
    CHMOD = 8      # mode
    UTIME = 9      # flags: the access and modification time (32-bit, as UFS keeps it)
    SYMLINK = 10   # path: TARGET NUL LINKPATH
    RENAME = 11    # path: OLD NUL NEW


# the operations whose path field holds two paths separated by one NUL
TWO_PATHS = (FileOp.SYMLINK, FileOp.RENAME)


class ProtocolError(Error, ValueError):
    """A request or reply that does not follow the format above."""


@dataclass(frozen=True)
class CallRequest:
    uid: int
    fdmask: int
    argv: list[str]
    env: dict[str, str]
    cwd: str


def clock_path_for(socket_path: Path) -> Path:
    """Default clock-file location next to the socket."""
    return socket_path.with_name(socket_path.name + ".clock")


def _str(value: str | bytes) -> bytes:
    raw = value if isinstance(value, bytes) else os.fsencode(value)
    return U32.pack(len(raw)) + raw


def encode_request(kind: Kind, body: bytes = b"") -> bytes:
    return HEADER.pack(REQUEST_MAGIC, int(kind), len(body)) + body


def encode_call(argv: list[str], env: dict[str, str], cwd: str, uid: int, fdmask: int) -> bytes:
    parts = [U32.pack(uid), U32.pack(fdmask), U32.pack(len(argv))]
    parts += [_str(a) for a in argv]
    parts.append(U32.pack(len(env)))
    parts += [_str(f"{k}={v}") for k, v in env.items()]
    parts.append(_str(cwd))
    return encode_request(Kind.CALL, b"".join(parts))


def encode_sleep(seconds: float) -> bytes:
    return encode_request(Kind.SLEEP, F64.pack(seconds))


def encode_reply(status: int, value: float = 0.0) -> bytes:
    return REPLY.pack(REPLY_MAGIC, status, value)


def encode_file_request(op: FileOp, path: bytes, flags: int = 0, mode: int = 0) -> bytes:
    nuls = 1 if op in TWO_PATHS else 0
    if not path or len(path) >= PATH_MAX or path.count(b"\0") != nuls:
        raise ProtocolError("bad path in a file request")
    return FILE_HEADER.pack(FILE_MAGIC, int(op), flags, mode, len(path)) + path


def decode_answer(raw: bytes) -> tuple[int, int, int, int]:
    """(result, st_mode, st_size, data_len) of a file answer's fixed part."""
    magic, result, mode, size, length = ANSWER.unpack(raw)
    if magic != ANSWER_MAGIC:
        raise ProtocolError(f"bad file answer magic {magic!r}")
    if length >= PATH_MAX:
        raise ProtocolError("file answer data too long")
    return int(result), int(mode), int(size), int(length)


def decode_header(raw: bytes) -> tuple[Kind, int]:
    magic, kind, length = HEADER.unpack(raw)
    if magic != REQUEST_MAGIC:
        raise ProtocolError(f"bad request magic {magic!r}")
    try:
        k = Kind(kind)
    except ValueError:
        raise ProtocolError(f"unknown request kind {kind}") from None
    return k, length


# os.fsdecode's codec (os takes it once, at import): a call's strings are decoded by it
_FS_ENCODING = sys.getfilesystemencoding()
_FS_ERRORS = sys.getfilesystemencodeerrors()
_U32_FROM = U32.unpack_from


def _strings(body: bytes, pos: int, count: int) -> tuple[list[str], int]:
    """``count`` length-prefixed strings from ``pos`` (``os.fsdecode`` of each), and the
    position after them. One loop with local names: a call's environment is some 40
    strings, decoded for every fake call."""
    size = len(body)
    out: list[str] = []
    for _ in range(count):
        if pos + 4 > size:
            raise ProtocolError("truncated request body")
        (n,) = _U32_FROM(body, pos)
        pos += 4
        if pos + n > size:
            raise ProtocolError("truncated string in request body")
        out.append(body[pos : pos + n].decode(_FS_ENCODING, _FS_ERRORS))
        pos += n
    return out, pos


def _skip(body: bytes, pos: int, count: int) -> int:
    """The position after ``count`` strings from ``pos``, checked as :func:`_strings` checks
    them (the same errors), none decoded."""
    size = len(body)
    for _ in range(count):
        if pos + 4 > size:
            raise ProtocolError("truncated request body")
        pos += 4 + _U32_FROM(body, pos)[0]
        if pos > size:
            raise ProtocolError("truncated string in request body")
    return pos


# the last environment decoded, as sent and as a dict: a driver's shell sends the same
# one with every fake call, and decoding it costs more than comparing its bytes
_last_env: tuple[bytes, dict[str, str]] = (b"", {})


def _environment(body: bytes, pos: int, count: int) -> tuple[dict[str, str], int]:
    """``count`` ``NAME=value`` strings from ``pos`` as a new dict (a string without ``=``
    is dropped), and the position after them."""
    global _last_env
    end = _skip(body, pos, count)
    raw = body[pos:end]
    seen, env = _last_env
    if raw == seen:
        return dict(env), end
    env = {}
    for pair in _strings(body, pos, count)[0]:
        name, sep, value = pair.partition("=")
        if sep:
            env[name] = value
    _last_env = (raw, env)
    return dict(env), end


def _u32(body: bytes, pos: int) -> int:
    if pos + 4 > len(body):
        raise ProtocolError("truncated request body")
    return int(_U32_FROM(body, pos)[0])


def decode_call(body: bytes) -> CallRequest:
    uid = _u32(body, 0)
    fdmask = _u32(body, 4)
    if fdmask & ~0b111:
        raise ProtocolError(f"bad fd mask {fdmask:#x}")
    argc = _u32(body, 8)
    if argc > len(body):
        raise ProtocolError("argc larger than the body")
    argv, pos = _strings(body, 12, argc)
    envc = _u32(body, pos)
    if envc > len(body):
        raise ProtocolError("envc larger than the body")
    env, pos = _environment(body, pos + 4, envc)
    (cwd,), pos = _strings(body, pos, 1)
    if pos != len(body):
        raise ProtocolError("trailing bytes after the request body")
    return CallRequest(uid=uid, fdmask=fdmask, argv=argv, env=env, cwd=cwd)


def decode_sleep(body: bytes) -> float:
    if len(body) != F64.size:
        raise ProtocolError("SLEEP body must be one f64")
    (seconds,) = F64.unpack(body)
    if not math.isfinite(seconds) or seconds < 0:
        raise ProtocolError(f"bad sleep duration {seconds!r}")
    return float(seconds)


def decode_reply(raw: bytes) -> tuple[int, float]:
    if len(raw) != REPLY.size:
        raise ProtocolError("truncated reply")
    magic, status, value = REPLY.unpack(raw)
    if magic != REPLY_MAGIC:
        raise ProtocolError(f"bad reply magic {magic!r}")
    return int(status), float(value)


def recv_exact(sock: socket.socket, n: int) -> bytes:
    """Read exactly ``n`` bytes or raise ProtocolError on early EOF."""
    chunks: list[bytes] = []
    got = 0
    while got < n:
        chunk = sock.recv(n - got)
        if not chunk:
            raise ProtocolError(f"connection closed after {got} of {n} bytes")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def request(socket_path: str | Path, payload: bytes) -> tuple[int, float]:
    """Send one fd-less request (SLEEP, NOW) and return (status, value)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(os.fspath(socket_path))
        s.sendall(payload)
        return decode_reply(recv_exact(s, REPLY.size))


def read_clock_file(path: str | Path) -> tuple[float, float]:
    """Return (virtual epoch seconds, monotonic offset seconds) from a clock file."""
    raw = Path(path).read_bytes()
    magic, version = CLOCK_HEAD.unpack_from(raw, 0)
    if magic != CLOCK_MAGIC or version != CLOCK_VERSION:
        raise ProtocolError(f"{path}: not an svmsim clock file")
    _seq, realtime_ns, mono_ns = CLOCK_BODY.unpack_from(raw, CLOCK_HEAD.size)
    return realtime_ns / 1e9, mono_ns / 1e9
