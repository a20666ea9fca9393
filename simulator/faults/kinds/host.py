"""Fault kinds of the host as a whole: a panic, a clean reboot, a clock jump.

A panic or a reboot raises :class:`simulator.core.errors.HostPanic` out of the hook that
fired it: the session records it, the host goes down and boots (:meth:`simulator.host.Host.
crash`), and the front kills the driver with every process of the run. After the boot the
host is as the real one comes up: write locks gone, vfstab's file systems mounted (fsck'd when
not clean), resyncs restarting from their checkpoint (svc-metasync), a detached submirror
still detached, a stale database stale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.errors import HostPanic
from simulator.faults.kind import FaultKind, Param

if TYPE_CHECKING:
    from simulator.faults.spec import Fault
    from simulator.host import Host

# uts/common/os/uadmin.c kadmin(A_DUMP): the panic string of a forced crash dump (reboot -d,
# uadmin 5 1), the panic an operator or a watchdog forces
FORCED_PANIC = "forced crash dump initiated at user request"
REBOOT_SOURCES = ("usr/src/uts/common/os/panic.c: panicsys()",
                  "usr/src/cmd/savecore/savecore.c (\"reboot after panic: %s\")",
                  "usr/src/lib/svc/method/svc-metasync (resyncs restart at boot)",
                  "usr/src/uts/common/io/lvm/mirror/mirror_resync.c: resync checkpoints")


def _panic(host: Host, f: Fault) -> str:
    raise HostPanic(FORCED_PANIC)


def _reboot(host: Host, f: Fault) -> str:
    raise HostPanic("reboot", clean=True)


def _clock_jump(host: Host, f: Fault) -> str:
    seconds = int(f.param("seconds"))
    host.clock.now += seconds
    return f"clock set {'forward' if seconds >= 0 else 'back'} {abs(seconds)} s"


PANIC = FaultKind(
    name="panic",
    summary="the host panics (forced crash dump) and reboots",
    event="The kernel panics at that instant (here: a forced crash dump, as reboot -d or a "
          "watchdog gives); every process dies, the host dumps, resets and boots.",
    shows="The driver dies with the host (no exit status; its commands after that never "
          "run). After the boot /var/adm/messages has \"unix: [ID 836849 kern.notice]\", "
          "\"^Mpanic[cpu0]/thread=...: \", \"unix: [ID ... kern.notice] forced crash dump "
          "initiated at user request\" and \"savecore: [ID 570001 auth.error] reboot after "
          "panic: forced crash dump initiated at user request\"; write locks are gone, "
          "vfstab's file systems mounted, an interrupted resync restarts from its last "
          "checkpoint, a detached submirror stays detached.",
    sources=REBOOT_SOURCES + ("usr/src/uts/common/os/uadmin.c: kadmin() A_DUMP",),
    target="host", needs_target=False, transient_ok=False, downs_host=True,
    where=("ufsdump", "resync", "fsck", "dd"), apply=_panic)

REBOOT = FaultKind(
    name="reboot",
    summary="the host reboots cleanly (init 6)",
    event="An operator or a cron job runs init 6 (shutdown -i6): every process is killed, "
          "file systems are unmounted cleanly and the host boots.",
    shows="The driver dies (killed); /var/adm/messages: \"syslogd: going down on signal 15\". "
          "After the boot: as after a panic, without the panic and savecore lines.",
    sources=REBOOT_SOURCES[2:] + ("usr/src/cmd/syslogd/syslogd.c (\"going down on signal\")",
                                  "usr/src/cmd/initpkg/init.d (run level 6)"),
    target="host", needs_target=False, transient_ok=False, downs_host=True,
    where=("ufsdump", "resync", "fsck", "dd"), apply=_reboot)

CLOCK_JUMP = FaultKind(
    name="clock-jump",
    summary="the time of day jumps (seconds=, negative: back)",
    event="Someone sets the date, or NTP steps the clock: the time of day jumps by seconds= "
          "without any time passing for the disks (resyncs and dumps do not progress).",
    shows="date, ls -l, /var/adm/messages and the dump dates (/etc/dumpdates, ufsdump's "
          "\"Date of this level N dump\") show the new time; a backwards jump can make a "
          "later dump look older than the one before it.",
    sources=("usr/src/cmd/date/date.c (stime)", "usr/src/cmd/backup/dump/dumpmain.c "
             "(spcl.c_date from time(2))"),
    target="host", needs_target=False, transient_ok=False,
    params=(Param("seconds", int, 3600, "how far the clock jumps (negative: back)"),),
    apply=_clock_jump)

KINDS: tuple[FaultKind, ...] = (PANIC, REBOOT, CLOCK_JUMP)
