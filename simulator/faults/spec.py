"""One fault, as every entry point gives it: the :class:`Fault` model and the one-line syntax.

The same schema serves a scenario's ``[[fault]]`` table (``kind``, ``target``, ``trigger``,
``duration`` and the kind's parameters by name), ``svmsim run --fault SPEC``, ``svmsim fault
add SPEC``, a state directory and a campaign's reproducers. The one-line syntax::

    SPEC    := KIND [ ":" TARGET ] ( "," KEY "=" VALUE )* [ "@" TRIGGER ]
    TRIGGER := "start"                             (default: present before the driver starts)
             | ("before" | "after") ":" PATTERN [ "#" N ]
             | "time:" DURATION                    (virtual time after the fault is armed)
             | WHERE ":" PERCENT "%"               (WHERE: ufsdump | resync | fsck)
             | "io:" N                             (the Nth I/O to the target)
             | "p:" PROB                           (before each call, with that probability)
    DURATION := as every svmsim duration: 300, 30s, 5m, 1h30m, 1d

PATTERN is a program name (``metadetach``: any call of that program) or an fnmatch glob over
the call's words joined by blanks, the program by its basename (``metadetach d1 *``). KEYs are
the kind's parameters plus ``duration=DURATION`` (transient: cleared that long after it
fired). These are svmsim's own (decided; zinject's ``-e``/``-T``/``-f`` options inspired the
persistent/transient split and the probability). The canonical form, which
:func:`format_fault` writes and which parses back to the same fault, lists the parameters in
the kind's order, omits ``#1``, ``@start`` and default-free parts, and writes durations in the
largest whole unit (``300`` is ``5m``).
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from simulator.core import units
from simulator.core.errors import Error
from simulator.faults.kind import WHERES, FaultKind

__all__ = ["Fault", "FaultError", "Trigger", "format_duration", "format_fault", "parse_duration",
           "parse_fault", "parse_trigger"]

ParamValue = str | int | float | bool
_FORBIDDEN = set(",@=") | set(" \t\n")      # characters a TARGET or a value cannot hold
_FIXED_KEYS = ("kind", "target", "trigger", "duration", "params")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


class FaultError(Error):
    """A fault that cannot be parsed, validated or armed: one line saying why."""


# ---------------------------------------------------------------------- durations
def parse_duration(text: str | float | int) -> float:
    """``"300"``, ``"5m"``, ``"1h30m"``, ``2``: virtual seconds, as every svmsim duration
    (:func:`simulator.core.units.parse_duration`); FaultError when it is not one."""
    try:
        return units.parse_duration(text)
    except ValueError as e:
        raise FaultError(f"bad duration '{text}' ({e})") from None


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def format_duration(seconds: float) -> str:
    """The canonical spelling: the largest whole unit (``300`` is ``5m``), else seconds."""
    if seconds == int(seconds) and seconds > 0:
        for unit in ("d", "h", "m"):
            if int(seconds) % _UNITS[unit] == 0:
                return f"{int(seconds) // _UNITS[unit]}{unit}"
    return _number(seconds)


# ---------------------------------------------------------------------- triggers
@dataclass(frozen=True)
class Trigger:
    """When a fault fires. ``on`` is ``start``, ``before``, ``after``, ``time``, ``progress``,
    ``io`` or ``p``; the other fields belong to one of them."""

    on: str = "start"
    pattern: str = ""         # before/after: a program name or a glob over the call's words
    nth: int = 1              # before/after: the Nth matching call; io: the Nth I/O
    seconds: float = 0.0      # time
    where: str = ""           # progress: ufsdump | resync | fsck | dd
    percent: float = 0.0      # progress
    prob: float = 0.0         # p

    def matches(self, argv: list[str] | tuple[str, ...]) -> bool:
        """Whether a call's argv matches this before/after trigger's pattern."""
        if not argv:
            return False
        words = [argv[0].rsplit("/", 1)[-1], *argv[1:]]
        if not any(ch in self.pattern for ch in " *?["):
            return words[0] == self.pattern
        return fnmatch.fnmatchcase(" ".join(words), self.pattern)

    def __str__(self) -> str:
        if self.on in ("before", "after"):
            return f"{self.on}:{self.pattern}" + (f"#{self.nth}" if self.nth != 1 else "")
        if self.on == "time":
            return f"time:{format_duration(self.seconds)}"
        if self.on == "progress":
            return f"{self.where}:{_number(self.percent)}%"
        if self.on == "io":
            return f"io:{self.nth}"
        if self.on == "p":
            return f"p:{self.prob!r}"
        return "start"


def _positive_int(text: str, what: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise FaultError(f"bad {what} '{text}' (a whole number from 1)")
    return int(text)


def parse_trigger(text: str) -> Trigger:
    """Parse a TRIGGER (the part after ``@``, or ``[[fault]] trigger``)."""
    text = text.strip()
    if text in ("", "start"):
        return Trigger()
    on, sep, rest = text.partition(":")
    if not sep:
        raise FaultError(f"bad trigger '{text}' (start, before:PROG, after:PROG, time:DURATION, "
                         f"{'|'.join(WHERES)}:PERCENT%, io:N or p:PROB)")
    if on in ("before", "after"):
        pattern, nth = rest, 1
        head, hash_, tail = rest.rpartition("#")
        if hash_:
            pattern, nth = head, _positive_int(tail, "call number")
        if not pattern.strip() or pattern != pattern.strip() or "@" in pattern:
            raise FaultError(f"bad trigger '{text}': {on}: needs a program name or a pattern")
        return Trigger(on, pattern=pattern, nth=nth)
    if on == "time":
        return Trigger("time", seconds=parse_duration(rest))
    if on in WHERES:
        m = re.match(rf"^({_NUMBER})%$", rest)
        if m is None or not 0 <= float(m.group(1)) <= 100:
            raise FaultError(f"bad trigger '{text}': {on}: needs a percentage 0-100%")
        return Trigger("progress", where=on, percent=float(m.group(1)))
    if on == "io":
        return Trigger("io", nth=_positive_int(rest, "I/O count"))
    if on == "p":
        try:
            prob = float(rest)
        except ValueError:
            prob = -1.0
        if not 0 < prob <= 1:
            raise FaultError(f"bad trigger '{text}': p: needs a probability in (0, 1]")
        return Trigger("p", prob=prob)
    raise FaultError(f"bad trigger '{text}': unknown '{on}:' (before, after, time, "
                     f"{', '.join(WHERES)}, io, p)")


# ---------------------------------------------------------------------- the fault
def _kinds() -> dict[str, FaultKind]:
    from simulator.faults.catalog import KINDS
    return KINDS


def _coerce(kind: FaultKind, key: str, value: Any) -> ParamValue:
    param = kind.param(key)
    if param is None:
        known = [p.name for p in kind.params]
        if kind.transient_ok and kind.clear is not None:
            known.append("duration")
        raise ValueError(f"{kind.name} has no parameter '{key}' ("
                         + (f"its parameters: {', '.join(known)})" if known else "it has none)"))
    text = str(value).strip()
    result: ParamValue
    if param.type is bool:
        if isinstance(value, bool):
            result = value
        elif text.lower() in ("true", "yes", "1"):
            result = True
        elif text.lower() in ("false", "no", "0"):
            result = False
        else:
            raise ValueError(f"{kind.name}: {key}={value}: true or false")
    elif param.type is int:
        if isinstance(value, bool) or not re.match(r"^[+-]?\d+$", text):
            raise ValueError(f"{kind.name}: {key}={value}: a whole number")
        result = int(text)
    elif param.type is float:
        try:
            result = float(text)
        except ValueError:
            raise ValueError(f"{kind.name}: {key}={value}: a number") from None
        if isinstance(value, bool) or not math.isfinite(result):
            raise ValueError(f"{kind.name}: {key}={value}: a number")
    else:
        if isinstance(value, bool | int | float) or not text or _FORBIDDEN & set(text):
            raise ValueError(f"{kind.name}: {key}={value!r}: a word without , @ = or blanks")
        result = text
    if param.minimum is not None and isinstance(result, int | float) and \
            not isinstance(result, bool) and result < param.minimum:
        raise ValueError(f"{kind.name}: {key}={value}: at least {param.minimum:g}")
    if param.choices and str(result) not in param.choices:
        raise ValueError(f"{kind.name}: {key}={value}: one of {', '.join(param.choices)}")
    return result


class Fault(BaseModel):
    """One fault: its kind, target, trigger, duration (None: persistent) and parameters.

    In a scenario's ``[[fault]]`` table the parameters are keys beside the others
    (``[[fault]] kind = "component-error" target = "c1t1d0s0" op = "write"``)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False, json_schema_extra={
        "additionalProperties": {"type": ["string", "number", "boolean"],
                                 "description": "a parameter of the kind"}},
        defer_build=True)              # built when first used (scenario/schema.py's Spec)

    kind: str = Field(description="the fault kind (svmsim fault kinds lists them)")
    target: str = Field(default="", description="what the fault strikes (a component, disk, "
                        "submirror, mirror, file system, device or tape; empty: the kind's "
                        "first candidate on the host)")
    trigger: str = Field(default="start", description="when it fires: start, before:PROG[#N], "
                         "after:PROG[#N], time:DURATION, ufsdump|resync|fsck:PERCENT%, io:N, "
                         "p:PROB")
    duration: Annotated[float | None, WithJsonSchema(
        {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string"}, {"type": "null"}]})] \
        = Field(default=None, description="transient: cleared this many virtual seconds "
                "after it fired (300, 5m, 1h); none: persistent")
    params: dict[str, ParamValue] = Field(default_factory=dict, description="the kind's "
                                          "parameters")

    @model_validator(mode="before")
    @classmethod
    def _gather_params(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = {k: v for k, v in data.items() if k in _FIXED_KEYS}
        extra = {k: v for k, v in data.items() if k not in _FIXED_KEYS}
        if extra:
            params = dict(out.get("params") or {})
            params.update(extra)
            out["params"] = params
        return out

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        kinds = _kinds()
        if v not in kinds:
            import difflib
            close = difflib.get_close_matches(v, kinds, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ValueError(f"unknown fault kind '{v}' ({hint}svmsim fault kinds lists them)")
        return v

    @field_validator("target")
    @classmethod
    def _target_word(cls, v: str) -> str:
        if _FORBIDDEN & set(v):
            raise ValueError(f"bad target '{v}' (no , @ = or blanks)")
        return v

    @field_validator("trigger", mode="before")
    @classmethod
    def _canonical_trigger(cls, v: Any) -> str:
        if isinstance(v, Trigger):
            return str(v)
        if not isinstance(v, str):
            raise ValueError("a trigger string (start, before:PROG, after:PROG, ...)")
        try:
            return str(parse_trigger(v))
        except FaultError as e:
            raise ValueError(str(e)) from None

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> float | None:
        if v is None:
            return None
        try:
            return parse_duration(v)
        except FaultError as e:
            raise ValueError(str(e)) from None

    @model_validator(mode="after")
    def _check_kind(self) -> Fault:
        kind = _kinds().get(self.kind)
        if kind is None:
            return self
        self.params = {k: _coerce(kind, k, v) for k, v in self.params.items()}
        if self.duration is not None and (not kind.transient_ok or kind.clear is None):
            raise ValueError(f"{kind.name} cannot be transient (no duration=)")
        trig = parse_trigger(self.trigger)
        if trig.on == "progress" and kind.where and trig.where not in kind.where:
            raise ValueError(f"{kind.name} cannot fire inside {trig.where} "
                             f"(only: {', '.join(kind.where)})")
        if trig.on == "io" and kind.target not in ("component", "disk", "submirror", "device"):
            raise ValueError(f"{kind.name}: io: counts I/O to a component or disk; its target "
                             f"is a {kind.target}")
        return self

    # ------------------------------------------------------------------ use
    @property
    def fault_kind(self) -> FaultKind:
        return _kinds()[self.kind]

    @property
    def when(self) -> Trigger:
        return parse_trigger(self.trigger)

    def param(self, name: str) -> Any:
        """The value of parameter ``name``: the one given, else the kind's default."""
        if name in self.params:
            return self.params[name]
        p = self.fault_kind.param(name)
        if p is None:
            raise KeyError(name)
        return p.default

    def __str__(self) -> str:
        return format_fault(self)


def _one_line(e: ValidationError) -> str:
    err = e.errors()[0]
    msg = str(err.get("msg", "invalid"))
    return msg.removeprefix("Value error, ")


def make_fault(data: dict[str, Any]) -> Fault:
    """A :class:`Fault` from a mapping, FaultError (one line) when it is not valid."""
    try:
        return Fault.model_validate(data)
    except ValidationError as e:
        raise FaultError(_one_line(e)) from None


def parse_fault(spec: str) -> Fault:
    """Parse the one-line syntax (module docstring); FaultError names what is wrong."""
    text = spec.strip()
    if not text:
        raise FaultError("empty fault spec (KIND[:TARGET][,KEY=VALUE...][@TRIGGER])")
    head, at, trigger = text.partition("@")
    if at and not trigger.strip():
        raise FaultError(f"fault '{spec}': nothing after @ (a trigger: start, before:PROG, ...)")
    first, *pairs = head.split(",")
    kind, _, target = first.partition(":")
    data: dict[str, Any] = {"kind": kind.strip(), "target": target.strip(),
                            "trigger": trigger.strip() or "start"}
    params: dict[str, str] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        key = key.strip()
        if not eq or not key:
            raise FaultError(f"fault '{spec}': '{pair}' is not KEY=VALUE")
        if key in _FIXED_KEYS and key != "duration":
            raise FaultError(f"fault '{spec}': {key} is not a KEY=VALUE (write "
                             "KIND:TARGET@TRIGGER)")
        if key in params or (key == "duration" and "duration" in data):
            raise FaultError(f"fault '{spec}': {key} given twice")
        if key == "duration":
            data["duration"] = value.strip()
        else:
            params[key] = value.strip()
    data["params"] = params
    try:
        return Fault.model_validate(data)
    except ValidationError as e:
        raise FaultError(f"fault '{spec}': {_one_line(e)}") from None


def _format_value(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_fault(f: Fault) -> str:
    """The canonical one-line spelling of ``f`` (module docstring)."""
    out = f.kind + (f":{f.target}" if f.target else "")
    order = [p.name for p in f.fault_kind.params]
    for key in sorted(f.params, key=lambda k: order.index(k) if k in order else len(order)):
        out += f",{key}={_format_value(f.params[key])}"
    if f.duration is not None:
        out += f",duration={format_duration(f.duration)}"
    if f.trigger != "start":
        out += f"@{f.trigger}"
    return out
