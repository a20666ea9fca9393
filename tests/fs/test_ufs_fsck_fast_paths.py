"""fsck's shortcuts (issue 17) answer what the plain ways answer.

A device that read at a checkpoint is not asked again when no fault waits for fsck's
progress (the passes change no disk); the phases and the summary skip their sorts when
nothing is damaged. Each run here is compared with the same run made the plain way: the
device asked at every checkpoint (as if a fault waited), over clean, damaged and failing
copies.
"""

from __future__ import annotations

import pytest

from simulator import build_host
from simulator.faults import arm
from simulator.host import Host

SPLIT = ["lockfs -w /home1", "metadetach d1 d3", "lockfs -u /home1"]


def _host(specs: list[str], plain: bool) -> Host:
    h = build_host("seed-example")
    arm(h, specs)
    if plain:
        # every checkpoint asks the device again, as when a fault waits for fsck
        h.faults.watches = lambda where: True  # type: ignore[method-assign]
    for c in SPLIT:
        h.run(c)
    return h


@pytest.mark.parametrize("specs", [
    [], ["disk-fail:c2t0d0@after:metadetach"], ["disk-fail:c2t0d0@fsck:40%"],
    ["disk-fail:c2t0d0@fsck:90%"], ["fsck-errors:d3"], ["fsck-errors:d3,fixable=false"],
    ["torn-fs:d3"]])
@pytest.mark.parametrize("flags", ["-n", "-y", "-m", "-o p", "-v -n"])
def test_fsck_answers_as_when_every_checkpoint_asks(specs: list[str], flags: str) -> None:
    runs = []
    for plain in (False, True):
        h = _host(specs, plain)
        out = []
        for _ in range(2):
            r = h.run(f"fsck {flags} /dev/md/rdsk/d3")
            out.append((r.stdout, r.stderr, r.exit_code, r.chunks and b"".join(
                d for fd, d in r.chunks if fd == 1)))
        runs.append((out, h.clock.now))
    assert runs[0] == runs[1]
