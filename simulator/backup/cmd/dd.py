"""dd(1M): convert and copy -- the raw-volume backup of the Admin Guide's Caution.

A volume with no file system (a database's raw device) is not backed up with ufsdump: its
detached submirror is copied byte for byte, ``dd if=/dev/md/rdsk/d22 of=/dev/rmt/0 bs=1024k``.
This dd copies real files as illumos dd does, and copies a metadevice or slice as a modelled
image (:mod:`simulator.backup.rawimage`: what was read, not the bytes) in the virtual time the
disk and the destination take, with the faults of a dump striking at each tenth of it.

Source: illumos usr/src/cmd/dd/dd.c. Hand-written because its texts and its operand grammar
must match byte for byte: operands ``name=value`` (``match()``), numbers with the suffixes
``k M G T P E Z w b`` and products ``x``/``*`` (``number()``), ``dd: bad argument: "…"`` and
``dd: bad numeric argument: "…"`` exit 2, ``dd: FILE: open: <strerror>`` exit 2, a failed
read ``read: <strerror>`` then the statistics and exit 2 (``term(2)``), with ``conv=noerror``
the statistics after each bad read and a give-up after BADLIMIT (5) bad reads in a row, a
failed write ``write: <strerror>`` then the statistics and exit 2, ``dd: cannot skip past
end-of-file`` exit 3. The statistics (``stats()``) are ``N+P records in`` and ``N+P records
out`` on every release; illumos (2014 and later) adds ``B bytes transferred in S secs (R
bytes/sec)``, which Solaris 9-11 do not print.

Not simulated, and said so (exit 2): the character-set and record conversions (``conv=ascii,
ebcdic, ibm, block, unblock``, ``cbs=``), ``files=``, the strides, reading a tape, writing to
a metadevice or slice (a restore), ``seek=``/``conv=notrunc`` on a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from simulator.backup.rawimage import RawHeader
from simulator.backup.tapes import TapeDrive, TapeFile, open_tape, tape_unit
from simulator.core.coverage import Coverage
from simulator.core.errors import CommandExit
from simulator.core.invocation import Invocation
from simulator.core.names import device_slice, device_unit
from simulator.core.strerror import SysError, oserror_text, strerror

NAME = "dd"
BIG = 0o777777777777777777777
BADLIMIT = 5
_SUFFIX = {"k": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4, "P": 1024 ** 5,
           "E": 1024 ** 6, "Z": 1024 ** 7, "w": 2, "b": 512}
_NUMERIC = ("ibs", "obs", "bs", "cbs", "files", "skip", "iseek", "oseek", "seek", "stride",
            "istride", "ostride", "count")
_CONVS = {"noerror", "notrunc", "sync", "swab", "lcase", "ucase"}
_NOT_SIMULATED_CONVS = {"ascii", "ebcdic", "ibm", "asciib", "ebcdicb", "ibmb", "block",
                        "unblock"}
_ZERO_LIMIT = 256 * 1024 * 1024    # bytes of /dev/zero copied for real at most


COVERAGE = Coverage(
    source=("usr/src/cmd/dd/dd.c",),
    options=(
        "if=file: the input (a file, stdin, /dev/zero, or a slice or metadevice: its "
        "modelled image)",
        "of=file: the output (a file, stdout, /dev/null or a tape drive)",
        "bs=n: the block size of both (k M G T P E Z w b suffixes, x products)",
        "ibs=n: the input block size",
        "obs=n: the output block size",
        "count=n: input blocks to copy",
        "skip=n: input blocks to skip (iseek= the same)",
        "conv=noerror,sync,swab,lcase,ucase,notrunc: go on after read errors, pad, swap, "
        "case; notrunc only where no seek is needed",
        "oflag=dsync,sync: accepted (every write of the model is on stable storage)",
    ),
    not_simulated=(
        "conv=ascii,ebcdic,ibm,asciib,ebcdicb,ibmb,block,unblock: the character-set and "
        "record conversions",
        "cbs=, files=, stride=, istride=, ostride=",
        "reading a tape",
        "writing to a metadevice or slice (a restore to a volume)",
        "seek=/oseek=/conv=notrunc on a file",
        "if=/dev/zero without count= (or over 256 MB)",
    ),
    messages=(
        "dd: bad argument: \"<arg>\"",
        "dd: bad numeric argument: \"<value>\"",
        "dd: argument out of range: \"<n>\"",
        "dd: buffer sizes cannot be zero",
        "dd: <file>: open: <strerror>",
        "dd: cannot skip past end-of-file",
        "read: <strerror>",
        "write: <strerror>",
        "<n>+<p> records in",
        "<n>+<p> records out",
        "<bytes> bytes transferred in <secs> secs (<rate> bytes/sec)",
        "dd: <what>: not simulated by svmsim",
    ),
    notes="A slice or metadevice is copied as a modelled image (simulator/backup/rawimage.py) "
          "in virtual time. The bytes-transferred line is printed on illumos only.",
)


class _Stop(Exception):
    """dd ends here: ``code`` is its exit status (the statistics are printed)."""

    def __init__(self, code: int) -> None:
        self.code = code


def number(text: str) -> int:
    """dd.c number(): digits, then suffixes multiplying them, ``x``/``*`` a product."""
    i, n = 0, 0
    while i < len(text) and text[i].isdigit():
        n = n * 10 + int(text[i])
        i += 1
    while i < len(text):
        c = text[i]
        i += 1
        if c in _SUFFIX:
            n *= _SUFFIX[c]
        elif c in "x*":
            n *= number(text[i:])
            break
        else:
            raise _BadNumber(text)
    if n > BIG:
        raise _OutOfRange(n)
    return n


class _BadNumber(Exception):
    pass


class _OutOfRange(Exception):
    pass


@dataclass
class Operands:
    """The operands as dd.c reads them."""

    ifile: str | None = None
    ofile: str | None = None
    values: dict[str, int] = field(default_factory=dict)
    conv: set[str] = field(default_factory=set)

    def get(self, name: str, default: int = 0) -> int:
        return self.values.get(name, default)

    @property
    def ibs(self) -> int:
        return self.get("bs") or self.get("ibs", 512)

    @property
    def obs(self) -> int:
        return self.get("bs") or self.get("obs", 512)


def operands(args: list[str]) -> dict[str, str]:
    """``name=value`` operands as written (the last of a name wins, as dd.c's loop does);
    what the verdict reads of a dd call (``if=``, ``of=``) without running it."""
    out = {}
    for arg in args:
        name, eq, value = arg.partition("=")
        if eq:
            out[name] = value
    return out


def reads_device(args: list[str]) -> str | None:
    """The metadevice or slice a dd call copies (its ``if=``), None for anything else."""
    src = operands(args).get("if")
    return src if src is not None and _modelled(src) else None


def parse(inv: Invocation) -> Operands:
    ops = Operands()
    for arg in inv.args:
        name, eq, value = arg.partition("=")
        if not eq:
            _bad(inv, arg)
        if name == "if":
            ops.ifile = value
        elif name == "of":
            ops.ofile = value
        elif name in _NUMERIC:
            try:
                ops.values[name] = number(value)
            except _BadNumber:
                inv.err(f'dd: bad numeric argument: "{value}"')
                raise CommandExit(2) from None
            except _OutOfRange as e:
                inv.err(f'dd: argument out of range: "{e.args[0]}"')
                raise CommandExit(2) from None
        elif name == "conv":
            for word in value.split(","):
                if word in _CONVS:
                    ops.conv.add(word)
                elif word in _NOT_SIMULATED_CONVS:
                    inv.err(f"dd: conv={word}: not simulated by svmsim")
                    raise CommandExit(2)
                elif word:
                    _bad(inv, word)
        elif name == "oflag":
            # O_DSYNC/O_SYNC: every write of the model is already on stable storage
            if any(w not in ("", "dsync", "sync") for w in value.split(",")):
                _bad(inv, value)
        else:
            _bad(inv, arg)
    if ("bs" in ops.values and ops.values["bs"] == 0) or ops.ibs == 0 or ops.obs == 0:
        inv.err("dd: buffer sizes cannot be zero")
        raise CommandExit(2)
    for name in ("cbs", "files", "stride", "istride", "ostride"):
        if ops.get(name):
            inv.err(f"dd: {name}=: not simulated by svmsim")
            raise CommandExit(2)
    return ops


def _bad(inv: Invocation, text: str) -> None:
    inv.err(f'dd: bad argument: "{text}"')
    raise CommandExit(2)


def _modelled(path: str) -> bool:
    """A metadevice or slice: the model's device, read as a modelled image."""
    return device_unit(path) is not None or device_slice(path) is not None


@dataclass
class Stats:
    """dd.c's counters: full and partial input and output records, bytes written."""

    ifull: int = 0
    ipart: int = 0
    ofull: int = 0
    opart: int = 0
    obytes: int = 0

    def set(self, nbytes: int, ibs: int, obs: int, reblock: bool) -> None:
        """``nbytes`` read from the start in ``ibs`` records, written in ``obs`` ones (or
        in the input's, when no reblocking)."""
        self.ifull, self.ipart = nbytes // ibs, 1 if nbytes % ibs else 0
        self.obytes = nbytes
        size = obs if reblock else ibs
        self.ofull, self.opart = nbytes // size, 1 if nbytes % size else 0


class DD:
    """One dd run."""

    def __init__(self, inv: Invocation, ops: Operands) -> None:
        self.inv = inv
        self.host = inv.host
        self.ops = ops
        self.stats = Stats()
        self.reblock = "bs" not in ops.values or bool(ops.conv & {"lcase", "ucase"})
        self.seconds = 0.0

    def print_stats(self) -> None:
        s = self.stats
        self.inv.err(f"{s.ifull}+{s.ipart} records in")
        self.inv.err(f"{s.ofull}+{s.opart} records out")
        if self.host.release == "illumos":
            secs = max(self.seconds, 1e-6)
            self.inv.err(f"{s.obytes} bytes transferred in {secs:.6f} secs "
                         f"({s.obytes / secs:.0f} bytes/sec)")

    # ------------------------------------------------------------------ the run
    def run(self) -> int:
        ops = self.ops
        src, dst = ops.ifile, ops.ofile
        if src is not None and tape_unit(src) is not None:
            return self._not_simulated("reading a tape")
        if dst is not None and _modelled(dst):
            return self._not_simulated(f"writing to {dst} (a restore to a volume)")
        if src is not None and _modelled(src):
            return self.copy_device(src)
        return self.copy_bytes()

    def _not_simulated(self, what: str) -> int:
        self.inv.err(f"dd: {what}: not simulated by svmsim")
        return 2

    def _open_error(self, name: str, text: str) -> int:
        self.inv.err(f"dd: {name}: open: {text}")
        return 2

    # ------------------------------------------------------------------ real bytes
    def copy_bytes(self) -> int:
        """A copy of real bytes (files, standard input and output, /dev/zero, /dev/null)."""
        ops, inv = self.ops, self.inv
        try:
            data = self._read_input()
        except _ZeroLimit:
            return self._not_simulated("if=/dev/zero without count= (or over 256 MB)")
        except SysError as e:
            return self._open_error(ops.ifile or "", e.text)
        except OSError as e:
            return self._open_error(ops.ifile or "", oserror_text(e))
        ibs, obs = ops.ibs, ops.obs
        skip = (ops.get("skip") + ops.get("iseek")) * ibs
        if ops.get("skip") and skip > len(data) and ops.ifile not in ("/dev/zero",):
            inv.err("dd: cannot skip past end-of-file")
            return 3
        data = data[skip:]
        if "count" in ops.values:
            data = data[:ops.get("count") * ibs]
        blocks = [data[i:i + ibs] for i in range(0, len(data), ibs)]
        out = bytearray()
        for b in blocks:
            if len(b) == ibs:
                self.stats.ifull += 1
            else:
                self.stats.ipart += 1
                if "sync" in ops.conv:
                    b = b + bytes(ibs - len(b))
            if "swab" in ops.conv:
                b = _swab(b)
            if "lcase" in ops.conv:
                b = b.lower()
            elif "ucase" in ops.conv:
                b = b.upper()
            out += b
            if not self.reblock:
                self.stats.obytes += len(b)
                if len(b) == ibs:
                    self.stats.ofull += 1
                else:
                    self.stats.opart += 1
        if self.reblock:
            self.stats.obytes = len(out)
            self.stats.ofull = len(out) // obs
            self.stats.opart = 1 if len(out) % obs else 0
        code = self._write_output(bytes(out))
        if code:
            return code
        self.print_stats()
        return 0

    def _read_input(self) -> bytes:
        ops, inv = self.ops, self.inv
        src = ops.ifile
        if src is None:
            return inv.stdin
        if src == "/dev/null":
            return b""
        if src == "/dev/zero":
            want = ops.get("count") * ops.ibs + (ops.get("skip") + ops.get("iseek")) * ops.ibs
            if "count" not in ops.values or want > _ZERO_LIMIT:
                raise _ZeroLimit()
            return bytes(want)
        if src.startswith("/dev/"):
            raise SysError("ENOENT")
        with inv.files.open_read(src, inv.cwd) as f:
            return f.read()

    def _write_output(self, data: bytes) -> int:
        ops, inv = self.ops, self.inv
        dst = ops.ofile
        if dst is None:
            inv.stdout.write(data)
            return 0
        if dst == "/dev/null":
            return 0
        if tape_unit(dst) is not None:
            return self._to_tape(dst, data, len(data) // 512)
        if dst.startswith("/dev/"):
            return self._open_error(dst, strerror("ENOENT"))
        if ops.get("seek") or ops.get("oseek") or "notrunc" in ops.conv:
            return self._not_simulated("seek=/oseek=/conv=notrunc on a file")
        try:
            with inv.files.open_write(dst, inv.cwd) as f:
                f.write(data)
        except OSError as e:
            return self._open_error(dst, oserror_text(e))
        return 0

    def _to_tape(self, dst: str, data: bytes, blocks: int) -> int:
        try:
            m = open_tape(self.host.backups.tape(dst), dst, write=True)
        except SysError as e:
            return self._open_error(dst, e.text)
        drive = m.drive
        assert drive is not None and drive.cartridge is not None
        cart = drive.cartridge
        del cart.files[drive.position:]
        cart.files.append(TapeFile(data.decode("latin-1"), blocks))
        drive.position += 1
        if not m.norewind:
            drive.rewind()
        return 0

    # ------------------------------------------------------------------ a modelled device
    def copy_device(self, src: str) -> int:
        """A metadevice or slice: read in virtual time, written as a raw image."""
        host, ops, inv = self.host, self.ops, self.inv
        size = host.fs.device_size(src)
        if size is None:
            return self._open_error(src, strerror("ENXIO"))
        total = size * 512
        ibs, obs = ops.ibs, ops.obs
        skipped = (ops.get("skip") + ops.get("iseek")) * ibs
        if ops.get("skip") and skipped > total:
            inv.err("dd: cannot skip past end-of-file")
            return 3
        want = total - min(skipped, total)
        if "count" in ops.values:
            want = min(want, ops.get("count") * ibs)
        header = RawHeader(src, total, 0, skipped, date=host.clock.now, host=host.hostname)
        first = self._content(src, header)
        # the destination: opened before the first read (dd.c opens both, then copies)
        dest = self._open_dest()
        if isinstance(dest, int):
            return dest
        kind, handle, drive, norewind, capacity = dest
        rate = min(host.backups.disk_rate_kbs / host.md.io_factor(src),
                   drive.rate_kbs if drive is not None else host.backups.file_rate_kbs)
        duration = want / 1024 / max(rate, 1.0)
        code = 0
        done = 0
        bad = 0
        try:
            for k in range(1, 11):
                goal = want * k // 10
                if capacity is not None and goal > capacity:
                    goal = capacity
                self._advance(duration * (goal - done) / max(want, 1))
                self.stats.set(goal, ibs, obs, self.reblock)
                done = goal
                if capacity is not None and done >= capacity and done < want:
                    inv.err(f"write: {strerror('ENOSPC')}")
                    raise _Stop(2)
                if k == 10:
                    break
                host.faults.progress("dd", k / 10, target=src)
                for event in self._events():
                    if event.startswith("killed:"):
                        header.copied = done
                        self._finish(header, first, kind, handle, drive, norewind, done)
                        raise CommandExit(128 + int(event.partition(":")[2]))
                    if event in ("write-error", "eom"):
                        errno = "EIO" if kind == "tape" and event == "write-error" else "ENOSPC"
                        inv.err(f"write: {strerror(errno)}")
                        raise _Stop(2)
                    if event.startswith("read:"):
                        bad = self._read_errors(int(event.partition(":")[2]), header, bad)
                if host.md.read_error(src) is not None:
                    self._read_errors(BADLIMIT + 1, header, bad)
        except _Stop as stop:
            code = stop.code
        header.copied = done
        self._finish(header, first, kind, handle, drive, norewind, done)
        self.print_stats()
        return code

    def _read_errors(self, n: int, header: RawHeader, bad: int) -> int:
        """``n`` input records in a row cannot be read (EIO): dd stops at the first, or with
        conv=noerror zero-fills each and prints the statistics, and gives up past
        BADLIMIT bad reads in a row."""
        for _ in range(n):
            self.inv.err(f"read: {strerror('EIO')}")
            bad += 1
            if "noerror" not in self.ops.conv or bad > BADLIMIT:
                raise _Stop(2)
            self.print_stats()
            header.zero_filled += 1
        return bad

    def _events(self) -> list[str]:
        """The dump faults queued for the running copy (simulator.faults.kinds.backup)."""
        events = list(self.host.backups.dump_faults)
        self.host.backups.dump_faults.clear()
        return events

    def _advance(self, seconds: float) -> None:
        if seconds > 0:
            self.seconds += seconds
            self.host.advance(seconds)

    def _content(self, src: str, header: RawHeader) -> str:
        """What the device holds as the copy starts: its kind, name, digest, consistency."""
        host = self.host
        copy = host.databases.copy_of(src)
        if copy is not None:
            header.kind, header.content = "database", copy.database
            header.digest, header.writes, header.quiesced = \
                copy.digest, copy.writes, copy.quiesced
            return copy.digest
        img = host.fs.image_of(src)
        if img is not None:
            header.kind, header.content, header.digest = "ufs", src, img.digest()
            return header.digest
        return ""

    def _open_dest(self) -> int | tuple[str, BinaryIO | None, TapeDrive | None, bool,
                                        int | None]:
        ops, inv = self.ops, self.inv
        dst = ops.ofile
        if dst is None:
            return ("pipe", None, None, False, None)
        if dst == "/dev/null":
            return ("null", None, None, False, None)
        if tape_unit(dst) is not None:
            try:
                m = open_tape(self.host.backups.tape(dst), dst, write=True)
            except SysError as e:
                return self._open_error(dst, e.text)
            assert m.drive is not None and m.drive.cartridge is not None
            cart = m.drive.cartridge
            free = max(0, cart.capacity - cart.used_before(m.drive.position)) * 512
            return ("tape", None, m.drive, m.norewind, free)
        if dst.startswith("/dev/"):
            return self._open_error(dst, strerror("ENOENT"))
        if ops.get("seek") or ops.get("oseek") or "notrunc" in ops.conv:
            return self._not_simulated("seek=/oseek=/conv=notrunc on a file")
        try:
            handle = inv.files.open_write(dst, inv.cwd)
        except OSError as e:
            return self._open_error(dst, oserror_text(e))
        return ("file", handle, None, False, None)

    def _finish(self, header: RawHeader, first: str, kind: str, handle: BinaryIO | None,
                drive: TapeDrive | None, norewind: bool, done: int) -> None:
        """Write what reached the destination: the image, with what was read of it."""
        header.copied = done
        last = header.digest
        if header.kind == "database":
            copy = self.host.databases.copy_of(header.device)
            last = copy.digest if copy is not None else ""
        elif header.kind == "ufs":
            img = self.host.fs.image_of(header.device)
            last = img.digest() if img is not None else ""
        if last != first:
            header.consistent = False
        data = header.to_bytes()
        if kind == "pipe":
            self.inv.stdout.write(data)
        elif kind == "file" and handle is not None:
            handle.write(data)
            handle.close()
        elif kind == "tape" and drive is not None:
            assert drive.cartridge is not None
            cart = drive.cartridge
            del cart.files[drive.position:]
            cart.files.append(TapeFile(data.decode(), (done + 511) // 512))
            drive.position += 1
            if not norewind:
                drive.rewind()
        self.host.backups.raw_images.append((self.ops.ofile or "-", header))


class _ZeroLimit(Exception):
    """/dev/zero without count= would never end; over 256 MB is not copied for real."""


def _swab(b: bytes) -> bytes:
    arr = bytearray(b)
    if len(arr) % 2:
        arr.append(0)
    arr[0::2], arr[1::2] = arr[1::2], arr[0::2]
    return bytes(arr[:len(b)])


def main(inv: Invocation) -> int:
    ops = parse(inv)
    dd = DD(inv, ops)
    try:
        return dd.run()
    except _Stop as stop:
        dd.print_stats()
        return stop.code
