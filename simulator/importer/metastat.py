"""``metastat`` (and ``metahs -i``): the states, hot spares and device IDs of a host.

Read line by line after the layouts libmeta prints (the printf formats are cited in
:mod:`simulator.lvm.libmeta.mirror`, ``stripe``, ``softpart``, ``hotspare`` and
``printing``): meta_mirror.c mirror_report (``    Submirror N: dS`` / ``      State: S``,
``    Resync in progress: P % done``), meta_stripe.c subdev_row_report (one row per
component: device, start block, dbase, state, reloc, hot spare), meta_hotspares.c
hsp_report (``hspNNN: N hot spares`` and one row per spare: device, status, length, reloc)
and meta_print.c meta_print_devid (``Device Relocation Information:``: disk, Reloc, device
ID). Blanks are not significant (a capture pasted from a terminal has lost its tabs);
what is not recognised is left alone, since the configuration itself comes from
``metastat -p``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simulator.importer.captures import Capture, Unimportable, where

_HEADER = re.compile(r"^(?P<name>\S+): (?P<what>Mirror|Submirror of \S+|Concat/Stripe|"
                     r"Soft Partition|RAID|Trans|Logging device for .*)\s*$")
_SUBMIRROR = re.compile(r"^\s+Submirror (?P<i>\d+): (?P<name>\S+)\s*$")
_STATE = re.compile(r"^\s+State: (?P<state>.*?)\s*$")
_RESYNC = re.compile(r"^\s+Resync (?:in progress|cancelled):\s*(?P<pct>\d+(?:\.\d)?) % done")
_COMP_ROW = re.compile(r"^\s+(?P<dev>\S+)\s+(?P<start>\d+)\s+(?P<dbase>Yes|No)\s+"
                       r"(?P<state>Okay|Maintenance|Last Erred|Resyncing|Unavailable|-)"
                       r"(?:\s+(?P<reloc>Yes|No))?(?:\s+(?P<spare>\S+))?\s*$")
_HSP_HEADER = re.compile(r"^(?P<name>hsp\d+): (?:is empty|\d+ hot spares?)")
_HSP_ROW = re.compile(r"^\s+(?P<dev>\S+)\s+(?P<status>Available|In use|Broken)\s+"
                      r"(?P<length>\d+) blocks\s*(?P<reloc>Yes|No)?\s*$")
_RELOC_ROW = re.compile(r"^(?P<disk>\S+)\s+(?P<reloc>Yes|No)\s+(?P<devid>\S+)\s*$")


@dataclass
class CompState:
    """One component row of a submirror: where its data starts, its state, its spare."""

    start: int
    state: str
    spare: str | None


@dataclass
class Status:
    """What ``metastat``/``metahs -i`` says beyond the configuration."""

    # mirror -> submirror -> state (Okay, Resyncing, Needs maintenance, Last Erred...)
    submirrors: dict[str, dict[str, str]] = field(default_factory=dict)
    resync: dict[str, str] = field(default_factory=dict)        # mirror -> "40" or " 5.3"
    components: dict[str, dict[str, CompState]] = field(default_factory=dict)  # unit -> comp
    spares: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)  # pool
    devids: dict[str, str | None] = field(default_factory=dict)   # disk -> devid, None: No
    sizes: dict[str, int] = field(default_factory=dict)           # unit -> blocks
    invoke: dict[str, str] = field(default_factory=dict)          # submirror -> Invoke:
    slots: dict[str, dict[str, int]] = field(default_factory=dict)  # mirror -> sub -> N
    node: str | None = None                                       # from a message

    def merge(self, other: Status) -> None:
        self.node = self.node or other.node
        for name in ("submirrors", "resync", "components", "spares", "devids", "sizes",
                     "invoke", "slots"):
            getattr(self, name).update(getattr(other, name))


_SIZE = re.compile(r"^\s+Size: (?P<n>\d+) blocks")
_INVOKE = re.compile(r"^\s+Invoke: (?P<what>.*?)\s*$")
# meta_hotspares.c / metahs.c: "metahs: <node>: no hotspare pools found" (meta_error.c
# prints the node name before a local set's message)
_NODE = re.compile(r"^meta\w+: (?P<node>[A-Za-z0-9][A-Za-z0-9.-]*): ")


def parse_metastat(cap: Capture) -> Status:
    """The states in a ``metastat`` (or ``metahs -i``) capture."""
    st = Status()
    unit: str | None = None
    pool: str | None = None
    in_reloc = False
    current_sub: str | None = None
    for lineno, line in enumerate(cap.lines(), 1):
        m = _NODE.match(line)
        if m:
            st.node = m["node"]
            continue
        if line.startswith("Device Relocation Information:"):
            in_reloc, unit, pool = True, None, None
            continue
        m = _HEADER.match(line)
        if m:
            unit, pool, in_reloc, current_sub = m["name"], None, False, None
            if "/" in unit:
                raise Unimportable(f"{where(cap, lineno)}: cannot be imported: {unit} "
                                   "belongs to a named diskset: not simulated in scenarios")
            if m["what"] in ("RAID", "Trans") or m["what"].startswith("Logging"):
                raise Unimportable(f"{where(cap, lineno)}: cannot be imported: "
                                   f"{m['what'].split()[0]} metadevices are not simulated")
            continue
        m = _HSP_HEADER.match(line)
        if m:
            pool, unit, in_reloc = m["name"], None, False
            st.spares.setdefault(pool, {})
            continue
        if in_reloc:
            m = _RELOC_ROW.match(line)
            if m and m["disk"] != "Device":
                st.devids[m["disk"]] = m["devid"] if m["reloc"] == "Yes" else None
            continue
        if pool is not None:
            m = _HSP_ROW.match(line)
            if m:
                st.spares[pool][m["dev"]] = (m["status"], int(m["length"]))
            continue
        if unit is None:
            continue
        m = _SUBMIRROR.match(line)
        if m:
            current_sub = m["name"]
            st.slots.setdefault(unit, {})[current_sub] = int(m["i"])
            continue
        m = _INVOKE.match(line)
        if m:
            st.invoke[unit] = m["what"]
            continue
        m = _STATE.match(line)
        if m:
            if current_sub is not None:
                st.submirrors.setdefault(unit, {})[current_sub] = m["state"]
                current_sub = None
            continue
        m = _RESYNC.match(line)
        if m:
            st.resync[unit] = m["pct"]
            continue
        m = _SIZE.match(line)
        if m:
            st.sizes.setdefault(unit, int(m["n"]))
            continue
        m = _COMP_ROW.match(line)
        if m:
            st.components.setdefault(unit, {})[m["dev"]] = CompState(
                int(m["start"]), m["state"], m["spare"])
    return st
