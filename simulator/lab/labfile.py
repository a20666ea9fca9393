"""Lab files: a scenario plus what a trainee is asked, shown, told and graded on.

A lab file is a TOML scenario file (the same ``[host]``, ``[[disk]]``, ``[[mirror]]``,
``[[filesystem]]``, ``[[tape]]``, ``[setup]``, ``[[fault]]`` keys, checked by the one
scenario schema, ``simulator.scenario.schema``) with the lab's own tables beside them:

``[lab]``
    ``title``, ``summary`` (one paragraph: the situation), ``hints`` (general hints, given
    after the objectives' own), ``pass_mark`` (percent; default 100).
``[variables]``
    what a trainee's variant changes, drawn from ``--seed`` (seed 0, the default, is the
    canonical variant: every variable's canonical value). Each is one inline table:
    ``{ metadevice = "d1" }`` (every metadevice variable moves by the same multiple of ten
    for a seed: d1 d2 d3 d4 become d31 d32 d33 d34), ``{ disk = "c1t0d0" }`` (controllers
    are permuted and targets shifted together, so disks stay distinct), ``{ choice = [...] }``
    (the first is canonical; a size, a tape capacity).
``[[pick]]``
    values drawn together: ``names = ["failed", "failed_disk"]``, ``choices = [["${sub3}",
    "${disk3}"], ["${sub2}", "${disk2}"]]`` (the first is canonical; earlier variables may
    appear in the choices).
``[[step]]``
    the procedure as the trainee reads it: ``title``, ``text``, ``objectives`` (the ids a
    step is done by: ``lab task`` ticks it).
``[[objective]]``
    what is graded: ``id``, ``text``, ``points``, ``pass`` and ``fail`` (feedback worded for
    people), ``hint``, and exactly one test (:mod:`simulator.lab.objectives` says each):
    ``check`` (a verdict check by name: ``filesystems-unlocked``), ``ran`` (a command line
    regex, ``ok = true`` for exit 0), ``order`` (``["A", "B"]``: a command matching A ran,
    before any matching B; ``"@change"`` is the first command that changed the host),
    ``after`` (``["A", "B"]``: a command matching B ran after the first matching A),
    ``lock`` (``{ mount, max_seconds, not_during }``), ``state`` (phrases on the final host:
    ``"d1 okay"``, ``"d1 has d3"``, ``"d3 absent"``, ``"/home1 mounted"``,
    ``"/home1 unlocked"``, ``"host up"``, ``"replicas okay"``). ``when`` (a command regex,
    or ``"@change"``) makes an objective count only once such a command succeeded: "leave d1
    Okay" is no merit before anything was done.

``${name}`` anywhere in the file is the variant's value of variable ``name`` (``$$`` is a
dollar sign); a reference answer file (``NAME.answers`` beside the lab) is written with the
same placeholders, so one answer serves every seed.
"""

from __future__ import annotations

import random
import re
import string
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulator.core.errors import Error
from simulator.scenario.catalog import parse_scenario
from simulator.scenario.schema import Scenario, ScenarioError

LAB_KEYS = ("lab", "variables", "pick", "step", "objective")
LAB_SUFFIX = ".lab.toml"
ANSWERS_SUFFIX = ".answers"
STATE_PHRASES = (
    (re.compile(r"^(?P<unit>\S+) okay$"), "every submirror of the mirror is Okay, no resync"),
    (re.compile(r"^(?P<unit>\S+) has (?P<sub>\S+)$"), "the submirror is attached to the mirror"),
    (re.compile(r"^(?P<unit>\S+) lacks (?P<sub>\S+)$"), "the submirror is not attached"),
    (re.compile(r"^(?P<unit>\S+) exists$"), "the metadevice exists"),
    (re.compile(r"^(?P<unit>\S+) absent$"), "the metadevice does not exist"),
    (re.compile(r"^(?P<mount>/\S*) mounted$"), "the file system is mounted"),
    (re.compile(r"^(?P<mount>/\S*) unlocked$"), "the file system is not locked"),
    (re.compile(r"^host up$"), "the host is not hung"),
    (re.compile(r"^replicas okay$"), "every state database replica is healthy"),
)


class LabError(Error, ValueError):
    """A lab file that cannot be used: one line naming the file and what is wrong."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class LabInfo(_Model):
    """``[lab]``: what the trainee reads first, the general hints, the pass mark."""

    title: str = Field(description="one line: `svmsim lab` lists it, the page shows it")
    summary: str = Field("", description="the situation, shown at the start and by lab task")
    hints: list[str] = Field([], description="general hints, after the objectives' own")
    pass_mark: Annotated[float, Field(ge=0, le=100, description="percent: lab check says "
                                      "passed or not")] = 100


class Variable(_Model):
    """One variable of the variant: exactly one of the three keys."""

    metadevice: str | None = Field(None, description="canonical dN; every metadevice "
                                   "variable moves by the same multiple of ten for a seed")
    disk: str | None = Field(None, description="canonical cXtYdZ; controllers permuted and "
                             "targets shifted together for a seed")
    choice: list[str] | None = Field(None, description="values; the first is canonical")

    @model_validator(mode="after")
    def _one(self) -> Variable:
        given = [k for k in ("metadevice", "disk", "choice") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a variable is one of { metadevice = \"dN\" }, "
                             "{ disk = \"cXtYdZ\" }, { choice = [...] }")
        if self.metadevice is not None and not re.fullmatch(r"d\d+", self.metadevice):
            raise ValueError(f"{self.metadevice!r}: a metadevice variable is dN")
        if self.disk is not None and not re.fullmatch(r"c\d+t\d+d\d+", self.disk):
            raise ValueError(f"{self.disk!r}: a disk variable is cXtYdZ")
        if self.choice is not None and not self.choice:
            raise ValueError("choice needs at least one value")
        return self


class Pick(_Model):
    """Values drawn together (which submirror fails, and its slice)."""

    names: list[str] = Field(description="the variables it sets")
    choices: list[list[str]] = Field(description="one value per name each; the first is "
                                     "canonical; earlier variables may appear")

    @model_validator(mode="after")
    def _shape(self) -> Pick:
        if not self.choices or any(len(c) != len(self.names) for c in self.choices):
            raise ValueError("every choice of a pick has one value per name")
        return self


class Step(_Model):
    """A step of the procedure as lab task shows it."""

    title: str = Field(description="one line")
    text: str = Field("", description="what to do (a command, say)")
    objectives: list[str] = Field([], description="the objective ids that tick it")


class LockRule(_Model):
    """``lock = {...}``: the trainee's write locks of one file system."""

    mount: str = Field(description="the mount point")
    max_seconds: Annotated[float, Field(gt=0, description="the longest a lock may last, "
                                        "virtual seconds")] = 60
    not_during: list[str] = Field(["ufsdump"], description="programs no lock may overlap")
    required: bool = Field(True, description="false: never locking is no failure")


class Objective(_Model):
    """What is graded: exactly one of check, ran, order, after, lock, state."""

    id: str = Field(description="unique; steps name it")
    text: str = Field(description="what is asked, as lab task lists it")
    points: Annotated[int, Field(ge=0, description="its weight in the score")] = 10
    pass_: str = Field("", alias="pass", description="feedback when met")
    fail: str = Field("", description="feedback when not (the text when empty)")
    hint: str = Field("", description="what lab hint says while it is not met")
    when: str | None = Field(None, description="a command regex (or @change): counts only "
                             "once such a command succeeded")
    check: str | None = Field(None, description="a verdict check's name: met when it held")
    ran: str | None = Field(None, description="a command regex: met when one matched")
    ok: bool = Field(False, description="with ran: the command must have exited 0")
    order: list[str] | None = Field(None, description="[A, B]: a successful A no later "
                                    "than the first B (@change: the first change)")
    after: list[str] | None = Field(None, description="[A, B]: a B after the first A")
    lock: LockRule | None = Field(None, description="the write-lock rule (below)")
    state: list[str] | None = Field(None, description="state phrases that must all hold now")

    @model_validator(mode="after")
    def _one_test(self) -> Objective:
        tests = [k for k in ("check", "ran", "order", "after", "lock", "state")
                 if getattr(self, k) is not None]
        if len(tests) != 1:
            raise ValueError(f"objective {self.id!r}: exactly one of check, ran, order, after, "
                             f"lock, state (it has {', '.join(tests) or 'none'})")
        for rx in ([self.ran] if self.ran else []) + [
                r for r in (self.order or []) + (self.after or []) + [self.when or ""]
                if r not in ("@change", "")]:
            try:
                re.compile(rx)
            except re.error as e:
                raise ValueError(f"objective {self.id!r}: bad regular expression {rx!r}: "
                                 f"{e}") from None
        for pair in (self.order, self.after):
            if pair is not None and len(pair) != 2:
                raise ValueError(f"objective {self.id!r}: order and after are "
                                 "[\"first\", \"then\"]")
        for phrase in self.state or []:
            if not any(rx.match(phrase) for rx, _ in STATE_PHRASES):
                raise ValueError(f"objective {self.id!r}: {phrase!r} is not a state phrase "
                                 "(DN okay, DN has DM, DN lacks DM, DN exists, DN absent, "
                                 "/MOUNT mounted, /MOUNT unlocked, host up, replicas okay)")
        return self


class LabSpec(_Model):
    """The lab's own tables, validated (the scenario part is a :class:`Scenario`)."""

    lab: LabInfo
    variables: dict[str, Variable] = {}
    pick: list[Pick] = []
    step: list[Step] = []
    objective: list[Objective]

    @model_validator(mode="after")
    def _ids(self) -> LabSpec:
        ids = [o.id for o in self.objective]
        if len(set(ids)) != len(ids):
            raise ValueError("objective ids must be unique")
        for st in self.step:
            for oid in st.objectives:
                if oid not in ids:
                    raise ValueError(f"step {st.title!r} names objective {oid!r}, "
                                     "which is not defined")
        if not any(o.points for o in self.objective):
            raise ValueError("the objectives are worth no points")
        return self


@dataclass
class Lab:
    """A lab as one trainee gets it: the variant's values, its scenario and its tables."""

    name: str
    seed: int
    values: dict[str, str]
    spec: LabSpec
    scenario: Scenario
    source: str                 # the lab file's text (before the variant's values)
    path: Path | None = None

    @property
    def title(self) -> str:
        return self.spec.lab.title

    def render(self, text: str) -> str:
        """``text`` with this variant's ``${name}`` values (an answer file, say)."""
        return string.Template(text).safe_substitute(self.values)

    def reference_answers(self) -> str | None:
        """The shipped reference answer file, rendered for this variant (None: none)."""
        if self.path is None:
            return None
        answers = self.path.with_name(self.name + ANSWERS_SUFFIX)
        return self.render(answers.read_text()) if answers.is_file() else None


# ---------------------------------------------------------------------------- variants
def draw_values(name: str, seed: int, variables: dict[str, Variable], picks: list[Pick],
                fixed: frozenset[str] = frozenset()) -> dict[str, str]:
    """Every variable's value for ``seed`` (0: canonical). Deterministic per lab and seed.

    ``fixed``: names the lab writes literally (a boot disk ``c0t0d0``, say); no variable
    is drawn onto one of them (the draw is repeated, from the same generator)."""
    rng = random.Random(f"svmsim-lab:{name}:{seed}")
    for _ in range(1000):
        values = _draw(rng, seed, variables, picks)
        drawn = {values[k] for k, v in variables.items() if v.metadevice or v.disk}
        if seed == 0 or not drawn & fixed:
            return values
    raise LabError(f"{name}: no variant of seed {seed} avoids the names the lab fixes "
                   f"({', '.join(sorted(fixed))})")


def _draw(rng: random.Random, seed: int, variables: dict[str, Variable],
          picks: list[Pick]) -> dict[str, str]:
    values: dict[str, str] = {}
    shift = 0 if seed == 0 else rng.randrange(1, 10) * 10
    controllers = sorted({int(v.disk[1:v.disk.index("t")]) for v in variables.values()
                          if v.disk})
    new_ctl = {c: c for c in controllers}
    offset = 0
    if seed and controllers:
        pool = list(range(0, 8))
        rng.shuffle(pool)
        new_ctl = dict(zip(controllers, pool, strict=False))
        offset = rng.randrange(0, 5)
    for key, var in variables.items():
        if var.metadevice is not None:
            values[key] = f"d{int(var.metadevice[1:]) + shift}"
        elif var.disk is not None:
            m = re.fullmatch(r"c(\d+)t(\d+)d(\d+)", var.disk)
            assert m is not None
            values[key] = f"c{new_ctl[int(m[1])]}t{int(m[2]) + offset}d{m[3]}"
        else:
            assert var.choice is not None
            values[key] = var.choice[0] if seed == 0 else rng.choice(var.choice)
    for pick in picks:
        choice = pick.choices[0] if seed == 0 else rng.choice(pick.choices)
        for key, value in zip(pick.names, choice, strict=True):
            values[key] = string.Template(value).safe_substitute(values)
    return values


# ---------------------------------------------------------------------------- loading
def labs_dir() -> Path:
    """Where the shipped labs are (package data: ``simulator/lab/labs``)."""
    return Path(str(resources.files("simulator.lab") / "labs"))


def shipped_labs() -> dict[str, Path]:
    """Name -> file of every shipped lab, sorted by name."""
    return {p.name[:-len(LAB_SUFFIX)]: p
            for p in sorted(labs_dir().glob("*" + LAB_SUFFIX))}


def find_lab(name_or_path: str) -> Path:
    """A shipped lab by name, or a lab file by path; LabError with the names otherwise."""
    if "/" in name_or_path or name_or_path.endswith(".toml"):
        path = Path(name_or_path)
        if not path.is_file():
            raise LabError(f"{name_or_path}: no such lab file")
        return path
    labs = shipped_labs()
    if name_or_path not in labs:
        import difflib
        near = difflib.get_close_matches(name_or_path, list(labs), n=1)
        raise LabError(f"{name_or_path}: no such lab"
                       + (f" (did you mean {near[0]}?)" if near else "")
                       + f"; the labs are: {', '.join(labs)}")
    return labs[name_or_path]


def load_lab(name_or_path: str, seed: int = 0) -> Lab:
    """The lab named (or at a path) as the variant of ``seed`` gets it."""
    path = find_lab(name_or_path)
    name = path.name[:-len(LAB_SUFFIX)] if path.name.endswith(LAB_SUFFIX) else path.stem
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LabError(f"{path}: cannot read: {e}") from None
    return parse_lab(text, name, seed, source=str(path), path=path)


def parse_lab(text: str, name: str, seed: int = 0, *, source: str = "<lab>",
              path: Path | None = None) -> Lab:
    """A lab file's text as the variant of ``seed`` (0: canonical) gets it."""
    if seed < 0:
        raise LabError(f"{source}: the seed is a number 0 or more")
    raw = _toml(text, source)
    try:
        variables = {k: Variable.model_validate(v)
                     for k, v in dict(raw.get("variables", {})).items()}
        picks = [Pick.model_validate(p) for p in raw.get("pick", [])]
    except ValidationError as e:
        raise LabError(f"{source}: {_first(e)}") from None
    # the disk and metadevice names the file writes literally (outside ${...})
    fixed = frozenset(re.findall(r"\b(?:c\d+t\d+d\d+|d\d+)\b",
                                 re.sub(r"#.*", "", re.sub(r"\$\{\w+\}", "", text))))
    values = draw_values(name, seed, variables, picks, fixed)
    leftover = sorted(set(re.findall(r"\$\{(\w+)\}", text)) - set(values))
    if leftover:
        raise LabError(f"{source}: ${{{leftover[0]}}} is used but not a variable")
    doc = _toml(string.Template(text).safe_substitute(values), source)
    lab_part = {k: doc.pop(k) for k in LAB_KEYS if k in doc}
    if "lab" not in lab_part:
        raise LabError(f"{source}: a lab file needs a [lab] table (title, summary)")
    try:
        spec = LabSpec.model_validate(lab_part)
    except ValidationError as e:
        raise LabError(f"{source}: {_first(e)}") from None
    try:
        scenario = parse_scenario(doc, source, default_name=name)
    except ScenarioError as e:
        raise LabError(str(e)) from None
    return Lab(name, seed, values, spec, scenario, text, path)


def _toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise LabError(f"{source}: TOML syntax error: {e}") from None


def _first(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg
