"""The one "which metadevice uses this slice" rule (meta_check.c meta_check_inmeta order:
stripes, soft partitions, then hot spare pools unless MDCHK_ALLOW_HS)."""

from __future__ import annotations

from simulator import Host


def make(host: Host) -> Host:
    for d in ("c1t0d0", "c1t1d0", "c2t0d0", "c2t1d0", "c3t0d0"):
        host.add_disk(d)
    return host


def test_order_and_options(host: Host) -> None:
    h = make(host)
    vm, s = h.md, h.md.sets[""]
    vm.create_hsp(s, "hsp001", ["c3t0d0s0"])
    vm.create_stripe(s, "d10", [(["c1t0d0s0"], None)], hsp="hsp001")
    vm.create_softpart(s, "d50", "c2t0d0s0", 1000)
    assert vm.slice_user("c1t0d0s0") == "d10"
    assert vm.slice_user("c2t0d0s0") == "d50"
    assert vm.slice_user("c2t0d0s0", soft_partitions=False) is None
    assert vm.slice_user("c3t0d0s0") == "hsp001"
    assert vm.slice_user("c3t0d0s0", hot_spares=False) is None
    assert vm.slice_user("c1t1d0s0") is None


def test_a_spare_in_use_is_named_by_its_pool(host: Host) -> None:
    """meta_check_instripe looks at the components, not at the spare standing in."""
    h = make(host)
    assert h.run("metainit hsp001 c3t0d0s0").exit_code == 0
    for cmd in ("metainit d11 1 1 c1t0d0s0 -h hsp001", "metainit d12 1 1 c1t1d0s0",
                "metainit d10 -m d11", "metattach d10 d12"):
        assert h.run(cmd).exit_code == 0, cmd
    h.advance(3600)
    h.md.io_error("c1t0d0s0")
    st = h.md.sets[""].units["d11"]
    assert st.components[0].hot_spare == "c3t0d0s0"
    assert h.md.slice_user("c3t0d0s0") == "hsp001"
    r = h.run("metainit d20 1 1 c3t0d0s0")
    assert r.stderr == ("metainit: host1: c3t0d0s0: has appeared more than once in the "
                        "specification of hsp001\n\n")
    r = h.run("metainit d30 -p c3t0d0s0 10m")
    assert r.stderr == ("metainit: host1: c3t0d0s0: has appeared more than once in the "
                        "specification of hsp001\n\n")


def test_replica_refused_on_a_hot_spare(host: Host) -> None:
    """meta_db_attach -> meta_check_replica -> meta_check_inmeta, no MDCHK_ALLOW_HS."""
    h = make(host)
    assert h.run("metainit hsp001 c3t0d0s0").exit_code == 0
    r = h.run("metadb -a c3t0d0s0")
    assert (r.stderr, r.exit_code) == (
        "metadb: host1: c3t0d0s0: has appeared more than once in the specification of "
        "hsp001\n\n", 1)
