"""ufsdump's output side (illumos ``usr/src/cmd/backup/dump/dumptape.c``), in virtual time.

otape opens the output (asking the operator to retry an open that fails); the writer
(dowrite) writes tape blocks at the slower of the disk and the output, meets the end of the
media (rollforward -> close_rewind -> changevol: ``End-of-tape detected``, ``Change Volumes:
Mount volume ...``, or the autoloader's ``Mounting volume ...``) or a write error (tperror:
``Write error N feet into tape M`` / ``Write error N blocks into volume M``, then restart or
abort), rewinds (``Tape rewinding``) or takes the tape offline at the end, and reads the dump
back for ``v``. The archive written is :mod:`simulator.backup.archive`'s: the complete one
when the dump finishes, the part written before it died otherwise. Hand-written messages
match Solaris byte for byte.

Time passes in one step per event (a progress estimate, the Pass IV message, the end), not
per block: a terabyte dump costs a few hundred steps.
"""

from __future__ import annotations

import functools
import itertools
import struct
from dataclasses import dataclass, field, replace
from typing import IO, TYPE_CHECKING, Literal, NoReturn

from simulator.backup.archive import (
    Archive,
    ArchiveEntry,
    ArchiveHeader,
    WrittenText,
    written_bytes,
)
from simulator.backup.backups import DumpPlan, DumpRecord
from simulator.backup.cmd.ufsdump.optr import EST_SEC, Operator
from simulator.backup.tapes import Medium, TapeFile, open_tape, tape_unit
from simulator.core.clock import StepWindow
from simulator.core.errors import CommandExit
from simulator.core.invocation import Invocation
from simulator.core.strerror import SysError, oserror_text

if TYPE_CHECKING:
    from simulator.backup.cmd.ufsdump import DumpKeys
    from simulator.host import Host

BREADEMAX = 32                     # dump.h: read errors before the dump is ailing
NBUF = 64                          # output buffers: the writer estimates once per wrap
REWIND_SECONDS = 30.0
TAPE_CHANGE_SECONDS = 60.0         # an operator fetching and loading the next cartridge
AUTOLOAD_PERIOD = 12               # dump.h: seconds between autoload tries
Outcome = Literal["done", "error", "eot"]


def f32(x: float) -> float:
    """A C ``float`` (what timeclock's rate arithmetic uses)."""
    return float(struct.unpack("f", struct.pack("f", x))[0])


def mb(blks: int, tp_bsize: int) -> str:
    """dumpmain.c mb(): ``NKB`` below 1024 tape blocks, else ``%.2fMB``."""
    if blks < 1024:
        return f"{blks}KB"
    return f"{blks * tp_bsize / (1024 * 1024):.2f}MB"


@dataclass
class Output(Medium):
    """Where the dump goes (a tape, a file, ``/dev/null`` or standard output), the open
    file, and the tape files written so far (one per volume)."""

    handle: IO[bytes] | None = None
    volumes: list[TapeFile] = field(default_factory=list)


class Writer:
    """One dump's output: its header and entries, the medium, and the writer's progress."""

    def __init__(self, inv: Invocation, keys: DumpKeys, optr: Operator, header: ArchiveHeader,
                 plan: DumpPlan, esize: int, tsize: int) -> None:
        self.inv = inv
        self.host: Host = inv.host
        self.keys = keys
        self.optr = optr
        self.header = header
        # the plan's own list when it has no names to add (read only: see archive)
        self.entries: list[ArchiveEntry] = \
            plan.entries + plan.names if plan.names else plan.entries
        self.plan = plan
        self.esize = esize
        self.tsize = tsize
        self.pipe = keys.tape == "-"
        self.out: Output | None = None
        self.written_entries = 0
        self.complete = False
        self.clock_ms = 0.0           # timeclock(): time spent writing, in ms
        self.ntrec = keys.ntrec
        mapr = plan.map_blocks + -(-plan.map_blocks // 512)
        # the record stream after each volume's TS_TAPE header: maps, inodes, TS_END
        self.first = mapr + (0 if plan.empty else mapr)
        self.data_end = self.first + plan.data_records
        self.stream = self.data_end + self.ntrec
        dirs_end = self.first + plan.dir_records
        # the master queues records up to NBUF tape blocks ahead of the writer
        self.pass4_at = max(0, dirs_end - NBUF * self.ntrec)
        self.phase = 0
        self.irg = 16 if keys.cartridge else (6 if keys.density == 625 else 12)
        self.source = keys.disk or ""     # the dumped device, as named (bread's `disk')
        self._next_cp = 1                 # the next tenth of the stream a fault may strike at
        self.asize_per = (self.ntrec * 1024) // keys.density + self.irg

    # ------------------------------------------------------------------ open
    def open_output(self) -> Output:
        """otape: open the output, asking the operator to retry when it cannot be opened."""
        tape = self.keys.tape
        if tape == "-":
            self.out = Output("pipe", "standard output")
            return self.out
        while True:
            try:
                self.out = self._open(tape)
                return self.out
            except (SysError, OSError):
                dumpdev = f"{self.host.hostname}:{tape}"
                if not self.optr.query(f"Cannot open `{dumpdev}'.  Do you want to retry the "
                                       'open?: ("yes" or "no") '):
                    self.optr.dumpabort()

    def _open(self, tape: str) -> Output:
        """open64 of the output: SysError (a device) or OSError (a file) when it fails."""
        if tape == "/dev/null":
            return Output("null", tape)
        if tape_unit(tape) is not None:
            m = open_tape(self.host.backups.tape(tape), tape, write=True)
            return Output(m.kind, m.path, m.drive, m.norewind)
        if tape.startswith("/dev/"):
            raise SysError("ENOENT")
        return Output("file", tape, handle=self.inv.files.open_write(tape, self.inv.cwd))

    # ------------------------------------------------------------------ archives
    def archive(self, complete: bool, upto: int | None = None, volume: int = 1) -> Archive:
        """The archive as written: complete, or cut after ``upto`` dumped inodes."""
        h = self.header.copy(complete=complete, volume=volume)
        # the plan's order is the archive's: its dumped entries (directories first), then
        # the names only (DumpPlan); ``entries`` keeps it (finish only sets volumes). The
        # archive shares the list: a writer's archive is only written out (a reader gets
        # a copy: archive.parse, WrittenText.parsed), and finish replaces the list.
        ndumped = len(self.plan.entries)
        if upto is not None and upto < ndumped:
            h.written = upto
            ndirs = sum(1 for e in self.entries[:ndumped] if e.kind == "d")
            if upto < ndirs:              # died among the directories: nothing more is there
                return Archive(h, self.entries[:upto], known_lines=self.plan.lines)
        return Archive(h, self.entries, known_lines=self.plan.lines)

    def write_toc(self, archivefile: str) -> None:
        """``a``: the archive (table of contents) file ufsrestore ``a`` reads."""
        try:
            with self.inv.files.open_write(archivefile, self.inv.cwd) as f:
                f.write(written_bytes(self.archive(True)))
        except OSError as e:
            self.optr.msg(f"Cannot open archive file `{archivefile}': {oserror_text(e)}\n")
            self.optr.dumpabort()

    def finish_output(self) -> None:
        """Leave what was written behind: a partial archive when the dump died."""
        out = self.out
        if out is None:
            return
        if not self.complete:
            arch = self.archive(False, self.written_entries)
            if out.kind == "file" and out.handle is not None:
                out.handle.write(written_bytes(arch))
            elif out.kind == "pipe":
                self.inv.stdout.write(written_bytes(arch))
            elif out.kind == "tape" and out.volumes:
                for i, tf in enumerate(out.volumes):
                    tf.rewrite(WrittenText(self.archive(False, self.written_entries, i + 1)))
            h = self.header
            self.host.backups.dumps.append(DumpRecord(out.path, h.device, h.level, h.date,
                                                      False, max(1, len(out.volumes))))
        if out.handle is not None:
            out.handle.close()
            out.handle = None

    # ------------------------------------------------------------------ writing
    def rate(self) -> float:
        backups = self.host.backups
        dest = backups.file_rate_kbs
        if self.out is not None and self.out.drive is not None:
            dest = self.out.drive.rate_kbs
        # a slow disk under the dumped device (md io_factor) slows the reads
        disk = backups.disk_rate_kbs / self.host.md.io_factor(self.source) if self.source \
            else backups.disk_rate_kbs
        return max(1.0, min(disk, dest))

    @functools.cached_property
    def offsets(self) -> list[int]:
        """Where each entry's records start in the stream (a volume change or a dump cut
        short needs them)."""
        return [self.first + r for r in itertools.accumulate(self.plan.records, initial=0)][:-1]

    def inode_at(self, rec: int) -> int:
        ino = 2
        for off, e in zip(self.offsets, self.plan.entries, strict=False):
            if off > rec:
                break
            ino = e.inode
        return ino

    def entries_before(self, rec: int) -> int:
        """Entries whose every record was written before stream record ``rec``."""
        if rec >= self.data_end:
            return len(self.plan.entries)
        n = 0
        for off, r in zip(self.offsets, self.plan.records, strict=False):
            if off + r <= rec:
                n += 1
            else:
                break
        return n

    def timeest(self, force: bool, blkswritten: int) -> None:
        """dumpoptr.c timeest over ``spcl.c_tapea``: the writer counts 1 KB records, while a
        dump whose tape block size was forced larger (dumpmain.c esize_shift) has its
        estimate in those larger blocks, so both are put in tape blocks first."""
        scale = max(1, self.header.tp_bsize // 1024)
        self.optr.timeest(force, blkswritten // scale, self.esize, self.ntrec)

    def arm_fault(self) -> int | None:
        """The record at which a write fails (``host.backups.fail_after_fraction``, once)."""
        backups = self.host.backups
        if backups.fail_after_fraction is None:
            return None
        fail_at = max(1, int(self.esize * backups.fail_after_fraction))
        backups.fail_after_fraction = None
        return fail_at

    # ------------------------------------------------------------------ quiet stretches
    def merge_window(self) -> StepWindow | None:
        """Where the writer may take its steps of time from one event to the next as one
        (None: it may not): where the host lets steps be merged (``Host.merge_window``:
        no timed fault, no resync, every part's steps add up) and nothing of the dump's own
        can tell them apart: no fault waits for the dump's progress and none is queued (no
        checkpoint's ``progress`` acts, ``dump_faults`` stays empty), and the source reads
        (nothing changes the metadevices in the window, so it reads at every checkpoint)."""
        host = self.host
        faults = host.faults
        if (not faults.idle and faults.watches("ufsdump")) or host.backups.dump_faults:
            return None
        window = host.merge_window()
        if window is None or (self.source and host.md.read_error(self.source) is not None):
            return None
        return window

    # ------------------------------------------------------------------ faults
    def checkpoint(self, position: int) -> Outcome | None:
        """Where a fault can strike inside the dump: at each tenth of the record stream the
        host's fault hooks hear ``progress("ufsdump", f)`` (an injected fault may act, a
        panic ends everything), then the writer looks at the model again: a pending
        ``host.backups.dump_faults`` entry, or a source device that no longer reads
        (``host.md.read_error``: a failed disk under the detached submirror). Returns how
        the volume ends when a fault ends it here ("error", "eot"), else None."""
        self.pass_tenths(position, tell=True)
        backups = self.host.backups
        while backups.dump_faults:
            fault = backups.dump_faults.pop(0)
            if fault == "write-error":
                return "error"
            if fault == "eom":
                return "eot"
            if fault.startswith("killed:"):
                self.killed(int(fault.partition(":")[2]))
            if fault.startswith("read:"):
                self.unreadable(int(fault.partition(":")[2]), position)
        if self.source and self.host.md.read_error(self.source) is not None:
            self.unreadable(BREADEMAX + 1, position)      # every sector fails from here
        return None

    def pass_tenths(self, position: int, tell: bool) -> None:
        """The tenths of the record stream ``position`` has reached, each once; ``tell``:
        the fault hooks hear ``progress("ufsdump", f)`` of each (a quiet stretch, where no
        hook acts, only counts them)."""
        while self._next_cp <= 9 and position * 10 >= self.stream * self._next_cp:
            if tell:
                self.host.faults.progress("ufsdump", self._next_cp / 10, target=self.source)
            self._next_cp += 1

    def unreadable(self, sectors: int, position: int) -> None:
        """dumptraverse.c bread(): each sector that cannot be read is zero-filled with a
        warning; past BREADEMAX errors the dump is ailing, and with no operator to say
        "yes" at the terminal (dumpailing, query) it is aborted."""
        first = position * 2 + 16       # the sectors being read now (512-byte units)
        for i in range(sectors):
            self.header.unreadable += 1
            self.optr.msg(f"Warning - cannot read sector {first + i} of `{self.source}'\n")
            if self.header.unreadable > BREADEMAX:
                self.optr.msg(f"More than {BREADEMAX} block read errors from dump device "
                              f"`{self.source}'\n")
                self.optr.msg("DUMP IS AILING!\n")
                if not self.optr.query('Do you want to attempt to continue? ("yes" or "no") '):
                    self.optr.dumpabort()
                self.header.unreadable = 0
                return

    def killed(self, sig: int) -> NoReturn:
        """ufsdump dies by signal ``sig`` (kill -9, the operator's ^C): nothing more is
        written or said; what reached the medium stays, /etc/dumpdates is not updated, and
        the shell sees 128 + the signal."""
        raise CommandExit(128 + sig)

    def run(self) -> None:
        """Open the output, write every volume, then rewind and publish the archive."""
        host = self.host
        optr = self.optr
        out = self.open_output()
        optr.telapsed = 0.0
        fail_at = self.arm_fault()
        tapea = 0            # records generated (spcl.c_tapea)
        done = 0             # stream records on earlier volumes
        volno = 0
        vol_start_entries: list[int] = []
        first_ino = 2
        while True:
            volno += 1
            vol_start_entries.append(first_ino)
            if volno > 1:
                optr.msg(f"Volume {volno} begins with blocks from inode {first_ino}\n")
            optr.tstart_writing = host.clock.now
            if not optr.tschedule:
                optr.tschedule = int(host.clock.now) + EST_SEC
            self.timeest(False, tapea)           # otape: timeest(0, spcl.c_tapea)
            phase_at_start = self.phase
            written = 1                  # the TS_TAPE header
            tapea += 1
            self.phase_messages(done)
            k, outcome = self.write_volume(self.capacity(out), fail_at, tapea, done)
            part = min(k * self.ntrec, self.stream - done)
            written += part
            tapea += part
            stream_done = done + written - 1
            self.written_entries = self.entries_before(stream_done)
            if outcome == "done":
                self.store_volume(out, volno, written)
                break
            if outcome == "error":
                self.write_error(out, volno, k * self.asize_per)
                self.phase = phase_at_start      # the checkpoint predates these messages
                fail_at = None
                tapea -= written
                volno -= 1
                vol_start_entries.pop()
                continue
            # end of media: rollforward -> close_rewind -> changevol -> otape(0)
            optr.msg("End-of-tape detected\n" if out.is_tape else "End-of-file detected\n")
            self.store_volume(out, volno, written)
            self.close_rewind(out)
            done = stream_done
            first_ino = self.inode_at(done)
            self.changevol(out, volno + 1, tapea)
        self.trewind(out)
        self.finish(out, volno, tapea, vol_start_entries)

    def finish(self, out: Output, volno: int, tapea: int, starts: list[int]) -> None:
        """The dump is on the media: complete the header, publish, say how much and how
        fast (the writer reports the address of the last TS_END record of the last full
        block)."""
        self.complete = True
        final = (tapea // self.ntrec) * self.ntrec - 1 if tapea >= self.ntrec else tapea
        h = self.header
        h.volumes = volno
        h.blocks = final * 2
        h.complete = True
        h.volume_inodes = starts
        if len(starts) > 1:       # new entries: the plan's may be shared (backups.py)
            self.entries = [replace(e, volume=volume_of(e, starts)) for e in self.entries]
        self.publish(out)
        vols = f"on {volno} volumes" if volno > 1 else "on 1 volume"
        line = f"{final * 2} blocks ({mb(final, 1024)}) {vols}"
        ms = int(self.clock_ms)
        if ms:
            line += f" at {int(f32(f32(float(final)) / f32(float(ms))) * 1000.0)} KB/sec"
        self.optr.msg(line + "\n")

    def write_volume(self, cap: int | None, fail_at: int | None, tapea: int,
                     done: int) -> tuple[int, Outcome]:
        """Write tape blocks until the dump ends, the volume is full, the tape size (``s``)
        is used up or a write fails; -> (blocks of ``ntrec`` records written, outcome)."""
        host = self.host
        n = self.ntrec
        inf = 1 << 62
        n_end = -(-(self.stream - done) // n)
        cap_max = (cap - 1) // n if cap is not None else inf
        fault_max = max(0, (fail_at - tapea) // n) if fail_at is not None else inf
        tsize_k = self.tsize // self.asize_per + 1 if self.tsize > 0 and not self.pipe \
            else inf
        limit = min(n_end, cap_max, fault_max, tsize_k)
        dt = n / self.rate()
        clock, optr, stream = host.clock, self.optr, self.stream
        t0 = clock.now
        k = 0
        # the step of time to ``owed`` not yet taken: in a quiet stretch (merge_window) the
        # steps from one event to the next are taken as one when something next looks at
        # the clock (an estimate that may print) or the volume ends
        quiet = self.merge_window()
        owed: float | None = None
        pass4 = -(-(self.pass4_at - done) // n)      # the block at which Pass IV begins
        sched: float | None = None                   # the estimate time ``due`` was for
        due = 0                                      # the block at which it is due
        while k < limit:
            # the next event: the next tenth of the stream, Pass IV, the next estimate
            # (each the block after ``k`` at least; the nearest is taken)
            nxt = limit
            if self._next_cp <= 9:
                e = -(-(-(-(stream * self._next_cp) // 10) - done) // n)
                if e <= k:
                    e = k + 1
                if e < nxt:
                    nxt = e
            if self.phase == 1:
                e = pass4 if pass4 > k else k + 1
                if e < nxt:
                    nxt = e
            if optr.tschedule != sched:
                sched = optr.tschedule
                due = int(-(-(sched - t0) // dt)) if dt > 0 else 0
            e = -(-(due if due > k else k + 1) // NBUF) * NBUF
            if e < nxt:
                nxt = e
            target = t0 + nxt * dt
            if quiet is not None and target < quiet[1] and (
                    owed is not None or target >= quiet[0]):
                owed = target
            else:
                if owed is not None:
                    host.advance(owed - clock.now)
                    owed = None
                host.advance(target - clock.now)
            self.clock_ms += (nxt - k) * dt * 1000
            k = nxt
            at = done + k * n
            if k % NBUF == 0:
                if owed is not None and int(owed) >= optr.tschedule:
                    host.advance(owed - clock.now)      # the estimate reads the clock
                    owed = None
                self.timeest(False, tapea + 1 + min(k * n, stream - done))
            if self.phase != 2:
                self.phase_messages(at)
            if owed is None:
                struck = self.checkpoint(at)
                if struck is not None:
                    return k, struck
            else:          # a quiet stretch: no fault hook acts, the source reads
                self.pass_tenths(at, tell=False)
        if owed is not None:
            host.advance(owed - clock.now)
        if limit == n_end:
            return k, "done"
        if limit == fault_max:
            return k, "error"
        return k, "eot"

    def phase_messages(self, position: int) -> None:
        """The master's "Dumping (Pass III/IV)" lines, once each, as it gets there."""
        if self.keys.verify and self.phase >= 2:
            return
        if self.phase == 0:
            self.optr.msg("Dumping (Pass III) [directories]\n")
            self.phase = 1
        if self.phase == 1 and position >= self.pass4_at:
            self.optr.msg("Dumping (Pass IV) [regular files]\n")
            self.phase = 2

    def capacity(self, out: Output) -> int | None:
        """Records this volume can hold (None: a file or pipe, limited only by ``s``)."""
        if out.drive is None:
            return None
        cart = out.drive.cartridge
        if cart is None:
            return None
        free = cart.capacity - cart.used_before(out.drive.position)
        return max(0, free // 2)

    def store_volume(self, out: Output, volno: int, records: int) -> None:
        """Put this volume's archive on the cartridge (tape) as a tape file."""
        if out.drive is None:
            return
        cart = out.drive.cartridge
        assert cart is not None
        tf = TapeFile(WrittenText(self.archive(False, self.written_entries, volno)),
                      records * 2)
        del cart.files[out.drive.position:]
        cart.files.append(tf)
        out.volumes.append(tf)
        out.drive.position += 1

    def publish(self, out: Output) -> None:
        """The dump finished: write the complete archive where it belongs."""
        if out.kind == "file" and out.handle is not None:
            out.handle.write(written_bytes(self.archive(True)))
        elif out.kind == "pipe":
            self.inv.stdout.write(written_bytes(self.archive(True)))
        for i, tf in enumerate(out.volumes):
            tf.rewrite(WrittenText(self.archive(True, None, i + 1)))
        h = self.header
        self.host.backups.dumps.append(DumpRecord(out.path, h.device, h.level, h.date, True,
                                                  h.volumes, h.blocks))

    # ------------------------------------------------------------------ rewinds, volumes
    def _rewinding(self, out: Output) -> bool:
        return out.is_tape and not out.norewind

    def close_rewind(self, out: Output) -> None:
        if self._rewinding(out) or (out.is_tape and self.keys.offline):
            self.optr.msg("Tape rewinding\n")
            self.host.advance(REWIND_SECONDS)
        if out.drive is not None:
            if not out.norewind:
                out.drive.rewind()
            if self.keys.offline or self.keys.autoload:
                out.drive.rewind()

    def trewind(self, out: Output) -> None:
        """End of the dump: rewind (or take offline with ``o``)."""
        if self.keys.offline and not self.keys.verify:
            self.close_rewind(out)
            if out.drive is not None:
                out.drive.loaded = -1
            return
        self.trewind_only(out)
        if self.keys.verify:
            self.verify(out)

    def trewind_only(self, out: Output) -> None:
        if self._rewinding(out):
            self.optr.msg("Tape rewinding\n")
            self.host.advance(REWIND_SECONDS)
        if out.drive is not None and not out.norewind:
            out.drive.rewind()

    def verify(self, out: Output) -> None:
        """``v``: read the volume back (costs the same time again)."""
        self.optr.msg("Finished writing last dump volume\n")
        self.optr.msg("Starting verify pass\n")
        secs = self.stream / self.rate()
        self.host.advance(secs)
        self.clock_ms += secs * 1000
        if self._rewinding(out):
            self.optr.msg("Tape rewinding\n")
            self.host.advance(REWIND_SECONDS)
        if self.keys.offline and out.drive is not None:
            out.drive.loaded = -1

    def changevol(self, out: Output, volno: int, tapea: int) -> None:
        """Ask for the next volume (or autoload it)."""
        keys, optr, host = self.keys, self.optr, self.host
        dumpdev = f"{host.hostname}:{keys.tape}"
        volname = f"#{volno}" if keys.label == "none" else keys.label
        if keys.autoload:
            optr.telapsed += host.clock.now - optr.tstart_writing
            optr.msg(f"Mounting volume #{volno} on {dumpdev}\n")
            drive = out.drive
            if drive is not None and drive.loaded + 1 < len(drive.cartridges):
                host.advance(AUTOLOAD_PERIOD)
                drive.load_next()
                return
            host.advance(AUTOLOAD_PERIOD * keys.autoload_tries)
            optr.tstart_writing = host.clock.now
        self.timeest(True, tapea)
        optr.msg(f"Change Volumes: Mount volume `{volname}' on `{dumpdev}'\n")
        while not optr.query(f"Is the new volume ({volname}) mounted on `{dumpdev}' and ready "
                             'to go?: ("yes" or "no") '):
            if optr.query('Do you want to abort dump?: ("yes" or "no") '):
                optr.dumpabort()
        host.advance(TAPE_CHANGE_SECONDS)
        if out.drive is not None:
            out.drive.load_next()
        elif out.kind == "file" and out.handle is not None:
            out.handle.seek(0)
            out.handle.truncate()

    def write_error(self, out: Output, volno: int, asize: int) -> None:
        """dowrite's write error, then tperror in the master (restart or abort)."""
        keys, optr = self.keys, self.optr
        if out.is_tape:
            feet = (asize // keys.tracks if keys.cartridge else asize) // 120
            optr.msg(f"Write error {feet} feet into tape {volno}\n")
        else:
            optr.msg(f"Write error {asize * 2} blocks into volume {volno}\n")
        if self.pipe:
            optr.msg("Write error on standard output\n")
            optr.msg("Cannot recover\n")
            optr.dumpabort()
        if not optr.query('Do you want to restart?: ("yes" or "no") '):
            optr.dumpabort()
        if out.is_tape and (not out.norewind or keys.offline):
            optr.msg("This tape will rewind.  After it is rewound,\nreplace the faulty tape "
                     "with a new one;\nthis dump volume will be rewritten.\n")
        self.trewind_only(out)
        # the parent (otape, X_REWRITE) asks for a volume and rewrites this one
        self.changevol(out, volno, 0)
        if out.drive is not None:
            cart = out.drive.cartridge
            if cart is not None:
                del cart.files[out.drive.position:]


def volume_of(e: ArchiveEntry, starts: list[int]) -> int:
    """The volume holding a file's data (directories are all on volume 1)."""
    vol = 1
    for i, ino in enumerate(starts[1:], start=2):
        if e.kind != "d" and e.inode >= ino:
            vol = i
    return vol
