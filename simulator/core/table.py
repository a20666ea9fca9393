"""Tables read from a file as plain classes: typed fields, their checks, the first error.

Shared machinery (here in core): a scenario's tables (:mod:`simulator.scenario.schema`) are
these classes, and a fault (:mod:`simulator.faults.spec`) raises the same :class:`Invalid`.

Why not pydantic: importing it and building the scenario models' validators was about a fifth
of every ``svmsim run`` (issue 17: ~0.13 s of its start-up). Why not msgspec either: a
scenario's message names the *first* problem as the format has always named it, in the models'
field order (a field's own problem before an unknown key beside it, an unknown top-level table
before anything), with the format's own words and ``did you mean``; msgspec decodes in the
document's key order, stops with its own wording (``Expected `int`, got `str` - at `$...```),
and has no per-field check before the type's (``dec_hook`` serves custom types only; a size is
``"36GB"`` or a number, a ``[setup]`` is one table or an array of them). So a table here is a
class whose fields are declared with :func:`field` (a :class:`Type`: the check, and the JSON
Schema editors get), validated by one small loop, :meth:`Table.validate`. (Not dataclasses:
building a table from Python must run the same checks, and each field carries its check and its
schema, so the dataclass would only add a second ``__init__`` to bypass.)

What it keeps from the pydantic models it replaces (``simulator.scenario.schema`` relies on
each):

- strictness: no coercion (a string where an integer is expected is an error; a bool is
  not an integer; an integer is a number);
- unknown keys are errors; a field is found under its alias (``pass``, ``disk``) or its name;
- the errors' order: the fields in declaration order (each one's nested problems depth
  first), then the unknown keys in the document's order, then the table's own cross-field
  check (:meth:`Table.check`), which runs only when the fields are sound;
- defaults are not checked, ``fields_set`` (what the file said) is kept for
  ``Expect.to_dict``; ``model_dump``/``model_copy``/``model_validate`` keep pydantic's names
  and meaning, so callers and the saved forms are unchanged;
- building a table from Python (``WorkloadSpec(writes_per_second=-1.0)``) checks the same,
  and fails with a ``ValueError`` (:class:`TableError`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

_MISSING: Any = object()


class Invalid(Exception):
    """One problem: its ``type`` (``missing``, ``extra_forbidden``, ``string_type``, ...,
    ``scenario``: the format's own words in ``ctx["message"]``), the value, and where
    (``loc``, filled in on the way out of the containers)."""

    def __init__(self, type_: str, value: object = None, ctx: dict[str, Any] | None = None):
        super().__init__(type_)
        self.type = type_
        self.input = value
        self.ctx: dict[str, Any] = ctx or {}
        self.loc: list[int | str] = []

    def at(self, part: int | str) -> Invalid:
        self.loc.insert(0, part)
        return self

    @property
    def msg(self) -> str:
        """The wording pydantic gave this problem (``Expect.from_dict`` and ``TableError``
        show it; scenario files get ``schema._problem``'s)."""
        t, ctx = self.type, self.ctx
        if t in ("scenario", "value_error"):
            return str(ctx.get("message", ""))
        if t == "literal_error":
            choices = [repr(c) for c in ctx["choices"]]
            shown = choices[0] if len(choices) == 1 else \
                f"{', '.join(choices[:-1])} or {choices[-1]}"
            return f"Input should be {shown}"
        if t in ("too_short", "too_long"):
            n = ctx["limit"]
            most = "least" if t == "too_short" else "most"
            return (f"List should have at {most} {n} item{'s' if n != 1 else ''} after "
                    f"validation, not {ctx['actual']}")
        if t == "model_type":
            return f"Input should be a valid dictionary or instance of {ctx['class_name']}"
        return _MESSAGES.get(t, t)


_MESSAGES = {"missing": "Field required", "extra_forbidden": "Extra inputs are not permitted",
             "string_type": "Input should be a valid string",
             "int_type": "Input should be a valid integer",
             "float_type": "Input should be a valid number",
             "bool_type": "Input should be a valid boolean",
             "list_type": "Input should be a valid list",
             "dict_type": "Input should be a valid dictionary"}


def fail(message: str, at: str = "") -> Invalid:
    """A problem in the format's own words; ``at`` extends the key path (``"0"`` -> ``.0``,
    ``"[1]"`` -> ``[1]``) for checks that look inside a value."""
    return Invalid("scenario", None, {"message": message, "at": at})


class TableError(ValueError):
    """A table built from Python with a bad value: ``key.path: problem``."""


# ---------------------------------------------------------------------------- types
class Type:
    """How a value is checked (``check``: the value to keep, or :class:`Invalid`), what JSON
    Schema says of it, and the table class inside it, if any (``did you mean`` looks there)."""

    __slots__ = ("check", "schema", "table")

    def __init__(self, check: Callable[[Any], Any], schema: Callable[[dict[str, Any]],
                 dict[str, Any]], table: Any = None) -> None:
        self.check = check
        self.schema = schema            # given the $defs to fill, the schema of the value
        self.table = table


def _fixed(schema: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda defs: dict(schema)


def _is(ok: Callable[[object], bool], error: str, schema: dict[str, Any]) -> Type:
    def check(v: object) -> object:
        if not ok(v):
            raise Invalid(error, v)
        return v
    return Type(check, _fixed(schema))


STR = _is(lambda v: isinstance(v, str), "string_type", {"type": "string"})
INT = _is(lambda v: isinstance(v, int) and not isinstance(v, bool), "int_type",
          {"type": "integer"})
BOOL = _is(lambda v: isinstance(v, bool), "bool_type", {"type": "boolean"})


def _float(v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise Invalid("float_type", v)
    return float(v)


FLOAT = Type(_float, _fixed({"type": "number"}))


def literal(choices: Iterable[str]) -> Type:
    """One of ``choices`` (``Literal[...]``)."""
    options = tuple(choices)

    def check(v: object) -> object:
        if not isinstance(v, str) or v not in options:
            raise Invalid("literal_error", v, {"choices": options})
        return v
    schema: dict[str, Any] = {"const": options[0]} if len(options) == 1 else \
        {"enum": list(options)}
    return Type(check, _fixed({**schema, "type": "string"}))


def list_of(item: Type, min_length: int | None = None, max_length: int | None = None) -> Type:
    """An array, each item checked (an item's problem is at ``[i]``)."""
    def check(v: object) -> list[Any]:
        if not isinstance(v, list):
            raise Invalid("list_type", v)
        if max_length is not None and len(v) > max_length:      # before the items, as
            raise Invalid("too_long", v, {"limit": max_length, "actual": len(v)})  # pydantic
        out = []
        for i, x in enumerate(v):
            try:
                out.append(item.check(x))
            except Invalid as e:
                raise e.at(i) from None
        if min_length is not None and len(out) < min_length:
            raise Invalid("too_short", v, {"limit": min_length, "actual": len(out)})
        return out

    def schema(defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"items": item.schema(defs), "type": "array"}
        if min_length is not None:
            out["minItems"] = min_length
        if max_length is not None:
            out["maxItems"] = max_length
        return out
    return Type(check, schema, item.table)


def optional(inner: Type) -> Type:
    """``inner`` or None (Python only: TOML has no null)."""
    return Type(lambda v: None if v is None else inner.check(v),
                lambda defs: {"anyOf": [inner.schema(defs), {"type": "null"}]}, inner.table)


def before(prepare: Callable[[Any], Any], inner: Type) -> Type:
    """``prepare`` the value (parse, or fail in the format's words), then check it."""
    return Type(lambda v: inner.check(prepare(v)), inner.schema, inner.table)


def after(inner: Type, *checks: Callable[[Any], Any]) -> Type:
    """Check the value, then each of ``checks`` in turn (each returns the value to keep)."""
    def check(v: object) -> object:
        v = inner.check(v)
        for c in checks:
            v = c(v)
        return v
    return Type(check, inner.schema, inner.table)


def with_schema(inner: Type, schema: dict[str, Any]) -> Type:
    """``inner``'s checks with ``schema`` as its JSON Schema (what an editor accepts)."""
    return Type(inner.check, _fixed(schema), inner.table)


def table(cls: Any) -> Type:
    """A nested table: a dict checked as ``cls``, or a ``cls`` already made. ``cls`` has
    ``validate`` and ``json_schema`` classmethods (a :class:`Table`, or faults' Fault)."""
    def check(v: object) -> object:
        if isinstance(v, cls):
            return v
        if not isinstance(v, dict):
            raise Invalid("model_type", v, {"class_name": cls.__name__})
        return cls.validate(v)

    def schema(defs: dict[str, Any]) -> dict[str, Any]:
        name = cls.__name__
        if name not in defs:
            defs[name] = {}                      # (a table that names itself)
            defs[name] = cls.json_schema(defs)
        return {"$ref": f"#/$defs/{name}"}
    return Type(check, schema, cls)


# ---------------------------------------------------------------------------- fields
class Field:
    """One key of a table (made by :func:`field`; ``name`` is set by the class)."""

    __slots__ = ("alias", "default", "default_factory", "description", "name", "prepare",
                 "schema", "type")

    def __init__(self, type_: Type, default: Any, default_factory: Callable[[], Any] | None,
                 alias: str | None, description: str | None,
                 prepare: Callable[[Any, dict[str, Any]], Any] | None,
                 schema: dict[str, Any] | None) -> None:
        self.type = type_
        self.default = default
        self.default_factory = default_factory
        self.alias = alias
        self.description = description
        self.prepare = prepare
        self.schema = schema
        self.name = ""

    @property
    def key(self) -> str:
        """The key a file writes (the alias, else the name)."""
        return self.alias if self.alias is not None else self.name

    @property
    def required(self) -> bool:
        return self.default is _MISSING and self.default_factory is None

    def initial(self) -> Any:
        return self.default_factory() if self.default_factory is not None else self.default


def field(type_: Type, default: Any = _MISSING, *,
          default_factory: Callable[[], Any] | None = None, alias: str | None = None,
          description: str | None = None,
          prepare: Callable[[Any, dict[str, Any]], Any] | None = None,
          schema: dict[str, Any] | None = None) -> Any:
    """Declare a field: its type, its default (none: required), the key a file writes when it
    is not the name (``alias``), a description (JSON Schema), ``prepare(value, earlier)`` (a
    check before the type's that sees the fields declared before it) and a JSON Schema to
    use instead of the type's (``schema``)."""
    return Field(type_, default, default_factory, alias, description, prepare, schema)


class Table:
    """A table of a scenario file (module docstring): declared fields, checked values."""

    _fields: ClassVar[tuple[Field, ...]] = ()
    _by_key: ClassVar[dict[str, Field]] = {}
    __fields_set__: set[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [(n, f) for n, f in vars(cls).items() if isinstance(f, Field)]
        for name, f in own:
            f.name = name
            delattr(cls, name)
        cls._fields = (*cls._fields, *(f for _, f in own))
        by_key: dict[str, Field] = {}
        for f in cls._fields:
            by_key.setdefault(f.name, f)
            if f.alias is not None:
                by_key[f.alias] = f
        cls._by_key = by_key

    def __init__(self, **data: Any) -> None:
        try:
            values, given = self._values(data)
            self.__dict__.update(values)
            self.__fields_set__ = given
            self.check()
        except Invalid as e:
            raise TableError(self._where(e)) from None

    @classmethod
    def _where(cls, e: Invalid) -> str:
        where = ".".join(str(p) for p in e.loc)
        return f"{where}: {e.msg}" if where else e.msg

    @classmethod
    def validate(cls, data: Mapping[str, Any]) -> Any:
        """``data`` (a file's table) as this class, or the first :class:`Invalid`."""
        values, given = cls._values(data)
        obj = cls.__new__(cls)
        obj.__dict__.update(values)
        obj.__fields_set__ = given
        obj.check()
        return obj

    @classmethod
    def unknown_keys(cls, data: Mapping[str, Any]) -> list[str]:
        """The keys of ``data`` no field reads, in the document's order."""
        used = set()
        for f in cls._fields:
            if f.alias is not None and f.alias in data:
                used.add(f.alias)
            elif f.name in data:
                used.add(f.name)
        return [k for k in data if k not in used]

    @classmethod
    def _values(cls, data: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
        values: dict[str, Any] = {}
        given: set[str] = set()
        for f in cls._fields:
            key = f.alias if f.alias is not None and f.alias in data else f.name
            if key not in data:
                if f.required:
                    raise Invalid("missing", data).at(f.key)
                values[f.name] = f.initial()
                continue
            v = data[key]
            try:
                if f.prepare is not None:
                    v = f.prepare(v, values)
                values[f.name] = f.type.check(v)
            except Invalid as e:
                raise e.at(key) from None
            given.add(f.name)
        for key in cls.unknown_keys(data):
            raise Invalid("extra_forbidden", data[key]).at(key)
        return values, given

    def check(self) -> None:
        """The table's own check across its fields (run when each field is sound); raise
        :func:`fail` (its ``at`` names the key)."""

    # ------------------------------------------------------------------ pydantic's names
    @property
    def model_fields_set(self) -> set[str]:
        """The fields the file (or the caller) gave."""
        return self.__fields_set__

    @classmethod
    def model_validate(cls, data: Any) -> Any:
        """``data`` as this class; :class:`TableError` (a ValueError) names the problem."""
        try:
            return table(cls).check(data)
        except Invalid as e:
            raise TableError(cls._where(e)) from None

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Any:
        """A shallow copy, ``update`` (field name -> value) applied unchecked."""
        obj = type(self).__new__(type(self))
        obj.__dict__.update(self.__dict__)
        obj.__fields_set__ = set(self.__fields_set__)
        for k, v in (update or {}).items():
            obj.__dict__[k] = v
            obj.__fields_set__.add(k)
        return obj

    def model_dump(self, *, exclude_none: bool = False, exclude_unset: bool = False,
                   exclude: Iterable[str] = ()) -> dict[str, Any]:
        """The table as plain data under the keys a file writes (nested tables too)."""
        out: dict[str, Any] = {}
        skip = set(exclude)
        for f in self._fields:
            if f.name in skip or (exclude_unset and f.name not in self.__fields_set__):
                continue
            v = self.__dict__[f.name]
            if v is None and exclude_none:
                continue
            out[f.key] = _dump(v, exclude_none, exclude_unset)
        return out

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        mine = {k: v for k, v in self.__dict__.items() if k != "__fields_set__"}
        theirs = {k: v for k, v in other.__dict__.items() if k != "__fields_set__"}
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]   # mutable, as the pydantic models were

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={self.__dict__[f.name]!r}" for f in self._fields)
        return f"{type(self).__name__}({shown})"

    # ------------------------------------------------------------------ JSON Schema
    @classmethod
    def json_schema(cls, defs: dict[str, Any]) -> dict[str, Any]:
        """This table's JSON Schema (nested tables go to ``defs``), as pydantic wrote it."""
        props: dict[str, Any] = {}
        for f in cls._fields:
            typed = f.type.schema(defs)
            prop = dict(f.schema) if f.schema is not None else typed
            if not _is_ref(typed):
                prop["title"] = f.key.replace("_", " ").title()
            if f.default is not _MISSING:
                prop["default"] = f.default
            if f.description is not None:
                prop["description"] = f.description
            props[f.key] = prop
        out: dict[str, Any] = {"additionalProperties": False, "properties": props,
                               "title": cls.__name__, "type": "object"}
        if cls.__doc__:
            out["description"] = inspect.cleandoc(cls.__doc__)
        required = [f.key for f in cls._fields if f.required]
        if required:
            out["required"] = required
        return out


def _is_ref(schema: dict[str, Any]) -> bool:
    """A nested table (or one or null): pydantic gave such a field no title."""
    return "$ref" in schema or any("$ref" in s for s in schema.get("anyOf", []))


def _dump(v: Any, exclude_none: bool, exclude_unset: bool) -> Any:
    if isinstance(v, Table):
        return v.model_dump(exclude_none=exclude_none, exclude_unset=exclude_unset)
    if isinstance(v, list):
        return [_dump(x, exclude_none, exclude_unset) for x in v]
    if isinstance(v, dict):
        return {k: _dump(x, exclude_none, exclude_unset) for k, x in v.items()}
    dump = getattr(v, "model_dump", None)
    if dump is not None:
        return dump(exclude_none=exclude_none)
    return v
