"""The scenario keys an imported host needs (simulator/scenario/schema.py): ``[[disk]]
starts`` (prtvtoc's First Sector), ``[[replica]] flags`` (metadb's letters, metadb.c
MDDB_FLAGS_STRING) and ``[[softpart]] extents`` (metastat -p's ``-o off -b len``, placed as
``metainit dN -p comp -o off -b len`` places them: meta_sp.c meta_sp_alloc_by_list)."""

from __future__ import annotations

import pytest

from simulator.scenario import ScenarioError, parse_scenario

BASE = """
[[disk]]
name = "c0t0d0"
size = "36GB"
slices = {{ "0" = "16GB", "7" = "32MB", "3" = "1GB" }}
{starts}
[[replica]]
device = "c0t0d0s7"
count = 2
{flags}
[[softpart]]
name = "d80"
component = "c0t0d0s0"
size = {size}
{extents}
"""


def scenario(starts: str = "", flags: str = "", size: str = "3000",
             extents: str = 'extents = [[1000, 1000], [5000, 2000]]') -> str:
    return BASE.format(starts=starts, flags=flags, size=size, extents=extents)


def test_the_keys_build_what_they_say() -> None:
    text = scenario(starts='starts = { "7" = 0, "0" = 20000, "3" = 40000000 }',
                    flags='flags = ["a m  p  luo", "a        u"]')
    host = parse_scenario(text).build_host()
    assert host.run("metastat -p").stdout == "d80 -p c0t0d0s0 -o 1000 -b 1000  -o 5000 -b 2000 \n"
    metadb = host.run("metadb").stdout.splitlines()
    assert metadb[1].startswith("     a m  p  luo    \t16\t") and \
        metadb[2].startswith("     a        u     \t8208\t")
    vtoc = host.run("prtvtoc /dev/rdsk/c0t0d0s2").stdout
    assert "       0      0    00      20000  33554432  33574431" in vtoc
    assert "       7      0    00          0     65536     65535" in vtoc


def test_they_round_trip_through_to_toml() -> None:
    sc = parse_scenario(scenario(starts='starts = { "0" = 0 }', flags='flags = ["apluo", "au"]'))
    again = parse_scenario(sc.to_toml())
    assert again.disks[0].starts == {0: 0}
    assert again.replicas[0].flags == ["apluo", "au"]
    assert again.softparts[0].extents == [[1000, 1000], [5000, 2000]]


@pytest.mark.parametrize(("kw", "message"), [
    ({"starts": 'starts = { "5" = 0 }'}, "disk[0].starts.5: names a slice not in slices"),
    ({"starts": 'starts = { "0" = 60000000 }'}, "disk[0].starts.0: slice 0 ends past the disk"),
    ({"flags": 'flags = ["apluo"]'}, "replica[0].flags: gives 1 flag strings for 2"),
    ({"flags": 'flags = ["apluo", "aX"]'}, "replica[0].flags[1]: 'X': not a metadb flag"),
    ({"size": "2999"}, "softpart[0].extents: extents add up to 3000 blocks, not size (2999)"),
    ({"extents": "extents = [[1000, 5000], [5000, 2000]]", "size": "7000"},
     "softpart[0].extents: extents at 1000 and 5000 overlap"),
    ({"extents": "extents = [[0, 10]]", "size": "10"},
     "softpart[0].extents[0]: must be [offset, blocks], two numbers > 0"),
])
def test_bad_values_are_one_line(kw: dict[str, str], message: str) -> None:
    with pytest.raises(ScenarioError) as e:
        parse_scenario(scenario(**kw), "x.toml")
    assert str(e.value).startswith(f"x.toml: {message}"), str(e.value)
