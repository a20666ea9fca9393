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
from typing import Any

from simulator.core import units
from simulator.core.errors import Error
from simulator.core.table import Invalid
from simulator.faults.kind import WHERES, FaultKind

__all__ = ["Fault", "FaultError", "Trigger", "format_duration", "format_fault",
           "parse_duration", "parse_fault", "parse_trigger"]

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


def _invalid(loc: tuple[str, ...], type_: str, value: object) -> Invalid:
    """A problem of a fault given as a mapping (:class:`simulator.core.table.Invalid`, as a
    scenario's tables raise): where (``kind``, ``params.op``...; empty: the fault as a whole),
    its type (``missing``, ``string_type``, ``dict_type``, ``model_type``) and the value;
    ``msg`` is the one line ``make_fault`` and ``parse_fault`` show."""
    err = Invalid(type_, value, {"class_name": "Fault"} if type_ == "model_type" else None)
    err.loc = list(loc)
    return err


def _value_error(loc: tuple[str, ...], value: object, msg: str) -> Invalid:
    err = Invalid("value_error", value, {"message": msg})
    err.loc = list(loc)
    return err


# the JSON Schema of a [[fault]] table (scenario.schema.json's $defs/Fault)
_PARAM_SCHEMA = {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "number"},
                           {"type": "boolean"}]}
FAULT_JSON_SCHEMA: dict[str, Any] = {
    "additionalProperties": {"type": ["string", "number", "boolean"],
                             "description": "a parameter of the kind"},
    "properties": {
        "kind": {"description": "the fault kind (svmsim fault kinds lists them)",
                 "title": "Kind", "type": "string"},
        "target": {"default": "", "description": "what the fault strikes (a component, disk, "
                   "submirror, mirror, file system, device or tape; empty: the kind's first "
                   "candidate on the host)", "title": "Target", "type": "string"},
        "trigger": {"default": "start", "description": "when it fires: start, before:PROG[#N], "
                    "after:PROG[#N], time:DURATION, ufsdump|resync|fsck:PERCENT%, io:N, "
                    "p:PROB", "title": "Trigger", "type": "string"},
        "duration": {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string"},
                               {"type": "null"}], "default": None,
                     "description": "transient: cleared this many virtual seconds after it "
                     "fired (300, 5m, 1h); none: persistent", "title": "Duration"},
        "params": {"additionalProperties": _PARAM_SCHEMA, "description": "the kind's "
                   "parameters", "title": "Params", "type": "object"},
    },
    "required": ["kind"], "title": "Fault", "type": "object",
    "description": "One fault: its kind, target, trigger, duration (None: persistent) and "
    "parameters.\n\nIn a scenario's ``[[fault]]`` table the parameters are keys beside the "
    "others\n(``[[fault]] kind = \"component-error\" target = \"c1t1d0s0\" op = "
    "\"write\"``)."}


class Fault:
    """One fault: its kind, target, trigger, duration (None: persistent) and parameters.

    In a scenario's ``[[fault]]`` table the parameters are keys beside the others
    (``[[fault]] kind = "component-error" target = "c1t1d0s0" op = "write"``).

    A plain class checked by :meth:`validate` (it was a pydantic model; importing pydantic
    cost every run ~0.1 s, issue 17). The checks and their order are the model's: ``kind``,
    ``target``, ``trigger``, ``duration``, ``params`` (the first problem wins; values are not
    coerced, except that a parameter is coerced to its kind's type), then the kind's own
    rules. ``model_dump``/``model_copy`` keep pydantic's names: a state directory saves
    ``model_dump()`` and loads it with :func:`make_fault`."""

    __slots__ = ("duration", "kind", "params", "target", "trigger")
    kind: str
    target: str
    trigger: str
    duration: float | None
    params: dict[str, ParamValue]

    def __init__(self, **data: Any) -> None:
        try:
            checked = self.validate(data)
        except Invalid as e:
            raise FaultError(e.msg) from None
        for name in _FIELDS:
            object.__setattr__(self, name, getattr(checked, name))

    @classmethod
    def validate(cls, data: Any) -> Fault:
        """``data`` (a ``[[fault]]`` table or the saved form) as a Fault, or the first
        :class:`~simulator.core.table.Invalid`."""
        if not isinstance(data, dict):
            raise _invalid((), "model_type", data)
        data = _gather_params(data)
        if "kind" not in data:
            raise _invalid(("kind",), "missing", data)
        kind = data["kind"]
        if not isinstance(kind, str):
            raise _invalid(("kind",), "string_type", kind)
        kinds = _kinds()
        if kind not in kinds:
            import difflib
            close = difflib.get_close_matches(kind, kinds, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise _value_error(("kind",), kind, f"unknown fault kind '{kind}' ({hint}svmsim "
                               "fault kinds lists them)")
        target = data.get("target", "")
        if not isinstance(target, str):
            raise _invalid(("target",), "string_type", target)
        if _FORBIDDEN & set(target):
            raise _value_error(("target",), target, f"bad target '{target}' (no , @ = or "
                               "blanks)")
        trigger = data.get("trigger", "start")
        if isinstance(trigger, Trigger):
            trigger = str(trigger)
        elif not isinstance(trigger, str):
            raise _value_error(("trigger",), trigger, "a trigger string (start, before:PROG, "
                               "after:PROG, ...)")
        else:
            try:
                trigger = str(parse_trigger(trigger))
            except FaultError as e:
                raise _value_error(("trigger",), trigger, str(e)) from None
        duration = data.get("duration")
        if duration is not None:
            try:
                duration = parse_duration(duration)
            except FaultError as e:
                raise _value_error(("duration",), duration, str(e)) from None
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise _invalid(("params",), "dict_type", params)
        for key, value in params.items():
            if not isinstance(key, str):
                raise _invalid(("params", str(key), "[key]"), "string_type", key)
            if not isinstance(value, str | int | float):      # (bool is an int)
                raise _invalid(("params", key, "str"), "string_type", value)
        f = cls.__new__(cls)
        fk = kinds[kind]
        try:
            checked = {k: _coerce(fk, k, v) for k, v in params.items()}
        except ValueError as e:
            raise _value_error((), data, str(e)) from None
        for name, value in (("kind", kind), ("target", target), ("trigger", trigger),
                            ("duration", duration), ("params", checked)):
            object.__setattr__(f, name, value)
        f._check_kind(fk, data)
        return f

    def _check_kind(self, kind: FaultKind, data: object) -> None:
        """The kind's own rules: transient or not, where and on what it can fire."""
        if self.duration is not None and (not kind.transient_ok or kind.clear is None):
            raise _value_error((), data, f"{kind.name} cannot be transient (no duration=)")
        trig = parse_trigger(self.trigger)
        if trig.on == "progress" and kind.where and trig.where not in kind.where:
            raise _value_error((), data, f"{kind.name} cannot fire inside {trig.where} "
                               f"(only: {', '.join(kind.where)})")
        if trig.on == "io" and kind.target not in ("component", "disk", "submirror", "device"):
            raise _value_error((), data, f"{kind.name}: io: counts I/O to a component or "
                               f"disk; its target is a {kind.target}")

    @staticmethod
    def json_schema(defs: dict[str, Any]) -> dict[str, Any]:
        """The JSON Schema of a ``[[fault]]`` table (``simulator.scenario``'s schema)."""
        import copy
        return copy.deepcopy(FAULT_JSON_SCHEMA)

    # ------------------------------------------------------------------ pydantic's names
    def model_dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        """The saved form: ``kind``, ``target``, ``trigger``, ``duration``, ``params``."""
        out = {"kind": self.kind, "target": self.target, "trigger": self.trigger,
               "duration": self.duration, "params": dict(self.params)}
        if exclude_none and self.duration is None:
            del out["duration"]
        return out

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Fault:
        """A copy with ``update`` (field -> value) applied unchecked."""
        f = Fault.__new__(Fault)
        for name in _FIELDS:
            object.__setattr__(f, name, (update or {}).get(name, getattr(self, name)))
        return f

    def __eq__(self, other: object) -> bool:
        if type(other) is not Fault:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in _FIELDS)

    __hash__ = None  # type: ignore[assignment]   # mutable, as the pydantic model was

    def __repr__(self) -> str:
        return "Fault(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in _FIELDS) + ")"

    def __getstate__(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in _FIELDS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for n in _FIELDS:
            object.__setattr__(self, n, state[n])

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


_FIELDS = ("kind", "target", "trigger", "duration", "params")


def _gather_params(data: dict[str, Any]) -> dict[str, Any]:
    """A ``[[fault]]`` table's keys beside the fixed ones are its parameters."""
    out = {k: v for k, v in data.items() if k in _FIXED_KEYS}
    extra = {k: v for k, v in data.items() if k not in _FIXED_KEYS}
    if extra:
        given = out.get("params") or {}
        if not isinstance(given, dict):
            raise _invalid(("params",), "dict_type", given)
        out["params"] = {**given, **extra}
    return out


def make_fault(data: dict[str, Any]) -> Fault:
    """A :class:`Fault` from a mapping, FaultError (one line) when it is not valid."""
    try:
        return Fault.validate(data)
    except Invalid as e:
        raise FaultError(e.msg) from None


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
        return Fault.validate(data)
    except Invalid as e:
        raise FaultError(f"fault '{spec}': {e.msg}") from None


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
