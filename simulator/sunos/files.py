"""Text of two files scripts read to learn about a Solaris host: /etc/release, /etc/system.

Hand-written to match the real files byte for byte where a capture is known.

``release_text`` takes a host's release (``host.release``: ``5.9``, ``5.10``, ``5.11``,
``illumos``; :mod:`simulator.sunos.release`) or a Solaris 10 update. Other releases than
Solaris 10 (decided, no capture in the reference): Solaris 9 9/05 (build s9s_u8wos_05, its
four-line Sun text: title, copyright, "Use is subject to license terms.", assembly date),
Oracle Solaris 11.4 (three lines, 11.4's title has no build name) and OpenIndiana Hipster
2023.10 (the illumos distribution's four lines); each centred as the Solaris 10 texts are.

``/etc/release`` (SUNWsolnm): three centred lines for the Oracle releases. The 8/11 (update 10)
text is a real capture (serverfault.com question 524883, ``cat /etc/release`` on
``SunOS 5.10 Generic_147440-01``); the other releases follow it with their own build name and
assembly date (decided: the title keeps the 8/11 indentation, a longer date line moves one
column left per two characters, as centring does).

``/etc/system``: the stock Solaris 10 header comment (as Solaris 10 hosts carry it; no capture
of it is in the reference, so its comment lines are from those hosts, not from a source),
then what metaroot writes for a root on a metadevice (libmeta meta_systemfile.c
``BEGROOTSTR``/``ENDROOTSTR`` around
``rootdev:<metagetdevicesname>``, the ``/pseudo/md@0:<set>,<unit>,blk`` form), and the
``set md:mirrored_root_flag=1`` line the Solaris Volume Manager Administration Guide tells a
two-disk root mirror to add (boot with half the replicas).
"""

from __future__ import annotations

from simulator.core.names import parse_unit

# release key -> (title, copyright line, assembled line); the 8/11 text is captured
_RELEASES: dict[str, tuple[str, str, str]] = {
    "10 9/10": ("                    Oracle Solaris 10 9/10 s10s_u9wos_14a SPARC",
                "     Copyright (c) 2010, Oracle and/or its affiliates. All rights reserved.",
                "                           Assembled 11 August 2010"),
    "10 8/11": ("                   Oracle Solaris 10 8/11 s10s_u10wos_17b SPARC",
                "  Copyright (c) 1983, 2011, Oracle and/or its affiliates. All rights reserved.",
                "                        Assembled 23 August 2011"),
    "10 1/13": ("                   Oracle Solaris 10 1/13 s10s_u11wos_24a SPARC",
                "  Copyright (c) 1983, 2013, Oracle and/or its affiliates. All rights reserved.",
                "                       Assembled 17 December 2012"),
}
_ALIASES = {"u9": "10 9/10", "u10": "10 8/11", "u11": "10 1/13"}
DEFAULT_RELEASE = "10 1/13"
# host.release -> the release text such a host carries ("5.10": the Solaris 10 default)
_HOST_RELEASES: dict[str, tuple[str, ...]] = {
    "5.9": ("                        Solaris 9 9/05 s9s_u8wos_05 SPARC",
            "           Copyright 2005 Sun Microsystems, Inc.  All Rights Reserved.",
            "                        Use is subject to license terms.",
            "                            Assembled 04 August 2005"),
    "5.10": _RELEASES[DEFAULT_RELEASE],
    "5.11": ("                             Oracle Solaris 11.4 SPARC",
             "  Copyright (c) 1983, 2018, Oracle and/or its affiliates.  All rights reserved.",
             "                            Assembled 16 August 2018"),
    "illumos": ("             OpenIndiana Hipster 2023.10 (powered by illumos)",
                "        OpenIndiana Project, part of The Illumos Foundation (C) 2010-2023",
                "                        Use is subject to license terms.",
                "                           Assembled 30 October 2023"),
}

SYSTEM_HEADER = """\
*ident	"@(#)system	1.18	97/06/27 SMI" /* SVR4 1.5 */
*
* SYSTEM SPECIFICATION FILE
*

* moddir:
*
*	Set the search path for modules.  This has a format similar to the
*	csh path variable. If the module isn't found in the first directory
*	it tries the second and so on. The default is /kernel /usr/kernel
*
*	Example:
*		moddir: /kernel /usr/kernel /other/modules



* root device and root filesystem configuration:
*
*	The following may be used to override the defaults provided by
*	the boot program:
*
*	rootfs:		Set the filesystem type of the root.
*
*	rootdev:	Set the root device.  This should be a fully
*			expanded physical pathname.  The default is the
*			physical pathname of the device where the boot
*			program resides.  The physical pathname is
*			highly platform and configuration dependent.
*
*	Example:
*		rootfs:ufs
*		rootdev:/sbus@1,f8000000/esp@0,800000/sd@3,0:a
*
*	(Swap device configuration should be specified in /etc/vfstab.)



* exclude:
*
*	Modules appearing in the moddir path which are NOT to be loaded,
*	even if referenced. Note that `exclude' accepts either a module name,
*	or a filename which includes the directory.
*
*	Examples:
*		exclude: win
*		exclude: sys/shmsys



* forceload:
*
*	Cause these modules to be loaded at boot time, (just before mounting
*	the root filesystem) rather than at first reference. Note that
* 	forceload expects a filename which includes the directory. Also
*	note that loading a module does not necessarily imply that it will
*	be installed.
*
*	Example:
*		forceload: drv/foo



* set:
*
*	Set an integer variable in the kernel or a module to a new value.
*	This facility should be used with caution.  See system(4).
*
*	Examples:
*
*	To set variables in 'unix':
*
*		set nautopush=32
*		set maxusers=40
*
*	To set a variable named 'debug' in the module named 'test_module'
*
*		set test_module:debug = 0x13

"""
BEGROOTSTR = "* Begin MDD root info (do not edit)\n"     # meta_systemfile.c
ENDROOTSTR = "* End MDD root info (do not edit)\n"


def release_text(release: str = DEFAULT_RELEASE) -> str:
    """/etc/release of a host's release (``"5.9"``, ``"5.10"``, ``"5.11"``, ``"illumos"``) or
    of a Solaris 10 update (``"10 1/13"``, ``"1/13"`` or ``"u11"``)."""
    if release in _HOST_RELEASES:
        return "\n".join(_HOST_RELEASES[release]) + "\n"
    key = _ALIASES.get(release, release)
    if key not in _RELEASES and f"10 {key}" in _RELEASES:
        key = f"10 {key}"
    if key not in _RELEASES:
        known = ", ".join(list(_HOST_RELEASES) + sorted(_RELEASES) + sorted(_ALIASES))
        raise ValueError(f"{release!r}: not a modelled Solaris 10 release ({known})")
    return "\n".join(_RELEASES[key]) + "\n"


def pseudo_md_path(unit: str) -> str:
    """metagetdevicesname of a metadevice: ``d10`` -> ``/pseudo/md@0:0,10,blk`` (local set;
    a named set's number is not modelled, so only local units are accepted)."""
    parsed = parse_unit(unit)
    if parsed is None or parsed.setname:
        raise ValueError(f"{unit!r}: not a local-set metadevice name")
    return f"/pseudo/md@0:0,{parsed.number},blk"


def system_text(root_mirror: str | None = None) -> str:
    """/etc/system of a Solaris 10 host; with ``root_mirror`` (the metadevice ``/`` is
    mounted from, e.g. ``d10``: see :func:`simulator.sunos.disks.root_mirror`) the lines
    metaroot adds and ``set md:mirrored_root_flag=1``."""
    if root_mirror is None:
        return SYSTEM_HEADER
    return (SYSTEM_HEADER + BEGROOTSTR + f"rootdev:{pseudo_md_path(root_mirror)}\n"
            + ENDROOTSTR + "set md:mirrored_root_flag=1\n")
