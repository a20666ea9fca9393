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
    kind SLEEP (2)  body = f64 seconds
    kind NOW   (3)  body = empty

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
import os
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

from simulator.core.errors import Error

REQUEST_MAGIC = b"SVMQ"
REPLY_MAGIC = b"SVMR"
HEADER = struct.Struct("<4sII")
REPLY = struct.Struct("<4sid")
U32 = struct.Struct("<I")
F64 = struct.Struct("<d")
MAX_BODY = 16 * 1024 * 1024
SIGNAL_BASE = 256

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


def decode_header(raw: bytes) -> tuple[Kind, int]:
    magic, kind, length = HEADER.unpack(raw)
    if magic != REQUEST_MAGIC:
        raise ProtocolError(f"bad request magic {magic!r}")
    try:
        k = Kind(kind)
    except ValueError:
        raise ProtocolError(f"unknown request kind {kind}") from None
    if length > MAX_BODY:
        raise ProtocolError(f"request body too long ({length} bytes)")
    return k, length


class _Reader:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.pos = 0

    def u32(self) -> int:
        if self.pos + 4 > len(self.body):
            raise ProtocolError("truncated request body")
        (value,) = U32.unpack_from(self.body, self.pos)
        self.pos += 4
        return int(value)

    def string(self) -> str:
        n = self.u32()
        if self.pos + n > len(self.body):
            raise ProtocolError("truncated string in request body")
        raw = self.body[self.pos : self.pos + n]
        self.pos += n
        return os.fsdecode(raw)


def decode_call(body: bytes) -> CallRequest:
    r = _Reader(body)
    uid = r.u32()
    fdmask = r.u32()
    if fdmask & ~0b111:
        raise ProtocolError(f"bad fd mask {fdmask:#x}")
    argc = r.u32()
    if argc > len(body):
        raise ProtocolError("argc larger than the body")
    argv = [r.string() for _ in range(argc)]
    envc = r.u32()
    if envc > len(body):
        raise ProtocolError("envc larger than the body")
    env: dict[str, str] = {}
    for _ in range(envc):
        name, sep, value = r.string().partition("=")
        if sep:
            env[name] = value
    cwd = r.string()
    if r.pos != len(body):
        raise ProtocolError("trailing bytes after the request body")
    return CallRequest(uid=uid, fdmask=fdmask, argv=argv, env=env, cwd=cwd)


def decode_sleep(body: bytes) -> float:
    if len(body) != F64.size:
        raise ProtocolError("SLEEP body must be one f64")
    (seconds,) = F64.unpack(body)
    if seconds != seconds or seconds < 0:
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
