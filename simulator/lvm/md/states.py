"""Component and submirror states, named as libmeta names them.

Values and naming rules follow meta_basic.x, ``comp_state_to_name`` (meta_stripe.c) and
``sm_state_to_name`` / ``sm_state_to_action`` (meta_mirror.c); see the reference
svm-states.md sections 1-2.
"""

from __future__ import annotations

from enum import IntFlag, StrEnum
from functools import lru_cache
from typing import Any


class CompState(StrEnum):
    """A stripe component's state; the value is the text metastat prints."""

    OKAY = "Okay"
    ERRED = "Maintenance"
    LAST_ERRED = "Last Erred"
    RESYNC = "Resyncing"
    UNAVAILABLE = "Unavailable"

    @property
    def erred(self) -> bool:
        return self in (CompState.ERRED, CompState.LAST_ERRED)


class SmState(IntFlag):
    """Submirror state bits (sm_state in md_mirror.h)."""

    UNUSED = 0x00
    RUNNING = 0x01
    COMP_ERRED = 0x02
    COMP_RESYNC = 0x04
    ATTACHED = 0x08
    ATTACHED_RESYNC = 0x10
    OFFLINE = 0x20
    OFFLINE_RESYNC = 0x40
    ALL_ERRED = 0x80

    # ``&`` and ``|`` give what Flag's operators give (the member, or the combination, the
    # bits name), found in the members already made instead of made again through the enum
    # machinery (~2.5 us each): states are tested on every report line and resync step.
    # A value not made yet (a new combination) goes through Flag's operator once.
    def __and__(self, other: int) -> SmState:
        found: Any = type(self)._value2member_map_.get(int.__and__(self, other))
        return found if found is not None else super().__and__(other)

    def __or__(self, other: int) -> SmState:
        found: Any = type(self)._value2member_map_.get(int.__or__(self, other))
        return found if found is not None else super().__or__(other)

    __rand__ = __and__
    __ror__ = __or__


# States in which the submirror may serve reads (mirror.c: SMS_IS_READABLE / SMS_RUNNING set).
READABLE = SmState.RUNNING | SmState.COMP_ERRED | SmState.COMP_RESYNC | SmState.ALL_ERRED


@lru_cache(maxsize=64)
def sm_state_to_name(state: SmState, resync_active: bool, resync_cancel: bool,
                     opt_not_done: bool, is_target: bool) -> str:
    """The submirror ``State:`` text (meta_mirror.c sm_state_to_name). A pure function of
    its arguments, asked for every submirror line of a report: the texts of the states
    asked most recently are kept."""
    if state & SmState.RUNNING:
        if not opt_not_done or not is_target:
            return "Okay"
    if state & (SmState.COMP_RESYNC | SmState.ATTACHED_RESYNC | SmState.OFFLINE_RESYNC) \
            or opt_not_done:
        if resync_active:
            return "Resyncing"
        if resync_cancel:
            return "Resync cancelled"
        return "Needs maintenance"
    if state & (SmState.COMP_ERRED | SmState.ATTACHED | SmState.OFFLINE | SmState.ALL_ERRED):
        if resync_cancel:
            return "Resync cancelled"
        return "Needs maintenance"
    return f"0x{int(state):x}"
