"""Images on mirrors: detach under lockfs -w, resync, lazy trees, persistence."""

from __future__ import annotations

import json

import pytest
from fshelpers import make_host
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import Host
from simulator.ufs.image import digest_entries, new_image, sort_key


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(1, 10_000), before=st.floats(0.0, 90.0),
       logging=st.booleans())
def test_detached_under_write_lock_equals_fs_at_lock_time(seed: int, before: float,
                                                          logging: bool) -> None:
    h, fs = make_host(logging=logging, rate=8.0, creates=1.0, deletes=0.5, seed=seed)
    h.advance(before)
    h.run("lockfs -w /home1")
    at_lock = fs.app_view("/home1").digest()
    h.run("metadetach d1 d3")
    h.run("lockfs -u /home1")
    h.advance(30)
    rec = fs.detach_records[-1]
    assert rec.locked
    assert fs.image_of("/dev/md/rdsk/d3").digest() == at_lock == rec.app_image.digest()
    assert fs.image_of("d3").clean and fs.image_of("d3").consistent
    assert h.run("fsck -n /dev/md/rdsk/d3").exit_code == 0


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(1, 10_000), away=st.floats(1.0, 120.0))
def test_resync_brings_every_submirror_to_the_mirror(seed: int, away: float) -> None:
    h, fs = make_host(rate=2.0, creates=0.5, seed=seed)
    h.run("metadetach d1 d3")
    h.advance(away)
    assert fs.image_of("d3").digest() != fs.image_of("d1").digest() or away < 31
    h.run("metattach d1 d3")
    m = h.md.sets[""].units["d1"]
    h.advance(60)
    assert m.resync_active and fs.image_of("d3").digest() != fs.image_of("d1").digest() \
        or away < 31
    while m.resync_active:
        h.advance(900)
    h.run("lockfs -f /home1")
    d1 = fs.image_of("/dev/md/dsk/d1").digest()
    assert all(fs.image_of(d).digest() == d1 for d in ("d2", "d3", "d4"))


def test_offline_submirror_keeps_old_image_and_counts_dirty_blocks() -> None:
    h, fs = make_host(rate=5.0)
    h.run("metaoffline d1 d4")
    h.advance(100)
    m = h.md.sets[""].units["d1"]
    assert m.slot("d4").dirty_blocks > 0
    assert fs.image_of("d4").digest() != fs.image_of("d1").digest()


def test_static_fs_detach_without_lock_is_clean() -> None:
    h, fs = make_host(logging=False)
    h.run("metadetach d1 d3")
    assert fs.image_of("d3").clean and fs.image_of("d3").consistent
    assert h.run("fsck -n /dev/md/rdsk/d3").exit_code == 0


def test_lazy_tree_is_sorted_and_digest_content_based() -> None:
    img = new_image(4_000_000, seed=7, files=900, data_blocks=1_000_000, created=1.7e9)
    entries = list(img.entries())
    assert entries[0].path == "." and entries[0].inode == 2
    assert [e.path for e in entries] == sorted((e.path for e in entries), key=sort_key)
    assert img.nfiles == len(entries)
    assert img.digest() == digest_entries(entries)
    assert all(img.get(e.path) == e for e in entries[::37])
    assert img.used_frags == sum(e.frags(img.fsize) for e in entries) + img.log_frags
    snap = img.snapshot()
    img.remove(entries[-1].path)
    assert snap.get(entries[-1].path) is not None and img.get(entries[-1].path) is None
    img.put(entries[-1])
    assert img.digest() == snap.digest() and not img.overlay


def test_state_round_trips_through_json() -> None:
    h, fs = make_host(logging=False, rate=5.0, creates=1.0)
    h.advance(40)
    h.run("metadetach d1 d3")
    import json
    h2 = Host.from_dict(json.loads(json.dumps(h.to_dict())))
    fs2 = h2.fs
    assert fs2.image_of("d3").digest() == fs.image_of("d3").digest()
    assert fs2.image_of("d3").damaged == fs.image_of("d3").damaged
    assert fs2.app_view("/home1").digest() == fs.app_view("/home1").digest()
    assert h2.run("fsck -n /dev/md/rdsk/d3").stdout == h.run("fsck -n /dev/md/rdsk/d3").stdout


@pytest.mark.parametrize(("files", "data"), [(0, 0), (1, 100), (2000, 20 << 21),
                                             (30_000, 1 << 30)])
@pytest.mark.parametrize("fsize", [1024, 8192])
def test_the_fragment_count_without_a_pass_equals_the_pass(files: int, data: int,
                                                           fsize: int, monkeypatch) -> None:
    """BaseTree.frag_total (sizes only; numpy for the documents of big trees) gives what
    summing every entry's fragments gives, on both of its paths (issue 17: df on a
    million-file UFS must not walk it)."""
    import simulator.ufs.image as image
    monkeypatch.setenv("SVMSIM_CACHE", "off")          # counted here, not read back
    tree = image.BaseTree(7, files, data, 1.7e9)
    walked = sum(e.frags(fsize) for e in tree.entries())
    assert tree.frag_total(fsize) == walked
    if tree.ndocs:
        saved = image._SMALL_DOCS
        image._SMALL_DOCS = 0          # force the numpy path
        try:
            tree._frags.clear()
            assert tree.frag_total(fsize) == walked
        finally:
            image._SMALL_DOCS = saved


def test_a_big_trees_fragment_count_is_kept_like_a_superblock_summary(tmp_path,
                                                                       monkeypatch) -> None:
    """A big tree's fragment count is written once and read back by later trees of the
    same parameters (issue 17: df of a million-file UFS reads counters); a damaged file is
    counted again; a tree drawn otherwise (another seed, size, fragment size) never reads
    another's count; with the cache off it is counted every time."""
    import simulator.ufs.image as image
    monkeypatch.setenv("SVMSIM_CACHE", str(tmp_path))
    monkeypatch.setattr(image, "_SMALL_DOCS", 0)

    def tree(seed: int = 5, files: int = 3000) -> image.BaseTree:
        return image.BaseTree(seed, files, 1 << 22, 1.7e9)
    walked = sum(e.frags(1024) for e in tree().entries())
    assert tree().frag_total(1024) == walked
    kept = list((tmp_path / "ufs-counters").iterdir())
    assert len(kept) == 1
    kept[0].write_text('{"frags": 1}')                 # read back, not counted again
    assert tree().frag_total(1024) == 1
    kept[0].write_text("{broken")
    assert tree().frag_total(1024) == walked
    for other, fsize in ((tree(6), 1024), (tree(5, 3001), 1024), (tree(), 8192)):
        assert other.frag_total(fsize) == sum(e.frags(fsize) for e in other.entries())
    assert len(list((tmp_path / "ufs-counters").iterdir())) == 4
    monkeypatch.setenv("SVMSIM_CACHE", "off")
    kept[0].write_text('{"frags": 1}')
    assert tree().frag_total(1024) == walked


def test_a_drawn_vocabulary_is_kept_in_the_cache_and_read_back(tmp_path, monkeypatch) -> None:
    """A fresh process finds the words and user names drawn before (issue 17: Faker's import
    and draw cost ~0.15 s of every run); the cached ones are the drawn ones."""
    import simulator.ufs.image as image
    monkeypatch.setenv("SVMSIM_CACHE", str(tmp_path))
    drawn = image._draw_vocabulary(4242, 7)
    files = list(tmp_path.rglob("4242-7.json"))
    assert len(files) == 1
    assert image._cached_vocabulary(4242, 7) == drawn
    files[0].write_text("{broken")                     # a damaged cache is not used
    assert image._cached_vocabulary(4242, 7) is None
    monkeypatch.setenv("SVMSIM_CACHE", "off")
    assert image._cache_file(4242, 7) is None


def test_a_trees_draws_are_rnd_of_its_seed() -> None:
    """BaseTree._rnd (the seed's hashing step done once per tree) draws what rnd draws."""
    import simulator.ufs.image as image
    for seed in (0, 3, 2**63 + 5, -1):
        tree = image.BaseTree(seed, 10, 0, 1.7e9)
        for i in (0, 1, 9, 10**9, -7):
            for purpose in (3, 5, 7, 11):
                assert tree._rnd(i, purpose) == image.rnd(seed, i, purpose)


@settings(max_examples=400)
@given(st.lists(st.sampled_from(["", ".", "..", "a", "b.c", "d.", ".e"]), max_size=6),
       st.booleans(), st.booleans())
def test_norm_path_fast_path_agrees_with_the_components(parts, lead, trail) -> None:
    """norm_path returns a path as it is only when splitting it would give it back."""
    from simulator.ufs.image import ROOT, norm_path
    path = ("/" if lead else "") + "/".join(parts) + ("/" if trail else "")
    kept = [p for p in path.split("/") if p not in ("", ".")]
    assert norm_path(path) == ("/".join(kept) if kept else ROOT)


@given(st.tuples(st.sampled_from(["f", "d"]), st.integers(0, 3), st.sampled_from([0.0, 1.5])),
       st.tuples(st.sampled_from(["f", "d"]), st.integers(0, 3), st.sampled_from([0.0, 1.5])),
       st.booleans(), st.booleans())
def test_the_entry_comparison_shortcut_is_equality(x, y, xnone, ynone) -> None:
    """Image._set's _same(a, b) (the modification time compared first) is ``a == b``."""
    from simulator.ufs.image import FileEntry, _same

    def entry(t: tuple[str, int, float], none: bool) -> FileEntry | None:
        kind, size, mtime = t
        return None if none else FileEntry("a/b", 9, kind, size, mtime, 0.0, 0, 0, 0o644, "")
    a, b = entry(x, xnone), entry(y, ynone)
    assert _same(a, b) == (a == b)
    assert _same(a, a)


def _drawn_docs(tree) -> list:
    """Every document of ``tree`` drawn afresh (no table, nothing remembered)."""
    return [tree._draw_doc(j) for j in range(tree.ndocs)]


def test_a_trees_documents_are_kept_and_read_back_equal(tmp_path, monkeypatch) -> None:
    """A tree of thousands of documents keeps them once all are made (issue 17: a dump or
    a workload of the big-16tb tree made every one in every process) and a later tree of
    the same parameters reads them back: every entry equal to the drawn one, in the order
    and with the types drawn; a damaged, truncated, mistyped or foreign table is not read
    (the documents are drawn again); with the cache off nothing is kept."""
    import simulator.ufs.image as image
    monkeypatch.setenv("SVMSIM_CACHE", str(tmp_path))
    monkeypatch.setattr(image, "_DOC_TABLE_MIN", 100)

    def tree(seed: int = 5, files: int = 900) -> image.BaseTree:
        return image.BaseTree(seed, files, 1 << 22, 1.7e9)
    first = tree()
    drawn = _drawn_docs(first)
    assert first._doc_table is None
    made = list(first.entries())
    kept = list((tmp_path / f"ufs-docs-{image._DOC_TABLE_VERSION}").iterdir())
    assert len(kept) == 1
    again = tree()
    assert again._doc_table is not None
    read = [again._doc(j) for j in range(again.ndocs)]
    assert read == drawn
    assert [(type(e.size), type(e.mtime), type(e.uid)) for e in read] == \
        [(type(e.size), type(e.mtime), type(e.uid)) for e in drawn]
    assert list(tree().entries()) == made
    assert list(tree().by_inode()) == sorted(made, key=lambda e: e.inode)
    good = kept[0].read_text()
    data = json.loads(good)
    for bad in ("{broken", json.dumps({**data, "sizes": data["sizes"][:-1]}),
                json.dumps({**data, "sizes": [float(s) for s in data["sizes"]]}),
                json.dumps({**data, "digests": ["0" * 32] + data["digests"][1:]}),
                json.dumps({**data, "paths": data["paths"][::-1]})):
        kept[0].write_text(bad)
        other = tree()
        assert other._doc_table is None
        assert [other._doc(j) for j in range(other.ndocs)] == drawn
    kept[0].write_text(good)
    assert tree()._doc_table is not None
    with monkeypatch.context() as m:                   # another generator's code...
        m.setattr(image, "_source_digest", lambda: "0" * 16)
        assert tree()._doc_table is None
    words, users = tree()._vocab                       # ... or other words never read it
    other = tree()
    other.__dict__["_vocab"] = (("other",) + words[1:], users)
    assert other._doc_table_file() != tree()._doc_table_file()
    assert other._doc_table is None
    foreign = tree(seed=6)                             # another tree never reads it
    assert foreign._doc_table is None
    assert [foreign._doc(j) for j in range(foreign.ndocs)] == _drawn_docs(tree(seed=6))
    monkeypatch.setenv("SVMSIM_CACHE", "off")
    assert tree()._doc_table is None
    assert list(tree().entries()) == made


@pytest.mark.parametrize(("files", "data"), [(0, 0), (1, 100), (2, 0), (5, 0), (600, 0),
                                             (2000, 20 << 21), (5000, 1 << 30)])
def test_by_inode_lists_every_entry_in_inode_order(files: int, data: int,
                                                   monkeypatch) -> None:
    """BaseTree.by_inode (the layout, no sort) holds what entries() holds, by inode."""
    import simulator.ufs.image as image
    monkeypatch.setenv("SVMSIM_CACHE", "off")
    tree = image.BaseTree(7, files, data, 1.7e9)
    listed = list(tree.by_inode())
    assert [e.inode for e in listed] == sorted({e.inode for e in listed})
    assert listed == sorted(tree.entries(), key=lambda e: e.inode)
    assert len(listed) == tree.count()


def test_kept_document_tables_are_trimmed_to_the_most_recently_used(tmp_path,
                                                                     monkeypatch) -> None:
    """The cache keeps at most ``_DOC_TABLES_KEPT`` document tables: making one more removes
    the one used longest ago, and reading a table counts as using it."""
    import os

    import simulator.ufs.image as image
    monkeypatch.setenv("SVMSIM_CACHE", str(tmp_path))
    monkeypatch.setattr(image, "_DOC_TABLE_MIN", 50)
    monkeypatch.setattr(image, "_DOC_TABLES_KEPT", 3)
    where = tmp_path / f"ufs-docs-{image._DOC_TABLE_VERSION}"

    def keep(seed: int) -> image.BaseTree:
        tree = image.BaseTree(seed, 200, 1 << 20, 1.7e9)
        list(tree.entries())
        return tree
    for seed in (1, 2, 3):
        keep(seed)
    tables = {p.name: p for p in where.iterdir()}
    assert len(tables) == 3
    for age, p in enumerate(sorted(tables.values(), key=lambda p: p.name)):
        os.utime(p, (1e9 + age, 1e9 + age))      # distinct, known ages
    oldest = min(tables.values(), key=lambda p: p.stat().st_mtime)
    reread = image.BaseTree(*[int(oldest.name.split("-")[0]), 200, 1 << 20, 1.7e9])
    assert reread._doc_table is not None          # read: now the most recently used
    second = sorted(tables.values(), key=lambda p: p.stat().st_mtime)[0]
    keep(4)
    left = {p.name for p in where.iterdir()}
    assert len(left) == 3 and oldest.name in left and second.name not in left
