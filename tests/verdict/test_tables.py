"""The README's tables of outcomes and checks are the registries' (simulator.session.outcomes
OUTCOMES, simulator.session.checks CHECKS), and its table of scenarios names every shipped
scenario with the outcomes its ``[expect]`` accepts."""

from __future__ import annotations

from pathlib import Path

from simulator.scenario import load_scenario, shipped_scenarios
from simulator.scenario.schema import OUTCOME_NAMES
from simulator.session.checks import checks_table
from simulator.session.outcomes import OUTCOMES, outcomes_table, parse_outcomes

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def table(header: str) -> str:
    lines = README.splitlines()
    start = lines.index(header)
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join(lines[start:end]) + "\n"


def test_the_readme_tables_are_the_registries() -> None:
    assert table("| outcome | when |") == outcomes_table()
    assert table("| check | holds when |") == checks_table()
    assert tuple(OUTCOMES) == OUTCOME_NAMES


def test_the_readme_scenario_table_states_each_expectation() -> None:
    rows = {}
    for line in table("| name | what | expects |").splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = tuple(x.strip(" `") for x in cells[2].split(","))
    assert set(rows) == set(shipped_scenarios())
    for name, outcomes in rows.items():
        assert load_scenario(name).expect.outcomes() == outcomes, name


def test_outcome_lists_parse_with_suggestions() -> None:
    assert parse_outcomes("backed-up, refused,backed-up") == ("backed-up", "refused")
    for bad, message in (("", "no outcome given"), ("hang", "did you mean 'hung'?")):
        try:
            parse_outcomes(bad)
        except ValueError as e:
            assert message in str(e)
        else:
            raise AssertionError(bad)
