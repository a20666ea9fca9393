"""The one-line fault syntax and the Fault schema (faults-design "The one-line syntax";
svmsim's own, decided: the parse/format pair round-trips canonical specs)."""

from __future__ import annotations

import pytest
from faultmark import make_mark_kind
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.faults import KINDS, Fault, FaultError, format_fault, make_fault, parse_fault
from simulator.faults.spec import format_duration, parse_duration, parse_trigger


def test_parse_full_spec(mark_kind):
    f = parse_fault("test-mark:c1t1d0s0,op=write,factor=3,duration=5m@after:metadetach#2")
    assert (f.kind, f.target, f.trigger, f.duration) == ("test-mark", "c1t1d0s0",
                                                         "after:metadetach#2", 300.0)
    assert f.params == {"op": "write", "factor": 3.0}
    assert f.param("fixable") is True and f.param("signal") == 9
    assert f.when.on == "after" and f.when.nth == 2


def test_canonical_form(mark_kind):
    """#1, @start and seconds are written canonically (largest whole unit)."""
    f = parse_fault("test-mark:c1t1d0s0,signal=15,op=read,duration=300@before:lockfs#1")
    assert format_fault(f) == "test-mark:c1t1d0s0,op=read,signal=15,duration=5m@before:lockfs"
    assert format_fault(parse_fault("test-mark@start")) == "test-mark"
    assert str(parse_fault("test-mark@time:3600")) == "test-mark@time:1h"


@pytest.mark.parametrize("trigger,expect", [
    ("start", ("start",)),
    ("before:metadetach", ("before", "metadetach", 1)),
    ("after:metadetach d1 *#3", ("after", "metadetach d1 *", 3)),
    ("time:90", ("time", 90.0)),
    ("ufsdump:50%", ("progress", "ufsdump", 50.0)),
    ("resync:12.5%", ("progress", "resync", 12.5)),
    ("io:100", ("io", 100)),
    ("p:0.25", ("p", 0.25)),
])
def test_triggers(trigger, expect):
    t = parse_trigger(trigger)
    got = {"start": lambda: (t.on,), "before": lambda: (t.on, t.pattern, t.nth),
           "after": lambda: (t.on, t.pattern, t.nth), "time": lambda: (t.on, t.seconds),
           "progress": lambda: (t.on, t.where, t.percent), "io": lambda: (t.on, t.nth),
           "p": lambda: (t.on, t.prob)}[t.on]()
    assert got == expect


def test_pattern_matching():
    """A bare name matches the program by basename; a glob matches the words joined."""
    t = parse_trigger("before:metadetach")
    assert t.matches(["/usr/sbin/metadetach", "d1", "d11"])
    assert not t.matches(["metattach", "d1", "d11"])
    g = parse_trigger("before:metadetach d1 *")
    assert g.matches(["/usr/sbin/metadetach", "d1", "d11"])
    assert not g.matches(["metadetach", "d2", "d21"])


@pytest.mark.parametrize("spec,message", [
    ("", "empty fault spec"),
    ("no-such-kind", "unknown fault kind 'no-such-kind'"),
    ("test-mark,bogus=1", "test-mark has no parameter 'bogus'"),
    ("test-mark,op=erase", "op=erase: one of read, write"),
    ("test-mark,signal=nine", "signal=nine: a whole number"),
    ("test-mark,fixable=maybe", "fixable=maybe: true or false"),
    ("test-mark,op", "'op' is not KEY=VALUE"),
    ("test-mark,op=read,op=write", "op given twice"),
    ("test-mark@", "nothing after @"),
    ("test-mark@sometime", "bad trigger 'sometime'"),
    ("test-mark@before:", "needs a program name"),
    ("test-mark@before:lockfs#0", "bad call number '0'"),
    ("test-mark@time:-5", "bad duration '-5'"),
    ("test-mark@ufsdump:150%", "needs a percentage 0-100%"),
    ("test-mark@p:0", "needs a probability in (0, 1]"),
    ("test-mark@io:x", "bad I/O count 'x'"),
    ("test-mark,duration=soon", "bad duration 'soon'"),
])
def test_bad_specs_one_line(mark_kind, spec, message):
    with pytest.raises(FaultError) as e:
        parse_fault(spec)
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_table_form_takes_params_by_name(mark_kind):
    """A scenario's [[fault]]: the kind's parameters are keys beside kind/target/trigger."""
    f = make_fault({"kind": "test-mark", "target": "c1t1d0s0", "trigger": "after:metadetach",
                    "op": "write", "duration": "30s"})
    assert f.params == {"op": "write"} and f.duration == 30.0
    with pytest.raises(FaultError, match="test-mark has no parameter 'colour'"):
        make_fault({"kind": "test-mark", "colour": "red"})


def test_durations():
    assert parse_duration("5m") == 300 and parse_duration("1.5h") == 5400
    assert parse_duration(7) == 7.0
    assert [format_duration(x) for x in (0, 45, 120, 7200, 86400, 0.5)] == \
        ["0", "45", "2m", "2h", "1d", "0.5"]


_words = st.from_regex(r"[a-z][a-z0-9/]{0,8}", fullmatch=True)
_triggers = st.one_of(
    st.just("start"),
    st.builds(lambda on, p, n: f"{on}:{p}" + (f"#{n}" if n > 1 else ""),
              st.sampled_from(["before", "after"]), _words, st.integers(1, 50)),
    st.builds(lambda s: f"time:{format_duration(s)}", st.integers(0, 10**6)),
    st.builds(lambda w, p: f"{w}:{p}%", st.sampled_from(["ufsdump", "resync", "fsck"]),
              st.integers(0, 100)),
    st.builds(lambda n: f"io:{n}", st.integers(1, 10**6)),
    st.builds(lambda p: f"p:{p!r}", st.floats(min_value=1e-6, max_value=1.0)),
)


@settings(max_examples=200, deadline=None)
@given(target=_words, op=st.none() | st.sampled_from(["read", "write"]),
       factor=st.none() | st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
       signal=st.none() | st.integers(-100, 100), duration=st.none() | st.integers(0, 10**6),
       trigger=_triggers)
def test_round_trip(target, op, factor, signal, duration, trigger):
    """format_fault(parse_fault(s)) == s for every canonical spec, and back."""
    spec = f"test-mark:{target}"
    for key, value in (("op", op), ("factor", factor), ("signal", signal)):
        if value is not None:
            spec += f",{key}={value!r}" if isinstance(value, float) else f",{key}={value}"
    if duration is not None:
        spec += f",duration={format_duration(duration)}"
    if trigger != "start":
        spec += f"@{trigger}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(KINDS, "test-mark", make_mark_kind([]))
        f = parse_fault(spec)
        assert format_fault(f) == spec
        assert parse_fault(format_fault(f)) == f
        assert isinstance(f, Fault)
