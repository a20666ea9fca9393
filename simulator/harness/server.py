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
import logging
import mmap
import os
import selectors
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from simulator.harness import protocol as P

log = logging.getLogger(__name__)


@dataclass
class ShimCall:
    """One fake-command invocation as received from a shim client.

    ``stdin``/``stdout``/``stderr`` are fds owned by the server: valid during
    ``dispatch`` and closed right after it returns.  ``dispatch`` returns the
    exit status 0..255, or ``protocol.SIGNAL_BASE + signum`` to make the
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
    ) -> None:
        self.socket_path = Path(socket_path)
        self.clock_path = Path(clock_path) if clock_path else P.clock_path_for(self.socket_path)
        self._dispatch = dispatch
        self._on_sleep = on_sleep
        self._now = now
        self.dispatch_lock = threading.Lock()
        self._clock_lock = threading.Lock()
        self._conns_lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._wake_r = self._wake_w = -1
        self._stopping = False
        self._clock: _ClockFile | None = None
        self._last_epoch: float | None = None
        self._mono_offset_ns = 0

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        try:
            self.socket_path.unlink()
        except FileNotFoundError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(os.fspath(self.socket_path))
            # Access is governed by the directory; the sandboxed uid must connect.
            os.chmod(self.socket_path, 0o666)
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
            log.warning("svmsim: now() failed: %s", exc)
            log.debug("now() traceback", exc_info=True)
            return self._last_epoch
        if self._last_epoch is not None and epoch > self._last_epoch:
            # Monotonic clocks advance by every forward step of the virtual
            # clock and never go back, even if the owner rewinds it.
            self._mono_offset_ns += round((epoch - self._last_epoch) * 1e9)
        self._last_epoch = epoch
        if self._clock is not None:
            self._clock.write(round(epoch * 1e9), self._mono_offset_ns)
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
                        log.warning("svmsim: accept failed: %s", exc)
                        continue
                    conn.setblocking(True)
                    with self._conns_lock:
                        self._conns.add(conn)
                    threading.Thread(
                        target=self._serve_connection,
                        args=(conn,),
                        name="svmsim-shim-conn",
                        daemon=True,
                    ).start()

    def _serve_connection(self, conn: socket.socket) -> None:
        fds: list[int] = []
        try:
            kind, body, fds = self._read_request(conn)
            if kind is P.Kind.CALL:
                reply = self._handle_call(body, fds)
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
            conn.sendall(reply)
        except P.ProtocolError as exc:
            log.warning("svmsim: dropped a malformed shim request: %s", exc)
        except OSError as exc:
            log.debug("svmsim: shim connection failed: %s", exc)
        finally:
            for fd in fds:
                _close(fd)
            with self._conns_lock:
                self._conns.discard(conn)
            conn.close()

    def _read_request(self, conn: socket.socket) -> tuple[P.Kind, bytes, list[int]]:
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
            body = P.recv_exact(conn, length) if length else b""
            return kind, body, fds
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
                log.warning("svmsim: on_sleep(%s) failed: %s", seconds, exc)
                log.debug("on_sleep traceback", exc_info=True)
            epoch = self._publish_locked()
        return P.encode_reply(status, epoch or 0.0)

    def _handle_call(self, body: bytes, fds: list[int]) -> bytes:
        opened: list[int] = []
        try:
            req = P.decode_call(body)
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
                cwd=req.cwd,
                uid=req.uid,
                stdin=by_index[0],
                stdout=by_index[1],
                stderr=by_index[2],
                missing_fds=frozenset(i for i in range(3) if i not in wanted),
                lock=self.dispatch_lock,
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
            log.debug("svmsim: dispatch of %r failed", call.argv, exc_info=True)
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
            log.warning("svmsim: dispatch of %r returned %r, not an int", call.argv, code)
            return 1
        if code >= P.SIGNAL_BASE and code < P.SIGNAL_BASE + 65:
            return code
        return code & 0xFF


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
