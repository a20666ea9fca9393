"""The harness side of the shim transport: a unix-socket server.

Why it looks like this: every fake Solaris command the driver script runs is
a tiny client that hands its argv, env, cwd, uid and fds 0/1/2 to this server
and exits with the code sent back, so the simulation can live in the harness
process.  Calls are served on background threads (one per connection) so that
pipelines and ``cmd &`` jobs can have many shims in flight, but ``dispatch``
runs strictly one at a time under a lock, so the simulation never sees two
commands at once; a dispatch that must block on a pipe fed or drained by
another fake command releases it with ``with call.unlocked():``.

SLEEP and NOW deliberately do *not* take the dispatch lock: in a pipeline
like ``(sleep 5; echo y) | metattach d10 d12`` the dispatch of metattach
blocks reading stdin until the sleeping producer is answered, so serialising
sleeps behind dispatch would deadlock.  ``on_sleep`` and ``now`` are
serialised among themselves under a separate clock lock; an owner whose
``on_sleep`` mutates state that ``dispatch`` reads must protect it itself.

Who may call: the socket lives in a private directory (mode 0700, owned by the
run's uid: the owner of the directory the socket is created in) and is itself
0600; each connection's peer is identified by the kernel (``SO_PEERCRED``) and
must pass ``admit`` (by default: the run's uid or the server's own).  The
caller's uid and cwd are the kernel's (``SO_PEERCRED``, ``/proc/PID/uid_map``,
``/proc/PID/cwd``), never the request's.  Files a command opens are opened by
the client, as the driver, in the driver's view, over the same connection
(:class:`FileChannel`; wire format in ``protocol``).

Bounds: a request body is at most ``protocol.MAX_BODY`` bytes (a longer one is
refused with ``STATUS_REFUSED`` and one line on the client's stderr), and all
connections together hold at most ``BODY_BUDGET`` bytes of unread bodies (a
request beyond that is refused the same way), so half-sent frames cannot eat
the harness's memory.

The server also keeps the clock file (see ``protocol``) current, so the
LD_PRELOAD library in driver processes reads virtual time without a round
trip.  A bad request never takes the server down: it is logged on one line
and its connection closed.  A dispatch that raises produces a one-line error
on the client's stderr and exit status 1; the traceback goes to the logger at
DEBUG level only.
"""

from __future__ import annotations

import array
import contextlib
import errno
import mmap
import os
import queue
import selectors
import signal
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from simulator.core.files import read_bytes
from simulator.harness import protocol as P

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """This module's logger. ``logging`` is imported on the first complaint, which most runs
    never make (importing it cost every ``svmsim run`` some 3 ms)."""
    import logging
    return logging.getLogger(__name__)


BODY_BUDGET = 64 * 1024 * 1024   # bytes of request bodies all connections may hold at once
QUIET_AFTER = 20                 # malformed requests logged at WARNING; the rest at DEBUG
PEERCRED = struct.Struct("3i")   # struct ucred: pid, uid, gid
I64_MAX = 2**63 - 1


def _ns(seconds: float) -> int:
    """Seconds as the clock file's i64 nanoseconds, clamped (a ``SLEEP 1e300`` frame must
    not raise in the server thread)."""
    if seconds != seconds:
        return 0
    return max(-I64_MAX, min(I64_MAX, round(seconds * 1e9))) if abs(seconds) < 1e10 else (
        I64_MAX if seconds > 0 else -I64_MAX)


@dataclass(frozen=True)
class Peer:
    """The process at the other end of a connection, as the kernel names it."""

    pid: int
    uid: int
    gid: int


def peer_of(conn: socket.socket) -> Peer:
    pid, uid, gid = PEERCRED.unpack(
        conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEERCRED.size))
    return Peer(pid, uid, gid)


def inside_uid(pid: int, uid: int) -> int:
    """``uid`` (as this process sees it) as the process ``pid`` sees it: its user
    namespace's ``uid_map`` inverted (user_namespaces(7): read from another namespace,
    the second field is relative to the reader's).  Unmapped: the overflow uid 65534."""
    try:
        lines = read_bytes(f"/proc/{pid}/uid_map").decode("ascii").split("\n")
    except OSError:
        return uid
    for line in lines:
        fields = line.split()
        if len(fields) == 3:
            inner, outer, count = (int(x) for x in fields)
            if outer <= uid < outer + count:
                return inner + uid - outer
    return 65534


def peer_cwd(pid: int, claimed: str) -> str:
    """The caller's working directory, from the kernel, as the driver names it.

    ``/proc/PID/cwd`` read from the harness gives the path in the caller's mount
    namespace (proc(5)).  The request's ``claimed`` cwd is kept only when it names that
    same directory from the caller's root (under proot, whose paths the kernel does not
    know); a forged one is ignored.
    """
    link = f"/proc/{pid}/cwd"
    real = os.stat(link)
    kernel = os.readlink(link)
    if kernel.endswith(" (deleted)"):
        kernel = kernel[: -len(" (deleted)")]
    if claimed.startswith("/") and claimed != kernel:
        with contextlib.suppress(OSError, ValueError):
            seen = os.stat(f"/proc/{pid}/root{claimed}")
            if (seen.st_dev, seen.st_ino) == (real.st_dev, real.st_ino):
                return claimed
    return kernel if kernel.startswith("/") else "/"


class FileChannel:
    """File operations done by the calling client, as the driver, in its view.

    Used only by the thread dispatching the call, between the request and the reply.
    Paths must be absolute (the caller joins a relative one to the call's cwd).
    Failures raise ``OSError`` with the client's errno; a client that breaks the
    protocol raises ``OSError(EIO)`` and the call's connection is closed after it.
    """

    def __init__(self, conn: socket.socket) -> None:
        self._conn = conn
        self.broken = False

    def _ask(self, op: P.FileOp, path: str, flags: int = 0, mode: int = 0,
             second: str | None = None) -> tuple[int, int, bytes, int | None]:
        raw = os.fsencode(path)
        both = [raw] if second is None else [raw, os.fsencode(second)]
        # every path is absolute, but a link's target, which is any text
        paths = both[1:] if op is P.FileOp.SYMLINK else both
        if not all(r.startswith(b"/") for r in paths) or not raw:
            raise ValueError(f"FileChannel needs an absolute path, not {path!r}")
        if self.broken:
            raise OSError(errno.EIO, os.strerror(errno.EIO), path)
        if any(b"\0" in r for r in both):
            raise ValueError("embedded null byte")
        raw = b"\0".join(both)
        if len(raw) >= P.PATH_MAX:
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), path)
        fds: list[int] = []
        try:
            self._conn.sendall(P.encode_file_request(op, raw, flags, mode))
            data, anc, msg_flags, _ = self._conn.recvmsg(P.ANSWER.size, socket.CMSG_SPACE(4))
            for level, ctype, cdata in anc:
                if level == socket.SOL_SOCKET and ctype == socket.SCM_RIGHTS:
                    arr = array.array("i")
                    arr.frombytes(cdata[: len(cdata) - len(cdata) % arr.itemsize])
                    fds.extend(arr)
            if msg_flags & socket.MSG_CTRUNC or len(fds) > 1:
                raise P.ProtocolError("too many fds in a file answer")
            if len(data) < P.ANSWER.size:
                if not data:
                    raise P.ProtocolError("client closed the connection")
                data += P.recv_exact(self._conn, P.ANSWER.size - len(data))
            result, st_mode, st_size, length = P.decode_answer(data)
            text = P.recv_exact(self._conn, length) if length else b""
            fd = fds.pop() if fds else None
            if (fd is not None) != (op is P.FileOp.OPEN and result == 0):
                if fd is not None:
                    _close(fd)
                raise P.ProtocolError("file answer with a wrong descriptor")
        except (P.ProtocolError, OSError) as exc:
            for fd in fds:
                _close(fd)
            self.broken = True
            _log().debug("svmsim: file request %s %r failed: %s", op.name, path, exc)
            raise OSError(errno.EIO, os.strerror(errno.EIO), path) from None
        if result < 0:
            raise OSError(-result, os.strerror(-result), path)
        return st_mode, st_size, text, fd

    def open(self, path: str, flags: int, mode: int = 0o666) -> int:
        """A new descriptor owned by the caller of this method."""
        fd = self._ask(P.FileOp.OPEN, path, flags, mode)[3]
        assert fd is not None
        return fd

    def unlink(self, path: str) -> None:
        self._ask(P.FileOp.UNLINK, path)

    def stat(self, path: str, follow: bool = True) -> tuple[int, int]:
        """(st_mode, st_size)."""
        st_mode, st_size, _, _ = self._ask(P.FileOp.STAT if follow else P.FileOp.LSTAT, path)
        return st_mode, st_size

    def readlink(self, path: str) -> str:
        return os.fsdecode(self._ask(P.FileOp.READLINK, path)[2])

    def mkdir(self, path: str, mode: int = 0o777) -> None:
        self._ask(P.FileOp.MKDIR, path, mode=mode)

    def rmdir(self, path: str) -> None:
        self._ask(P.FileOp.RMDIR, path)

    def chmod(self, path: str, mode: int) -> None:
        self._ask(P.FileOp.CHMOD, path, mode=mode)

    def utime(self, path: str, when: float) -> None:
        """Access and modification time ``when`` (0..2**32-1, UFS's 32-bit times)."""
        self._ask(P.FileOp.UTIME, path, flags=max(0, min(int(when), 2**32 - 1)))

    def symlink(self, target: str, path: str) -> None:
        """``path`` becomes a link to ``target`` (any text; the link path is absolute)."""
        self._ask(P.FileOp.SYMLINK, target, second=path)

    def rename(self, old: str, new: str) -> None:
        self._ask(P.FileOp.RENAME, old, second=new)



@dataclass
class ShimCall:
    """One fake-command invocation as received from a shim client.

    ``stdin``/``stdout``/``stderr`` are fds owned by the server: valid during
    ``dispatch`` and closed right after it returns.  ``uid`` and ``cwd`` are the
    kernel's (see the module docstring); ``pid`` is the client's process (in the
    harness's PID namespace), ``files`` the channel its file requests go through.
    ``dispatch`` returns the exit status 0..255, or ``protocol.SIGNAL_BASE + signum`` to make the
    client die of that signal.
    """

    argv: list[str]
    env: dict[str, str]
    cwd: str
    uid: int
    stdin: int
    stdout: int
    stderr: int
    missing_fds: frozenset[int] = field(default_factory=frozenset)
    lock: threading.Lock | None = field(default=None, repr=False, compare=False)
    pid: int = 0
    files: FileChannel | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """Command name: basename of argv[0]."""
        return os.path.basename(self.argv[0]) if self.argv else ""

    @contextlib.contextmanager
    def unlocked(self) -> Iterator[None]:
        """Let other calls dispatch while this one blocks on a pipe.

        In ``ufsdump 0f - /dev/md/rdsk/d10 | ufsrestore rf -`` both ends are
        fake commands: whichever holds the dispatch lock first blocks on the
        pipe until the other runs, so bulk stdin reads and stdout writes
        belong inside ``with call.unlocked():``, touching no shared state.
        """
        if self.lock is None:
            yield
            return
        self.lock.release()
        try:
            yield
        finally:
            self.lock.acquire()


Dispatch = Callable[[ShimCall], int]
Admit = Callable[[Peer], bool]
OnSleep = Callable[[float], None]
Now = Callable[[], float]


class _ClockFile:
    """Writer side of the mmapped clock file (layout in ``protocol``)."""

    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            os.fchmod(fd, 0o644)
            os.ftruncate(fd, P.CLOCK_FILE_SIZE)
            self._mm = mmap.mmap(fd, P.CLOCK_FILE_SIZE)
        finally:
            os.close(fd)
        self._mm[0 : P.CLOCK_HEAD.size] = P.CLOCK_HEAD.pack(P.CLOCK_MAGIC, P.CLOCK_VERSION)
        # One aligned 8-byte store per field: readers never see torn values.
        self._words = memoryview(self._mm).cast("q")

    def write(self, realtime_ns: int, mono_offset_ns: int) -> None:
        seq = self._words[1]
        self._words[1] = seq + 1
        self._words[2] = realtime_ns
        self._words[3] = mono_offset_ns
        self._words[1] = seq + 2

    def close(self) -> None:
        self._words.release()
        self._mm.close()


class ShimServer:
    """Serve shim requests on ``socket_path`` from a background thread."""

    def __init__(
        self,
        socket_path: str | Path,
        dispatch: Dispatch,
        on_sleep: OnSleep,
        now: Now,
        *,
        clock_path: str | Path | None = None,
        admit: Admit | None = None,
    ) -> None:
        self.socket_path = Path(socket_path)
        self._admit = admit
        self.clock_path = Path(clock_path) if clock_path else P.clock_path_for(self.socket_path)
        self._dispatch = dispatch
        self._on_sleep = on_sleep
        self._now = now
        self.dispatch_lock = threading.Lock()
        self._clock_lock = threading.Lock()
        self._conns_lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        # connections wait here for a worker thread that finished its last one: a thread
        # is started only when none is idle (a call may block on a pipe for long, so the
        # pool grows as calls overlap), saving a thread start per fake call (~0.1 ms)
        self._work: queue.SimpleQueue[socket.socket | None] = queue.SimpleQueue()
        self._idle = 0
        self._workers = 0
        self._pool_lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._wake_r = self._wake_w = -1
        self._stopping = False
        self._clock: _ClockFile | None = None
        self._last_epoch: float | None = None
        self._mono_offset_ns = 0
        self._budget = BODY_BUDGET
        self._budget_lock = threading.Lock()
        self._complaints = 0
        self.run_uid = os.geteuid()

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        try:
            self.socket_path.unlink()
        except FileNotFoundError:
            pass
        # The run's uid owns the socket's directory (the sandbox chowns it to the uid the
        # driver runs as); only that uid may enter it or connect.
        parent = self.socket_path.parent
        st = os.stat(parent)
        self.run_uid = st.st_uid
        os.chmod(parent, 0o700)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(os.fspath(self.socket_path))
            os.chmod(self.socket_path, 0o600)
            if os.geteuid() == 0 and st.st_uid != 0:
                os.lchown(self.socket_path, st.st_uid, st.st_gid)
            listener.listen(128)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._clock = _ClockFile(self.clock_path)
        self.publish_clock()
        self._wake_r, self._wake_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        self._stopping = False
        self._thread = threading.Thread(
            target=self._accept_loop, name="svmsim-shim-server", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stopping = True
        os.write(self._wake_w, b"x")
        self._thread.join()
        self._thread = None
        with self._pool_lock:           # the idle workers end; busy ones after their call
            for _ in range(self._idle):
                self._work.put(None)
            self._idle = 0
        with self._conns_lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)
        self._wake_r = self._wake_w = -1
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for path in (self.socket_path, self.clock_path):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        with self._clock_lock:
            if self._clock is not None:
                self._clock.close()
                self._clock = None

    def __enter__(self) -> ShimServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- clock -------------------------------------------------------------
    def publish_clock(self) -> float | None:
        """Re-read ``now()`` and rewrite the clock file; returns the epoch."""
        with self._clock_lock:
            return self._publish_locked()

    def _publish_locked(self) -> float | None:
        try:
            epoch = float(self._now())
        except Exception as exc:
            _log().warning("svmsim: now() failed: %s", exc)
            _log().debug("now() traceback", exc_info=True)
            return self._last_epoch
        if self._last_epoch is not None and epoch > self._last_epoch:
            # Monotonic clocks advance by every forward step of the virtual
            # clock and never go back, even if the owner rewinds it.
            step = _ns(epoch - self._last_epoch)
            self._mono_offset_ns = min(I64_MAX, self._mono_offset_ns + step)
        self._last_epoch = epoch
        if self._clock is not None:
            self._clock.write(_ns(epoch), self._mono_offset_ns)
        return epoch

    # -- serving -----------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._listener is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self._listener, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping:
                for key, _ in sel.select():
                    if key.fileobj is not self._listener:
                        continue
                    try:
                        conn, _addr = self._listener.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError as exc:
                        _log().warning("svmsim: accept failed: %s", exc)
                        continue
                    conn.setblocking(True)
                    with self._conns_lock:
                        self._conns.add(conn)
                    self._hand_over(conn)

    def _hand_over(self, conn: socket.socket) -> None:
        """Give ``conn`` to an idle worker, or to a new one when none is idle."""
        with self._pool_lock:
            if self._idle > 0:
                self._idle -= 1
                self._work.put(conn)
                return
            self._workers += 1
        threading.Thread(target=self._worker, args=(conn,), name="svmsim-shim-conn",
                         daemon=True).start()

    def _worker(self, conn: socket.socket | None) -> None:
        """Serve connections until the server stops (a None from the queue)."""
        while conn is not None:
            self._serve_connection(conn)
            with self._pool_lock:
                if self._stopping:      # no thread outlives its server
                    self._workers -= 1
                    return
                self._idle += 1
            conn = self._work.get()
        with self._pool_lock:
            self._workers -= 1

    def _complain(self, text: str, *args: object) -> None:
        """One line per bad request; after QUIET_AFTER of them, at DEBUG only."""
        self._complaints += 1
        import logging
        level = logging.WARNING if self._complaints <= QUIET_AFTER else logging.DEBUG
        log = _log()
        log.log(level, text, *args)
        if self._complaints == QUIET_AFTER:
            log.warning("svmsim: further malformed shim requests are logged at DEBUG level")

    def _admitted(self, peer: Peer) -> bool:
        if self._admit is not None:
            return self._admit(peer)
        return peer.uid in (self.run_uid, os.geteuid())

    def _serve_connection(self, conn: socket.socket) -> None:
        fds: list[int] = []
        reserved = 0
        try:
            peer = peer_of(conn)
            if not self._admitted(peer):
                self._complain("svmsim: refused a shim connection from pid %d uid %d",
                               peer.pid, peer.uid)
                return
            kind, length, fds = self._read_header(conn)
            if length > P.MAX_BODY or not self._reserve(length):
                self._refuse(conn, fds, length)
                return
            reserved = length
            body = _recv_body(conn, length)
            if kind is P.Kind.CALL:
                reply = self._handle_call(body, fds, conn, peer)
                fds = []
            else:
                if fds:
                    raise P.ProtocolError(f"{kind.name} request carried fds")
                if kind is P.Kind.SLEEP:
                    reply = self._handle_sleep(P.decode_sleep(body))
                else:
                    if body:
                        raise P.ProtocolError("NOW request with a body")
                    with self._clock_lock:
                        epoch = self._publish_locked()
                    reply = P.encode_reply(0, epoch or 0.0)
            if reply:
                conn.sendall(reply)
        except P.ProtocolError as exc:
            self._complain("svmsim: dropped a malformed shim request: %s", exc)
        except OSError as exc:
            _log().debug("svmsim: shim connection failed: %s", exc)
        finally:
            self._release(reserved)
            for fd in fds:
                _close(fd)
            with self._conns_lock:
                self._conns.discard(conn)
            conn.close()

    def _reserve(self, n: int) -> bool:
        with self._budget_lock:
            if n > self._budget:
                return False
            self._budget -= n
            return True

    def _release(self, n: int) -> None:
        if n:
            with self._budget_lock:
                self._budget += n

    def _refuse(self, conn: socket.socket, fds: list[int], length: int) -> None:
        """A body too long for MAX_BODY (or for what is left of BODY_BUDGET): one line
        on the client's stderr when it sent one, status STATUS_REFUSED, nothing read."""
        why = (f"request of {length} bytes refused (at most {P.MAX_BODY})"
               if length > P.MAX_BODY else "request refused: too many requests in flight")
        self._complain("svmsim: %s", why)
        if len(fds) == 3:   # fds 0, 1, 2 as sent: stderr is the last
            with contextlib.suppress(OSError):
                os.write(fds[2], f"svmsim: {why}\n".encode())
        with contextlib.suppress(OSError):
            conn.sendall(P.encode_reply(P.STATUS_REFUSED, self._last_epoch or 0.0))

    def _read_header(self, conn: socket.socket) -> tuple[P.Kind, int, list[int]]:
        fds: list[int] = []
        try:
            data, ancdata, flags, _ = conn.recvmsg(P.HEADER.size, socket.CMSG_SPACE(3 * 4))
            for level, ctype, cdata in ancdata:
                if level == socket.SOL_SOCKET and ctype == socket.SCM_RIGHTS:
                    arr = array.array("i")
                    arr.frombytes(cdata[: len(cdata) - len(cdata) % arr.itemsize])
                    fds.extend(arr)
            if flags & socket.MSG_CTRUNC:
                raise P.ProtocolError("too many fds attached")
            if not data:
                raise P.ProtocolError("connection closed before the header")
            if len(data) < P.HEADER.size:
                data += P.recv_exact(conn, P.HEADER.size - len(data))
            kind, length = P.decode_header(data)
            return kind, length, fds
        except BaseException:
            for fd in fds:
                _close(fd)
            raise

    def _handle_sleep(self, seconds: float) -> bytes:
        status = 0
        with self._clock_lock:
            try:
                self._on_sleep(seconds)
            except Exception as exc:
                status = 1
                _log().warning("svmsim: on_sleep(%s) failed: %s", seconds, exc)
                _log().debug("on_sleep traceback", exc_info=True)
            epoch = self._publish_locked()
        return P.encode_reply(status, epoch or 0.0)

    def _handle_call(self, body: bytes, fds: list[int], conn: socket.socket, peer: Peer
                     ) -> bytes:
        opened: list[int] = []
        channel = FileChannel(conn)
        try:
            req = P.decode_call(body)
            try:
                cwd = peer_cwd(peer.pid, req.cwd)
            except OSError as exc:   # the caller is gone: nobody to answer
                raise P.ProtocolError(f"no cwd for pid {peer.pid}: {exc.strerror}") from None
            wanted = [i for i in range(3) if req.fdmask & (1 << i)]
            if len(wanted) != len(fds):
                raise P.ProtocolError(f"fd mask names {len(wanted)} fds, {len(fds)} attached")
            by_index = dict(zip(wanted, fds, strict=True))
            for i in range(3):
                if i not in by_index:
                    by_index[i] = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
                    opened.append(by_index[i])
            call = ShimCall(
                argv=req.argv,
                env=req.env,
                cwd=cwd,
                uid=inside_uid(peer.pid, peer.uid),
                stdin=by_index[0],
                stdout=by_index[1],
                stderr=by_index[2],
                missing_fds=frozenset(i for i in range(3) if i not in wanted),
                lock=self.dispatch_lock,
                pid=peer.pid,
                files=channel,
            )
            with self.dispatch_lock:
                status = self._run_dispatch(call)
        finally:
            for fd in [*fds, *opened]:
                _close(fd)
        epoch = self.publish_clock()
        return P.encode_reply(status, epoch or 0.0)

    def _run_dispatch(self, call: ShimCall) -> int:
        try:
            code = self._dispatch(call)
        except BrokenPipeError:
            return P.SIGNAL_BASE + signal.SIGPIPE
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception as exc:
            _log().debug("svmsim: dispatch of %r failed", call.argv, exc_info=True)
            message = (
                f"{call.name or 'svmsim'}: internal simulator error: {type(exc).__name__}: {exc}"
            )
            try:
                os.write(
                    call.stderr, (" ".join(message.splitlines()) + "\n").encode(errors="replace")
                )
            except OSError:
                pass
            return 1
        if not isinstance(code, int):
            _log().warning("svmsim: dispatch of %r returned %r, not an int", call.argv, code)
            return 1
        if code >= P.SIGNAL_BASE and code < P.SIGNAL_BASE + 65:
            return code
        return code & 0xFF


def _recv_body(conn: socket.socket, n: int) -> bytes:
    """Exactly ``n`` bytes into one buffer (no list of chunks joined at the end)."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = conn.recv_into(view[got:], n - got)
        if not k:
            raise P.ProtocolError(f"connection closed after {got} of {n} bytes")
        got += k
    return bytes(buf)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
