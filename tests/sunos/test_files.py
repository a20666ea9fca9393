"""/etc/release (SUNWsolnm; the 8/11 text from a real capture) and /etc/system (libmeta
meta_systemfile.c root lines) as simulator.sunos.files gives them."""

from __future__ import annotations

import pytest

from simulator import build_host
from simulator.sunos.disks import root_mirror
from simulator.sunos.files import BEGROOTSTR, ENDROOTSTR, release_text, system_text


def test_release_8_11_capture() -> None:
    assert release_text("10 8/11") == (
        "                   Oracle Solaris 10 8/11 s10s_u10wos_17b SPARC\n"
        "  Copyright (c) 1983, 2011, Oracle and/or its affiliates. All rights reserved.\n"
        "                        Assembled 23 August 2011\n")


def test_release_default_and_aliases() -> None:
    text = release_text()
    assert text.splitlines()[0].strip() == "Oracle Solaris 10 1/13 s10s_u11wos_24a SPARC"
    assert release_text("u11") == release_text("1/13") == text
    with pytest.raises(ValueError):
        release_text("10 3/05")


def test_system_with_root_mirror() -> None:
    h = build_host("root-mirror")
    mirrored = root_mirror(h)
    assert mirrored == ("d10", ["c0t0d0s0", "c0t1d0s0"])
    text = system_text(mirrored[0])
    assert text.endswith(BEGROOTSTR + "rootdev:/pseudo/md@0:0,10,blk\n" + ENDROOTSTR
                         + "set md:mirrored_root_flag=1\n")
    assert text.startswith('*ident\t"@(#)system\t1.18\t97/06/27 SMI" /* SVR4 1.5 */\n')
    assert "rootdev:/pseudo" not in system_text()
    assert root_mirror(build_host("seed-example")) is None
    with pytest.raises(ValueError):
        system_text("blue/d10")
