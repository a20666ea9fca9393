"""mt: mt.c main (device choice, command prefixes, open errors) and status() on the host's
tape drives."""

from __future__ import annotations

from simulator import build_host


def status(pos: int) -> str:
    return ("HP Ultrium LTO 3 tape drive:\n"
            "   sense key(0x0)= No Additional Sense   residual= 0   retries= 0\n"
            f"   file no= {pos}   block no= 0\n")


def test_status_rewind_offline() -> None:
    h = build_host("seed-example")
    r = h.run("mt -f /dev/rmt/0n status")
    assert (r.stdout, r.exit_code) == (status(0), 0)
    assert h.run("mt -f /dev/rmt/0 rewind").exit_code == 0
    r = h.run("mt -f /dev/rmt/0 offline")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)
    r = h.run("mt -f /dev/rmt/0 status")
    assert (r.stderr, r.exit_code) == ("/dev/rmt/0: no tape loaded or drive offline\n", 1)


def test_positioning_on_the_no_rewind_device() -> None:
    h = build_host("seed-example")
    assert h.run("ufsdump 0f /dev/rmt/0n /home1").exit_code == 0
    assert h.run("ufsdump 0f /dev/rmt/0n /home1").exit_code == 0
    assert h.run("mt -f /dev/rmt/0n st").stdout == status(2)
    assert h.run("mt -f /dev/rmt/0n asf 1").exit_code == 0
    assert h.run("mt -f /dev/rmt/0n status").stdout == status(1)
    r = h.run("mt -f /dev/rmt/0n fsf 5")
    assert (r.stderr, r.exit_code) == ("/dev/rmt/0n fsf 5 failed: I/O error\n", 2)
    h.run("mt -f /dev/rmt/0n rew")
    assert h.run("mt -f /dev/rmt/0n status").stdout == status(0)


def test_errors() -> None:
    h = build_host("seed-example")
    r = h.run("mt -f /dev/rmt/1 status")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "/dev/rmt/1: No such file or directory\n", 1)
    r = h.run("mt")
    assert (r.stderr, r.exit_code) == ("usage: mt [ -f device ] command [ count ]\n", 1)
    r = h.run("mt -f /dev/rmt/0 frobnicate")
    assert (r.stderr, r.exit_code) == ("mt: unknown command: frobnicate\n", 1)
    r = h.run("mt -f /dev/rmt/0 fsf -2")
    assert (r.stderr, r.exit_code) == ("mt: negative fsf count\n", 1)
    r = h.run("mt -f /dev/rmt/0 erase")
    assert (r.stderr, r.exit_code) == ("svmsim: mt erase: not simulated\n", 1)
