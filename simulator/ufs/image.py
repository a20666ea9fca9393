"""UFS images as digests: a lazily generated base tree plus copy-on-write overlays.

A real 1 TB file system of a million files cannot be held in memory, and svmsim never needs
its bytes: a file is its metadata and a content digest. The base tree of a file system is a
pure function of ``(seed, files, data blocks, creation time)``: entry *i* is derived from a
hash of ``(seed, i)`` with a vocabulary drawn once from Faker, so nothing per file is stored.
Changes (the workload, fsck repairs, restores) live in an overlay dict ``path -> entry|None``;
``snapshot()`` copies only that dict. A sampled stretch of workload is kept whole until
something looks (:meth:`Image.put_stretch`): each file it wrote is made when it is looked up
or changed, and what counts sizes or lists files makes them all. Whole-image digests are
content-based sums of per-entry hashes, so two images holding the same files have the same
digest however they got there.

Geometry follows newfs defaults (8 KB blocks, 1 KB fragments; 8 KB fragments for multi-
terabyte UFS) closely enough for fsck's summary line and df to be consistent with the tree.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = "."
BSIZE = 8192
NDADDR = 12
NINDIR = BSIZE // 4
SECTORS_PER_TB = 1 << 31          # newfs turns to multi-terabyte UFS at 1 TB (newfs.c)
DIRBLKSIZ = 512
LOSTFOUND_SIZE = 8192             # newfs preallocates lost+found (mkfs.c)
_M64 = (1 << 64) - 1
_SUM_MOD = 1 << 128

S_IFDIR = 0o040000
S_IFREG = 0o100000
S_IFLNK = 0o120000


def mix64(x: int) -> int:
    """splitmix64: a fast, well-spread 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def rnd(*parts: int) -> int:
    """A deterministic 64-bit number from integers (seed, index, purpose...)."""
    h = 0x1234567
    for p in parts:
        h = mix64(h ^ (p & _M64))
    return h


@functools.lru_cache(maxsize=64)
def _loose_draw(seed: int) -> int:
    """``rnd(seed, 99)``: the draw a tree's loose fragments follow (Image.free_counts), kept
    per seed as fsck's and df's every summary asks it."""
    return rnd(seed, 99)


def _same(a: FileEntry | None, b: FileEntry | None) -> bool:
    """``a == b``, answered by the modification time first: a workload's every write
    compares entries that differ in it, and a dataclass's ``==`` builds two tuples."""
    if a is b:
        return True
    if a is None or b is None or a.mtime != b.mtime:
        return False
    return a == b


def content_digest(*parts: object) -> str:
    """A file content digest: hex, derived from what produced the content."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def drawn_digest(r1: int, r2: int) -> str:
    """A content digest (32 hex digits, as :func:`content_digest`) from two 64-bit numbers
    already drawn for the content: a sampled workload's writes make thousands at once."""
    return f"{r1:016x}{r2:016x}"


ZERO_DIGEST = content_digest("zero-filled")


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file, directory or symlink of an image (``path`` relative, root is ``"."``)."""

    path: str
    inode: int
    kind: str            # "f" | "d" | "l"
    size: int            # bytes
    mtime: float
    ctime: float
    uid: int
    gid: int
    mode: int            # st_mode with the file type bits
    digest: str          # content digest (hex); "" for directories
    target: str = ""     # symlink target

    def frags(self, fsize: int = 1024) -> int:
        """Fragments the entry occupies (data plus indirect blocks), as fsck counts them."""
        return entry_frags(self.kind, self.size, len(self.target), fsize)

    def to_list(self) -> list[Any]:
        return [self.path, self.inode, self.kind, self.size, self.mtime, self.ctime, self.uid,
                self.gid, self.mode, self.digest, self.target]

    @classmethod
    def from_list(cls, d: list[Any]) -> FileEntry:
        return cls(str(d[0]), int(d[1]), str(d[2]), int(d[3]), float(d[4]), float(d[5]),
                   int(d[6]), int(d[7]), int(d[8]), str(d[9]), str(d[10]))


def entry_frags(kind: str, size: int, target_len: int = 0, fsize: int = 1024) -> int:
    """UFS allocation: fragment tails only for files without indirect blocks; one 8 KB
    indirect block per NINDIR data blocks beyond the 12 direct ones; fast symlinks
    (targets under 60 bytes) live in the inode."""
    if kind == "l":
        return 0 if target_len < 60 else 1
    if size <= 0:
        return 0
    if size <= NDADDR * BSIZE:           # direct blocks only: whole blocks and the tail's frags
        return -(-size // fsize)
    frag = BSIZE // fsize
    blocks = -(-size // BSIZE)
    if blocks <= NDADDR:
        return (blocks - 1) * frag + -(-(size - (blocks - 1) * BSIZE) // fsize)
    extra = blocks - NDADDR
    indirect = 1 + (0 if extra <= NINDIR else 1 + -(-(extra - NINDIR) // NINDIR))
    return (blocks + indirect) * frag


def entry_hash(e: FileEntry) -> int:
    """What the whole-image digest sums: everything a restore can reproduce (not the inode
    number nor ctime, which ufsrestore cannot set)."""
    rec = f"{e.path}\0{e.kind}\0{e.size}\0{e.mode}\0{e.uid}\0{e.gid}\0{int(e.mtime)}\0" \
          f"{e.digest}\0{e.target}"
    return int.from_bytes(hashlib.blake2b(rec.encode(), digest_size=16).digest(), "big")


def digest_entries(entries: Iterator[FileEntry] | list[FileEntry]) -> str:
    """The digest :meth:`Image.digest` gives for an image holding exactly ``entries``."""
    return _digest_text(sum(entry_hash(e) for e in entries) % _SUM_MOD)


def _digest_text(total: int) -> str:
    return f"{total:032x}"


def sort_key(path: str) -> tuple[str, ...]:
    """Paths sort by component, so a directory comes right before its content."""
    return () if path == ROOT else tuple(path.split("/"))


def norm_path(path: str) -> str:
    """``./a/b``, ``/a/b/``, ``a//b`` -> ``a/b``; ``""``, ``/``, ``.`` -> ``"."``."""
    if path and path[0] != "/" and path[-1] != "/" and "//" not in path \
            and "./" not in path and not path.endswith("/."):
        return path                  # already normal (a workload's every lookup)
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return "/".join(parts) if parts else ROOT


def parent_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ROOT


# ----------------------------------------------------------------------- geometry
@dataclass(frozen=True)
class Geometry:
    """What newfs would have made of a device of ``size_blocks`` sectors (newfs.c, mkfs.c):
    fragment size, inodes, cylinder groups, data fragments, minfree."""

    size_blocks: int
    fsize: int
    ninodes: int
    ncg: int
    dsize: int           # data fragments (fs_dsize)
    minfree: int         # percent

    @classmethod
    def for_device(cls, size_blocks: int, min_inodes: int = 0) -> Geometry:
        """The geometry of a device of ``size_blocks`` sectors holding at least
        ``min_inodes`` inodes (a frozen value: the same arguments share one, kept for the
        few sizes a host has, as each file system made, mounted or checked asks)."""
        return _geometry(size_blocks, min_inodes)


@functools.lru_cache(maxsize=256, typed=True)
def _geometry(size_blocks: int, min_inodes: int) -> Geometry:
    """:meth:`Geometry.for_device`, worked out."""
    size_bytes = size_blocks * 512
    mtb = size_blocks >= SECTORS_PER_TB
    fsize = BSIZE if mtb else 1024
    if mtb:
        nbpi = 1 << 20
    elif size_bytes <= 1 << 30:
        nbpi = 2048
    elif size_bytes < 2 << 30:
        nbpi = 4096
    elif size_bytes < 3 << 30:
        nbpi = 6144
    else:
        nbpi = 8192
    cg_bytes = 48 << 20                        # 16 cylinders of 48 MB per group
    ncg = max(1, -(-size_bytes // cg_bytes))
    ninodes = max(size_bytes // nbpi, min_inodes + 64, 64)
    ipg = -(-ninodes // ncg)
    inopb = BSIZE // 128
    ipg = -(-ipg // inopb) * inopb
    ninodes = ipg * ncg
    total_frags = size_bytes // fsize
    per_cg_meta = (BSIZE * 3) // fsize          # superblock copy, cg block, boot area
    inode_frags = ninodes * 128 // fsize
    csum = -(-(ncg * 16) // fsize)
    dsize = max(1, total_frags - ncg * per_cg_meta - inode_frags - csum)
    minfree = max(1, min(10, (64 << 20) * 100 // max(1, size_bytes)))
    return Geometry(size_blocks, fsize, ninodes, ncg, dsize, minfree)


# ----------------------------------------------------------------------- base tree
SUBDIRS = ("Documents", "letters", "projects", "reports")
EXTS = ("txt", "doc", "pdf", "xls", "csv", "c", "h", "html", "log", "tar", "ps", "sh")
YEAR = 365 * 86400


Vocabulary = tuple[tuple[str, ...], tuple[str, ...]]
_VOCAB: dict[tuple[int, int], Vocabulary] = {}


def _vocabulary(seed: int, nusers: int) -> Vocabulary:
    """Words and user names for one seed, drawn from Faker once (then reused).

    A saved host carries the vocabularies it uses (:func:`remember_vocabulary`), so that
    loading it in a new process (``svmsim exec``) never has to import Faker; and a fresh
    process finds the ones drawn before in the user's cache (:func:`_cache_file`), since
    importing Faker and drawing cost ~0.15 s of every ``svmsim run``.
    """
    key = (seed, nusers)
    if key not in _VOCAB:
        _VOCAB[key] = _cached_vocabulary(seed, nusers) or _draw_vocabulary(seed, nusers)
    return _VOCAB[key]


def _cache_root() -> Path | None:
    """svmsim's cache directory: ``$SVMSIM_CACHE`` (``off``: none), else
    ``$XDG_CACHE_HOME/svmsim`` or ``~/.cache/svmsim``."""
    import os
    root = os.environ.get("SVMSIM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "svmsim")
    return None if root == "off" else Path(root)


def _trim(directory: Path, keep: int) -> None:
    """Remove all but the ``keep`` most recently used cache files of ``directory`` (a read
    touches its file), so that the many trees a test suite or a campaign of seeds makes do
    not fill the cache directory; a file another process removed first is no matter."""
    import os
    try:
        with os.scandir(directory) as it:
            files = [(e.stat().st_mtime, e.path) for e in it
                     if e.is_file() and not e.name.startswith(".")]
    except OSError:
        return
    for _, name in sorted(files, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _keep_json(path: Path, data: Any) -> None:
    """Write a cache file atomically (a temporary file renamed); a cache that cannot be
    written (a read-only home) is simply not kept."""
    import os
    import tempfile
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except OSError:
        pass


def _cache_file(seed: int, nusers: int) -> Path | None:
    """Where a drawn vocabulary is kept (:func:`_cache_root`), per Faker version (another
    version may draw other words)."""
    root = _cache_root()
    if root is None:
        return None
    faker = _faker_version()
    if faker is None:
        return None
    return root / f"vocabulary-faker-{faker}" / f"{seed}-{nusers}.json"


def _faker_version() -> str | None:
    """``importlib.metadata.version("faker")`` (None: not installed): read from the name
    of the one ``faker-VERSION.dist-info`` directory beside the package, as installers
    name it, without importing importlib.metadata (~20 ms of every process that draws a
    tree); asked of importlib.metadata where that directory is not found exactly once."""
    import importlib.util
    import os
    try:
        spec = importlib.util.find_spec("faker")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        site = os.path.dirname(os.path.dirname(spec.origin))
        try:
            names = os.listdir(site)
        except OSError:
            names = []
        found = [n[:-len(".dist-info")].partition("-")[2] for n in names
                 if n.endswith(".dist-info") and n.partition("-")[0].lower() == "faker"]
        if len(found) == 1 and found[0]:
            return found[0]
    try:
        from importlib.metadata import version
        return version("faker")
    except Exception:
        return None


def _cached_vocabulary(seed: int, nusers: int) -> Vocabulary | None:
    path = _cache_file(seed, nusers)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        words, users = data["words"], data["users"]
        if all(isinstance(w, str) for w in words + users) and len(users) == nusers:
            return tuple(words), tuple(users)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _keep_vocabulary(seed: int, nusers: int, vocab: Vocabulary) -> None:
    path = _cache_file(seed, nusers)
    if path is not None:
        _keep_json(path, {"words": list(vocab[0]), "users": list(vocab[1])})


def known_vocabulary(seed: int, nusers: int) -> Vocabulary | None:
    return _VOCAB.get((seed, nusers))


def remember_vocabulary(seed: int, nusers: int, words: list[str], users: list[str]) -> None:
    _VOCAB.setdefault((seed, nusers), (tuple(words), tuple(users)))


def _draw_vocabulary(seed: int, nusers: int) -> Vocabulary:
    from faker import Faker
    fake = Faker("en_US")
    fake.seed_instance(seed)
    words = sorted({w.lower() for w in fake.words(nb=400)
                    if w.isalpha() and 2 < len(w) < 12})
    users: list[str] = []
    seen: set[str] = set()
    while len(users) < nusers:
        name = fake.user_name().lower().replace(".", "")[:8]
        if name and name not in seen and name[0].isalpha() and name.isalnum():
            seen.add(name)
            users.append(name)
    vocab = tuple(words), tuple(sorted(users))
    _keep_vocabulary(seed, nusers, vocab)
    return vocab


DOC_CACHE_LIMIT = 100_000   # trees with more documents regenerate them (memory stays flat)
GET_CACHE_LIMIT = 50_000    # base entries looked up by path and remembered, at most


class BaseTree:
    """The file system as it was when the scenario starts, generated on demand.

    Layout (inode numbers are dense, in this order): ``.`` 2, ``lost+found`` 3, ``db`` 4,
    ``db/appdb.dbf`` 5, ``home`` 6, ``var`` 7, ``var/mail`` 8, then for each user its home and
    four subdirectories, then the users' mail spools, then the documents spread evenly over
    the users' subdirectories (about 30 % of the data in the database file, 10 % in the mail
    spools, the rest in documents).
    """

    def __init__(self, seed: int, files: int, data_blocks: int, created: float) -> None:
        self.seed = seed
        self.data_blocks = data_blocks
        self.files = max(0, files)
        self.created = created
        data = max(0, data_blocks) * 512 or self.files * 24 * 1024
        self.nusers = 0 if self.files < 2 else max(1, min(500, self.files // 400 + 1))
        self.nmail = min(self.nusers, max(0, self.files - 1))
        self.ndocs = max(0, self.files - 1 - self.nmail)
        self.db_size = 0 if self.files == 0 else int(data * (0.3 if self.ndocs else 0.75))
        mail_total = data * 0.1 if self.ndocs else data - self.db_size
        self.mail_mean = int(mail_total / self.nmail) if self.nmail else 0
        self.doc_mean = int(data * 0.6 / self.ndocs) if self.ndocs else 0
        self.ndirs = self.nusers * len(SUBDIRS)
        self.per_dir = -(-self.ndocs // self.ndirs) if self.ndirs else 0
        self.ino_users = 9
        self.ino_mail = self.ino_users + self.nusers * (1 + len(SUBDIRS))
        self.ino_docs = self.ino_mail + self.nmail
        self.max_ino = self.ino_docs + self.ndocs - 1
        self._frags: dict[int, int] = {}
        self._hash: int | None = None
        self._docs: dict[int, FileEntry] = {}
        self._got: dict[str, FileEntry | None] = {}
        self._doc_table_kept = False
        self._tabled = _DOC_TABLE_MIN <= self.ndocs <= _DOC_TABLE_MAX
        self._seed_mix = mix64(0x1234567 ^ (seed & _M64))    # rnd(seed, ...)'s first step

    def _rnd(self, i: int, purpose: int) -> int:
        """``rnd(self.seed, i, purpose)`` with the seed's step done once per tree."""
        return mix64(mix64(self._seed_mix ^ (i & _M64)) ^ (purpose & _M64))

    # Faker is only loaded when a name is first needed: loading a saved host for one
    # `svmsim exec -- metastat` must not pay for it.
    @functools.cached_property
    def _vocab(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return _vocabulary(self.seed, self.nusers)

    @property
    def words(self) -> tuple[str, ...]:
        return self._vocab[0]

    @property
    def users(self) -> tuple[str, ...]:
        return self._vocab[1]

    @functools.cached_property
    def user_index(self) -> dict[str, int]:
        return {u: i for i, u in enumerate(self.users)}

    # ------------------------------------------------------------- single entries
    def _time(self, ino: int) -> float:
        return float(int(self.created - 60 - self._rnd(ino, 7) % (2 * YEAR)))

    def _dir(self, path: str, ino: int, uid: int = 0, gid: int = 0, mode: int = 0o755,
             nent: int = 2) -> FileEntry:
        size = max(DIRBLKSIZ, -(-(nent * 24) // DIRBLKSIZ) * DIRBLKSIZ)
        if path == "lost+found":
            size = LOSTFOUND_SIZE
        t = self.created if path in (ROOT, "lost+found") else self._time(ino)
        return FileEntry(path, ino, "d", size, t, t, uid, gid, S_IFDIR | mode, "")

    def _file(self, path: str, ino: int, size: int, uid: int, gid: int, mode: int) -> FileEntry:
        t = self._time(ino)
        return FileEntry(path, ino, "f", size, t, t, uid, gid, S_IFREG | mode,
                         content_digest(self.seed, ino, 0))

    def uid_of(self, user: int) -> int:
        return 1001 + user

    def _user_dir(self, u: int) -> FileEntry:
        return self._dir(f"home/{self.users[u]}", self.ino_users + u * (1 + len(SUBDIRS)),
                         self.uid_of(u), 10, 0o755, 2 + len(SUBDIRS))

    def _sub_dir(self, u: int, s: int) -> FileEntry:
        k = u * len(SUBDIRS) + s
        n = max(0, min(self.per_dir, self.ndocs - k * self.per_dir))
        return self._dir(f"home/{self.users[u]}/{SUBDIRS[s]}",
                         self.ino_users + u * (1 + len(SUBDIRS)) + 1 + s,
                         self.uid_of(u), 10, 0o755, 2 + n)

    def _mail(self, u: int) -> FileEntry:
        return self._file(f"var/mail/{self.users[u]}", self.ino_mail + u,
                          self.mail_size(u), self.uid_of(u), 6, 0o660)

    def doc_name(self, j: int, local: int) -> str:
        return self._doc_name(self._rnd(j, 5), local)

    def _doc_name(self, r: int, local: int) -> str:
        """A document's name from its draw ``rnd(seed, j, 5)``."""
        w = self.words
        return f"{w[r % len(w)]}_{w[(r >> 16) % len(w)]}_{local}.{EXTS[(r >> 32) % len(EXTS)]}"

    def doc_size(self, j: int) -> int:
        return _doc_size(self._rnd(j, 11), self.doc_mean)

    def mail_size(self, u: int) -> int:
        return int(self.mail_mean * 2 * (self._rnd(u, 3) % 1000) / 1000)

    def _doc(self, j: int) -> FileEntry:
        """Document ``j``; remembered for trees small enough (entries are immutable)."""
        entry = self._docs.get(j)
        return entry if entry is not None else self._make_docs(j, j + 1)[0]

    def _make_docs(self, lo: int, hi: int) -> list[FileEntry]:
        """Documents ``lo``..``hi - 1`` of one directory, those not remembered made -- from
        the tree's kept document table when there is one (:attr:`_doc_table`), else drawn
        (:meth:`_draw_doc`) -- and remembered when the tree has at most
        :data:`DOC_CACHE_LIMIT` documents."""
        docs = self._docs
        keep = self.ndocs <= DOC_CACHE_LIMIT
        table = self._doc_table if self._tabled else None
        if table is None:
            made = [docs.get(j) or self._draw_doc(j) for j in range(lo, hi)]
        else:
            paths, sizes, mtimes, digests = table
            uid = self.uid_of(lo // self.per_dir // len(SUBDIRS))
            ino, mode = self.ino_docs, S_IFREG | 0o644
            made = [docs.get(j) or FileEntry(paths[j], ino + j, "f", sizes[j], float(mtimes[j]),
                                             float(mtimes[j]), uid, 10, mode, digests[j])
                    for j in range(lo, hi)]      # a kept mtime is a whole second (_time)
        if keep:
            docs.update(zip(range(lo, hi), made, strict=True))
        return made

    def _draw_doc(self, j: int) -> FileEntry:
        """:meth:`doc_name` and :meth:`doc_size` draw ``rnd(seed, j, 5)`` and ``rnd(seed, j,
        11)``, whose first two mixing steps are the same: done once here (a dump of a tree
        makes every document, a workload thousands)."""
        k, local = divmod(j, self.per_dir)
        u, s = divmod(k, len(SUBDIRS))
        h = mix64(self._seed_mix ^ (j & _M64))
        path = f"home/{self.users[u]}/{SUBDIRS[s]}/{self._doc_name(mix64(h ^ 5), local)}"
        return self._file(path, self.ino_docs + j, _doc_size(mix64(h ^ 11), self.doc_mean),
                          self.uid_of(u), 10, 0o644)

    # A tree's documents are a pure function of its parameters and vocabulary, and drawing
    # one costs ~8 us (five 64-bit mixes, a blake2b digest): a dump or a sampled workload of
    # a tree of thousands of documents makes them all, in every process. The first process
    # to make them all (entries(), by_inode()) keeps them in the cache directory, as the
    # fragment count is kept (_counter_file), and later processes read them back (~2 us
    # each). A table never changes and needs no invalidation: a tree is immutable, and the
    # file's name holds every parameter of the tree, its vocabulary and the generator's code
    # (_doc_table_file); the checks below catch a damaged table.
    @functools.cached_property
    def _doc_table(self) -> tuple[list[str], list[int], list[int], list[str]] | None:
        """The kept documents as columns: paths, sizes, mtimes, digests (columns, not a row
        a document: thousands of small lists would be thousands of objects for the garbage
        collector to track). None: none kept, or a table that does not hold every document
        with the right types, or that disagrees with a document drawn afresh at
        :data:`_DOC_TABLE_CHECKS` places."""
        path = self._doc_table_file()
        if path is None:
            return None
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            table = (kept["paths"], kept["sizes"], kept["mtimes"], kept["digests"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        n = self.ndocs
        if not all(type(c) is list and len(c) == n and set(map(type, c)) <= {t}
                   for c, t in zip(table, (str, int, int, str), strict=True)):
            return None
        step = max(1, n // _DOC_TABLE_CHECKS)
        for j in [*range(0, n, step), n - 1]:
            e = self._draw_doc(j)
            if [e.path, e.size, int(e.mtime), e.digest] != [c[j] for c in table]:
                return None
        import os
        with contextlib.suppress(OSError):
            os.utime(path)      # used now: the last to go when tables are trimmed
        return table

    def _doc_table_file(self) -> Path | None:
        """Where the tree's documents are kept: the name holds every parameter of the tree,
        a digest of its vocabulary and one of this module's source (the generator), so a
        table is only ever read by the code, and for the words, that drew it."""
        root = _cache_root()
        code = _source_digest()
        if root is None or code is None:
            return None
        vocab = hashlib.blake2b(repr(self._vocab).encode(), digest_size=8).hexdigest()
        return root / f"ufs-docs-{_DOC_TABLE_VERSION}" / (
            f"{self.seed}-{self.files}-{self.data_blocks}-{self.created!r}-{code}-{vocab}.json")

    def _keep_doc_table(self) -> None:
        """Keep the documents once every one is made (:attr:`_doc_table`), unless a good
        table was read or this tree already kept one."""
        if self._doc_table is not None or self._doc_table_kept or \
                len(self._docs) != self.ndocs:
            return
        self._doc_table_kept = True
        path = self._doc_table_file()
        if path is not None:
            docs = [self._docs[j] for j in range(self.ndocs)]
            _keep_json(path, {"paths": [e.path for e in docs], "sizes": [e.size for e in docs],
                              "mtimes": [int(e.mtime) for e in docs],
                              "digests": [e.digest for e in docs]})
            _trim(path.parent, _DOC_TABLES_KEPT)

    def get(self, path: str) -> FileEntry | None:
        """The entry at ``path`` (normalized), or None; O(1), nothing is listed. Entries are
        immutable: the ones looked up are remembered (at most :data:`GET_CACHE_LIMIT`), as a
        workload looks up the same files and directories again and again."""
        memo = self._got
        if path in memo:
            return memo[path]
        entry = self._get(path)
        if len(memo) < GET_CACHE_LIMIT:
            memo[path] = entry
        return entry

    def remember(self, entry: FileEntry) -> None:
        """Keep ``entry``, made by index, for :meth:`get` by its path."""
        memo = self._got
        if len(memo) < GET_CACHE_LIMIT:
            memo[entry.path] = entry

    def _get(self, path: str) -> FileEntry | None:
        if path == ROOT:
            top = 2 + (1 if self.files else 0) + (2 if self.nusers else 0)
            return self._dir(ROOT, 2, nent=top + 2)
        if path == "lost+found":
            return self._dir("lost+found", 3, mode=0o700)
        if not self.files:
            return None
        parts = path.split("/")
        if parts[0] == "db":
            if len(parts) == 1:
                return self._dir("db", 4, nent=3)
            if len(parts) == 2 and parts[1] == "appdb.dbf":
                return self._file("db/appdb.dbf", 5, self.db_size, 0, 0, 0o600)
            return None
        if not self.nusers:
            return None
        if parts[0] == "home":
            if len(parts) == 1:
                return self._dir("home", 6, nent=2 + self.nusers)
            u = self.user_index.get(parts[1], -1)
            if u < 0:
                return None
            if len(parts) == 2:
                return self._user_dir(u)
            if parts[2] not in SUBDIRS:
                return None
            s = SUBDIRS.index(parts[2])
            if len(parts) == 3:
                return self._sub_dir(u, s)
            if len(parts) != 4 or not self.per_dir:
                return None
            stem = parts[3].rsplit(".", 1)[0]
            num = stem.rsplit("_", 1)[-1]
            if not num.isdigit():
                return None
            j = (u * len(SUBDIRS) + s) * self.per_dir + int(num)
            if int(num) >= self.per_dir or j >= self.ndocs:
                return None
            e = self._doc(j)
            return e if e.path == path else None
        if parts[0] == "var":
            if len(parts) == 1:
                return self._dir("var", 7, nent=3)
            if parts[1] != "mail":
                return None
            if len(parts) == 2:
                return self._dir("var/mail", 8, 0, 6, 0o1777, 2 + self.nmail)
            u = self.user_index.get(parts[2], -1)
            if len(parts) == 3 and 0 <= u < self.nmail:
                return self._mail(u)
        return None

    # ------------------------------------------------------------- iteration
    def entries(self) -> Iterator[FileEntry]:
        """Every entry in :func:`sort_key` order (directories before their content)."""
        root = self.get(ROOT)
        assert root is not None
        yield root
        if self.files:
            yield self._dir("db", 4, nent=3)
            yield self._file("db/appdb.dbf", 5, self.db_size, 0, 0, 0o600)
        if self.nusers:
            yield self._dir("home", 6, nent=2 + self.nusers)
            for u in range(self.nusers):
                yield self._user_dir(u)
                for s in sorted(range(len(SUBDIRS)), key=lambda i: SUBDIRS[i]):
                    yield self._sub_dir(u, s)
                    k = u * len(SUBDIRS) + s
                    docs = self._make_docs(k * self.per_dir,
                                           min((k + 1) * self.per_dir, self.ndocs))
                    docs.sort(key=lambda e: e.path)
                    yield from docs
            if self._tabled:
                self._keep_doc_table()
        yield self._dir("lost+found", 3, mode=0o700)
        if self.nusers:
            yield self._dir("var", 7, nent=3)
            yield self._dir("var/mail", 8, 0, 6, 0o1777, 2 + self.nmail)
            for u in range(self.nmail):
                yield self._mail(u)

    def _first_entries(self) -> Iterator[FileEntry]:
        """The entries of inodes 2 to 8, in inode order: ``/``, ``lost+found``, the database
        directory and file, and with users ``home``, ``var`` and ``var/mail``."""
        root = self.get(ROOT)
        assert root is not None
        yield root
        yield self._dir("lost+found", 3, mode=0o700)
        if self.files:
            yield self._dir("db", 4, nent=3)
            yield self._file("db/appdb.dbf", 5, self.db_size, 0, 0, 0o600)
        if self.nusers:
            yield self._dir("home", 6, nent=2 + self.nusers)
            yield self._dir("var", 7, nent=3)
            yield self._dir("var/mail", 8, 0, 6, 0o1777, 2 + self.nmail)

    def by_inode(self) -> Iterator[FileEntry]:
        """Every entry in inode order (the layout in the class doc), without sorting:
        what a dump's passes walk (:mod:`simulator.backup.backups`)."""
        yield from self._first_entries()
        if self.nusers:
            for u in range(self.nusers):
                yield self._user_dir(u)
                for s in range(len(SUBDIRS)):
                    yield self._sub_dir(u, s)
            for u in range(self.nmail):
                yield self._mail(u)
            for k in range(self.ndirs):
                yield from self._make_docs(k * self.per_dir,
                                           min((k + 1) * self.per_dir, self.ndocs))
            if self._tabled:
                self._keep_doc_table()

    def dirs(self) -> list[str]:
        """The directories a workload may create files in (users' subdirectories)."""
        return [f"home/{u}/{s}" for u in self.users for s in SUBDIRS]

    def random_file(self, r: int) -> str | None:
        """A file of the base tree picked by the 64-bit number ``r``: its class by ``r % 100``
        against the classes' percents (:meth:`pick_classes`), the file by ``r >> 8``."""
        pick = r % 100
        for percent, count, entry in self.pick_classes():
            if pick < percent:
                return entry((r >> 8) % count).path
            pick -= percent
        return None

    def pick_classes(self) -> list[tuple[int, int, Callable[[int], FileEntry]]]:
        """How the workload picks the files it writes (:meth:`random_file`): (percent of the
        picks, number of files, the file of each index) for the database file 2 %, the mail
        spools 10 % and the documents 88 % (a class the tree lacks gives its percent to the
        database file, or without documents to the spools), the files of a class equally
        likely. A sampled workload (workload.py) draws from these what :meth:`random_file`
        would have picked, write by write."""
        return self._classes

    @functools.cached_property
    def _classes(self) -> list[tuple[int, int, Callable[[int], FileEntry]]]:
        if not self.files:
            return []

        def db(_i: int) -> FileEntry:
            return self._file("db/appdb.dbf", 5, self.db_size, 0, 0, 0o600)

        if not self.nusers:
            return [(100, 1, db)]
        if not self.nmail:
            return [(100, 1, db)] if not self.ndocs else [(12, 1, db), (88, self.ndocs, self._doc)]
        if not self.ndocs:
            return [(2, 1, db), (98, self.nmail, self._mail)]
        return [(2, 1, db), (10, self.nmail, self._mail), (88, self.ndocs, self._doc)]

    def frag_total(self, fsize: int) -> int:
        """Fragments the whole base tree occupies (what df and fsck count), cached.

        Computed from the sizes alone, without building an entry: the directories, the
        database file and the mail spools one by one (a few thousand at most), the documents'
        sizes (:meth:`doc_size`) all at once with numpy, whose uint64 arithmetic wraps as
        :func:`mix64` masks, so a 1,000,000-file tree costs milliseconds instead of a pass of
        seconds. Equal to ``sum(e.frags(fsize) for e in self.entries())`` (tested)."""
        cached = self._frags.get(fsize)
        if cached is not None:
            return cached
        kept = self._counter_file(fsize) if self.ndocs >= _SMALL_DOCS else None
        frags = _read_counter(kept) if kept is not None else None
        if frags is None:
            frags = 0
            for e in self._small_entries():
                frags += e.frags(fsize)
            if self.ndocs:
                frags += _doc_frags(self.seed, self.ndocs, self.doc_mean, fsize)
            if kept is not None:
                _keep_json(kept, {"frags": frags})
        self._frags[fsize] = frags
        return frags

    def _counter_file(self, fsize: int) -> Path | None:
        """Where a big tree's fragment count is kept, as a real superblock keeps its summary
        (fs_cstotal, uts/common/sys/fs/ufs_fs.h; ufs_statvfs reads it without a walk):
        counted once and read by df or fsck of the same tree in any later process.

        A base tree is a pure function of its parameters; the name holds them all, plus
        the fragments of its first :data:`_COUNTER_SAMPLE` entries and documents counted
        now, so a generator that draws other sizes or another layout names another file
        and a kept count is never read for a tree it was not counted on."""
        root = _cache_root()
        if root is None:
            return None
        sample = sum(e.frags(fsize) for e in
                     itertools.islice(self._small_entries(), _COUNTER_SAMPLE))
        sample = sample * 1_000_003 + _doc_frags_py(self.seed, 0, _COUNTER_SAMPLE,
                                                    self.doc_mean, fsize)
        return root / "ufs-counters" / (f"{self.seed}-{self.files}-{self.data_blocks}-"
                                        f"{fsize}-{sample}.json")

    def _small_entries(self) -> Iterator[FileEntry]:
        """Every entry but the documents (their count is bounded by the users')."""
        yield from self._first_entries()
        if self.nusers:
            for u in range(self.nusers):
                yield self._dir("", 0, nent=2 + len(SUBDIRS))          # its home
                for sub in range(len(SUBDIRS)):
                    k = u * len(SUBDIRS) + sub
                    n = max(0, min(self.per_dir, self.ndocs - k * self.per_dir))
                    yield self._dir("", 0, nent=2 + n)
            for u in range(self.nmail):
                yield FileEntry("", 0, "f", self.mail_size(u), 0.0, 0.0, 0, 0, 0, "")

    def hash_total(self) -> int:
        """The digest sum over the whole base tree (:func:`entry_hash` of every entry): one
        pass that builds every entry, cached; only a whole-image digest needs it."""
        if self._hash is None:
            total = 0
            for e in self.entries():
                total += entry_hash(e)
            self._hash = total % _SUM_MOD
        return self._hash

    def stats(self, fsize: int) -> tuple[int, int, int]:
        """(inodes, fragments, digest sum) over the whole base tree."""
        return self.count(), self.frag_total(fsize), self.hash_total()

    def count(self) -> int:
        """Inodes in use (known without a pass)."""
        return 2 + (2 if self.files else 0) + (
            3 + self.nusers * (1 + len(SUBDIRS)) + self.nmail + self.ndocs
            if self.nusers else 0)


_SMALL_DOCS = 20_000      # fewer documents than this are counted without numpy
# Trees with this many documents keep them (BaseTree._doc_table): drawing the seed's ~2,000
# costs ~16 ms in every process, reading them back ~5 ms; below a thousand the file's own
# costs (open, parse, the checks' draws) leave little to gain ...
_DOC_TABLE_MIN = 1_024
_DOC_TABLE_MAX = 20_000   # ... up to this many (the table is ~80 bytes a document)
_DOC_TABLES_KEPT = 32     # tables kept at most (the least recently used go first: _trim)
_DOC_TABLE_CHECKS = 8     # documents drawn afresh to check a kept table
_DOC_TABLE_VERSION = 1    # the table's layout
_COUNTER_SAMPLE = 64      # documents drawn to key a kept counter (see _doc_frags)


@functools.cache
def _source_digest() -> str | None:
    """A digest of this module's source (None: not readable, then nothing is kept)."""
    try:
        return hashlib.blake2b(Path(__file__).read_bytes(), digest_size=8).hexdigest()
    except OSError:
        return None


def _doc_size(r: int, doc_mean: int) -> int:
    """A document's size from its draw ``rnd(seed, j, 11)`` (:func:`_doc_frags_chunk` is
    the same for numpy arrays)."""
    return 0 if r % 50 == 0 else int(doc_mean * 2 * ((r >> 8) % 10000) / 10000)


def _doc_frags_py(seed: int, lo: int, hi: int, doc_mean: int, fsize: int) -> int:
    """Fragments of documents lo..hi-1, one by one (:meth:`BaseTree.doc_size`)."""
    total = 0
    for j in range(lo, hi):
        total += entry_frags("f", _doc_size(rnd(seed, j, 11), doc_mean), 0, fsize)
    return total


def _doc_frags(seed: int, ndocs: int, doc_mean: int, fsize: int) -> int:
    """Fragments of documents 0..ndocs-1 (:meth:`BaseTree.doc_size`, :func:`entry_frags`)."""
    if ndocs < _SMALL_DOCS:
        return _doc_frags_py(seed, 0, ndocs, doc_mean, fsize)
    import numpy as np  # only for big trees: its import costs ~0.1 s
    return sum(_doc_frags_chunk(np, seed, lo, min(ndocs, lo + _CHUNK), doc_mean, fsize)
               for lo in range(0, ndocs, _CHUNK))


def _read_counter(path: Path) -> int | None:
    """A kept count (:meth:`BaseTree._counter_file`); None when missing or damaged."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))["frags"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return kept if isinstance(kept, int) and not isinstance(kept, bool) and kept >= 0 \
        else None


_CHUNK = 1 << 16                     # documents per numpy pass (memory stays flat)


def _doc_frags_chunk(np: Any, seed: int, lo: int, hi: int, doc_mean: int, fsize: int) -> int:
    m64 = np.uint64

    def mix(x: Any) -> Any:
        x = x + m64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> m64(30))) * m64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> m64(27))) * m64(0x94D049BB133111EB)
        return x ^ (x >> m64(31))
    with np.errstate(over="ignore"):
        h = mix(np.full(hi - lo, 0x1234567 ^ (seed & _M64), dtype=np.uint64))
        h = mix(h ^ np.arange(lo, hi, dtype=np.uint64))
        r = mix(h ^ m64(11))
    k = ((r >> m64(8)) % m64(10000)).astype(np.int64)
    size = ((doc_mean * 2) * k / 10000).astype(np.int64)
    size[(r % m64(50)) == 0] = 0
    frag = BSIZE // fsize
    blocks = -(-size // BSIZE)
    direct = size[(blocks > 0) & (blocks <= NDADDR)]
    dblocks = blocks[(blocks > 0) & (blocks <= NDADDR)]
    total = int(((dblocks - 1) * frag + -(-(direct - (dblocks - 1) * BSIZE) // fsize)).sum())
    big = blocks[blocks > NDADDR]
    extra = big - NDADDR
    indirect = 1 + np.where(extra <= NINDIR, 0, 1 + -(-(extra - NINDIR) // NINDIR))
    return total + int(((big + indirect) * frag).sum())


_BASES: dict[tuple[int, int, int, float], BaseTree] = {}


def base_tree(seed: int, files: int, data_blocks: int, created: float) -> BaseTree:
    """Shared base trees: images of the same file system share one generator and its stats."""
    key = (seed, files, data_blocks, created)
    tree = _BASES.get(key)
    if tree is None:
        if len(_BASES) > 64:
            _BASES.clear()
        tree = _BASES[key] = BaseTree(seed, files, data_blocks, created)
    return tree


# ----------------------------------------------------------------------- images
class Stretch(Protocol):
    """Changes an image holds without having made them yet: a sampled stretch's writes to
    existing files (simulator.ufs.workload), each file's end state drawn when it is looked
    up. Every answer is fixed when the stretch is made (a pure function of the path), and a
    stretch never creates or removes a file nor changes its kind."""

    def entry(self, path: str) -> FileEntry | None:
        """What ``path`` is after the stretch; None when the stretch leaves it alone."""
        ...

    def paths(self) -> Iterable[str]:
        """Every path the stretch writes, in the order it wrote them first (the places they
        take in the overlay; one it leaves to a later change may be among them)."""
        ...

    def items(self) -> Iterator[tuple[str, FileEntry]]:
        """Every (path, entry) :meth:`entry` answers, in the order of :meth:`paths`."""
        ...


class _Unmade:
    """What the overlay holds for a path a pending stretch changes and nothing changed
    before: its place, taken when the stretch is put in, as putting its entries would have
    (the overlay's order is the saved host's)."""

    def __repr__(self) -> str:
        return "UNMADE"

    def __reduce__(self) -> str:
        return "UNMADE"                 # one of it: a copied or pickled image keeps it


UNMADE: Any = _Unmade()


# stretches an image keeps unmade at most; one more makes them all (a chain of stretches
# would make each lookup walk it)
MAX_STRETCHES = 4


@dataclass
class Image:
    """A UFS image: what a device holds (or what applications see), by digest.

    ``damaged`` maps a path to what fsck will find there (``blockcount``, ``unref``,
    ``unref-zero``, ``unallocated``); ``summary_wrong`` says the cylinder-group bitmaps and
    summaries disagree with the inodes (fsck Phase 5); ``clean`` is the superblock clean flag
    (FSCLEAN/FSSTABLE, or FSLOG with a good log); ``unfixable`` forces an fsck failure
    (``bad``: exit 36; ``superblock``: exit 39).
    """

    base: BaseTree
    geometry: Geometry
    logging: bool = True
    # what changed, path -> entry or None (removed); read it through ``overlay``, which
    # makes the pending stretches first
    _overlay: dict[str, FileEntry | None] = field(default_factory=dict)
    damaged: dict[str, str] = field(default_factory=dict)
    lost: dict[str, FileEntry] = field(default_factory=dict)   # unreferenced inodes
    summary_wrong: bool = False
    clean: bool = True
    last_mounted: str = ""
    unfixable: str = ""
    next_ino: int = 0
    frozen: bool = False
    _count_delta: int = 0
    _frag_delta: int = 0
    # the overlay's effect on the digest sum, worked out when a digest is asked for (None:
    # not since the last change): hashing every entry a workload writes cost more than the
    # writes themselves, and a whole-image digest is rare
    _hash_delta: int | None = 0
    loose_frags: int = -1      # free fragments not in whole blocks (-1: derived)
    dsize_override: int = 0
    # sampled stretches put in but not made yet (:meth:`put_stretch`), oldest first, and
    # for each path made since, how many of them it was made against (its overlay entry
    # is what they left; newer ones may still change it)
    _stretches: tuple[Stretch, ...] = ()
    _made: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.next_ino:
            self.next_ino = self.base.max_ino + 1

    def __eq__(self, other: object) -> bool:
        """The same fields once the pending stretches are made in both."""
        if not isinstance(other, Image):
            return NotImplemented
        self._make_all()
        other._make_all()
        return all(getattr(self, f) == getattr(other, f) for f in _IMAGE_FIELDS)

    # ------------------------------------------------------------- pending stretches
    # A sampled hour of workload writes thousands of files; nothing needs most of them until
    # something looks (issue 17: costs follow what changed, not the size of what exists). A
    # stretch is kept whole and each file made when it is looked up or changed; counting
    # inodes needs none (a stretch creates and removes nothing); what sums sizes or lists
    # files makes them all, once.
    @property
    def overlay(self) -> dict[str, FileEntry | None]:
        """What changed against the base tree, path -> entry or None (removed)."""
        self._make_all()
        return self._overlay

    @overlay.setter
    def overlay(self, changes: dict[str, FileEntry | None]) -> None:
        self._overlay = changes
        self._stretches, self._made = (), {}

    def put_stretch(self, stretch: Stretch) -> None:
        """Take ``stretch``'s changes, made when looked at (see :class:`Stretch`)."""
        self._check_writable()
        if len(self._stretches) >= MAX_STRETCHES:
            self._make_all()
        overlay = self._overlay
        for path in stretch.paths():
            if path not in overlay:
                overlay[path] = UNMADE
        self._stretches += (stretch,)
        self._hash_delta = None

    def _pending(self, path: str) -> FileEntry | None:
        """What the stretches not made at ``path`` leave there (the newest that changes it);
        None when they leave it alone."""
        stretches = self._stretches
        for k in range(len(stretches) - 1, self._made.get(path, 0) - 1, -1):
            e = stretches[k].entry(path)
            if e is not None:
                return e
        return None

    def _make(self, path: str) -> None:
        """Make the pending stretches at ``path`` (before it changes)."""
        n = len(self._stretches)
        if self._made.get(path, 0) < n:
            e = self._pending(path)
            if e is not None:
                self._apply(((path, e),))
            self._made[path] = n

    def _make_all(self) -> None:
        """Make every pending stretch (a frozen snapshot too: what it holds is fixed)."""
        stretches, made = self._stretches, self._made
        if not stretches:
            return
        self._stretches, self._made = (), {}
        for k, stretch in enumerate(stretches):
            self._apply(stretch.items() if not made else
                        ((path, e) for path, e in stretch.items() if made.get(path, 0) <= k))
        overlay = self._overlay
        for path in [p for p, e in overlay.items() if e is UNMADE]:
            del overlay[path]                  # a place no change took (none is left so)

    def kind_of(self, path: str) -> str | None:
        """The kind of ``path`` (normal) -- ``f``, ``d``, ``l``; None when absent -- without
        making any pending stretch (none changes a kind)."""
        overlay = self._overlay
        e = overlay[path] if path in overlay else UNMADE
        if e is UNMADE:
            e = self.base.get(path)
        return None if e is None else e.kind

    # ------------------------------------------------------------- reading
    def get(self, path: str) -> FileEntry | None:
        path = norm_path(path)
        if self._stretches:
            e = self._pending(path)
            if e is not None:
                return e
        overlay = self._overlay
        if path in overlay:
            e = overlay[path]
            if e is not UNMADE:
                return e
        return self.base.get(path)

    def entries(self) -> Iterator[FileEntry]:
        """Every entry, sorted by path components (a directory before its content)."""
        changes = sorted(self.overlay.items(), key=lambda kv: sort_key(kv[0]))
        keys = [sort_key(p) for p, _ in changes]
        i = 0
        for e in self.base.entries():
            k = sort_key(e.path)
            while i < len(changes) and keys[i] < k:
                if changes[i][1] is not None:
                    yield changes[i][1]  # type: ignore[misc]
                i += 1
            if i < len(changes) and keys[i] == k:
                if changes[i][1] is not None:
                    yield changes[i][1]  # type: ignore[misc]
                i += 1
                continue
            yield e
        for _, new in changes[i:]:
            if new is not None:
                yield new

    def listdir(self, path: str) -> list[FileEntry]:
        """The entries directly inside directory ``path`` (a pass over the image)."""
        path = norm_path(path)
        depth = 0 if path == ROOT else path.count("/") + 1
        prefix = "" if path == ROOT else path + "/"
        return [e for e in self.entries() if e.path != ROOT and e.path.startswith(prefix)
                and e.path.count("/") == depth]

    def changed_since(self, t: float) -> Iterator[FileEntry]:
        """Entries whose mtime or ctime is at or after ``t`` (what an incremental dump takes).
        Base entries all predate the image's creation, so only changes need a look then."""
        if t > self.base.created:
            for p in sorted(self.overlay, key=sort_key):
                e = self.overlay[p]
                if e is not None and (e.mtime >= t or e.ctime >= t):
                    yield e
            return
        for e in self.entries():
            if e.mtime >= t or e.ctime >= t:
                yield e

    @property
    def nfiles(self) -> int:
        """Inodes in use, as fsck's summary counts them (files, directories, links)."""
        return self.base.count() + self._count_delta

    @property
    def used_frags(self) -> int:
        self._make_all()
        return self.base.frag_total(self.geometry.fsize) + self._frag_delta + self.log_frags

    @property
    def used_blocks(self) -> int:
        """1 KB units in use (what df -k and fsck count, in kilobytes)."""
        return self.used_frags * self.fsize // 1024

    @property
    def size_blocks(self) -> int:
        return self.geometry.size_blocks

    @property
    def fsize(self) -> int:
        return self.geometry.fsize

    @property
    def dsize(self) -> int:
        return self.dsize_override or self.geometry.dsize

    @property
    def log_frags(self) -> int:
        """The UFS log (1 MB per GB, at most 64 MB) is allocated from the data blocks."""
        if not self.logging or self.dsize_override:
            return 0
        geo = self.geometry
        mb = min(64, max(1, geo.size_blocks // (2 << 20)))
        return mb * (1 << 20) // geo.fsize

    def digest(self) -> str:
        """Content digest of the whole image (see :func:`digest_entries`)."""
        return _digest_text((self.base.hash_total() + self.hash_delta()) % _SUM_MOD)

    def hash_delta(self) -> int:
        """What the overlay adds to the base tree's digest sum: each changed path's entry
        hash less the one its base entry had."""
        if self._hash_delta is None:
            total = 0
            base = self.base
            for path, new in self.overlay.items():
                old = base.get(path)
                total += (entry_hash(new) if new else 0) - (entry_hash(old) if old else 0)
            self._hash_delta = total % _SUM_MOD
        return self._hash_delta

    def free_counts(self, used: int | None = None) -> tuple[int, int]:
        """(free fragments not in whole blocks, free whole blocks) as fsck reports them;
        ``used``: :attr:`used_frags`, when the caller has it already."""
        free = max(0, self.dsize - (self.used_frags if used is None else used))
        frag = BSIZE // self.fsize
        loose = self.loose_frags if self.loose_frags >= 0 else \
            (self.nfiles * 3 + _loose_draw(self.base.seed) % frag) % max(1, frag * 64)
        loose = min(loose, free) if frag > 1 else 0
        loose += (free - loose) % frag
        return loose, (free - loose) // frag

    # ------------------------------------------------------------- changing
    def _check_writable(self) -> None:
        if self.frozen:
            raise ValueError("image snapshot is read-only")

    def put(self, entry: FileEntry) -> None:
        """Create or replace an entry."""
        self._set(entry.path, entry)

    def remove(self, path: str) -> None:
        self._set(norm_path(path), None)

    def put_many(self, changes: Iterable[tuple[str, FileEntry | None]]) -> None:
        """Many (normal path, entry or None) at once: each replaces what is at its path (None
        removes it), and the counts df and fsck read follow (a sampled stretch writes
        thousands; :meth:`put` and :meth:`remove` are one of them)."""
        self._check_writable()
        if self._stretches:
            changes = list(changes)
            for path, _ in changes:
                self._make(path)
        self._apply(changes)

    def _apply(self, changes: Iterable[tuple[str, FileEntry | None]]) -> None:
        """:meth:`put_many` of paths whose pending stretches are made."""
        overlay = self._overlay
        base_get = self.base.get
        fs = self.fsize
        count = frags = 0
        changed = False
        for path, new in changes:
            base_entry = base_get(path)
            old = overlay[path] if path in overlay else base_entry
            if old is UNMADE:
                old = base_entry
            if _same(old, new):
                if overlay.get(path) is UNMADE:       # a stretch that left it as it was
                    del overlay[path]
                continue
            changed = True
            if new is None:
                count -= 1
            else:
                frags += new.frags(fs)
            if old is None:
                count += 1
            else:
                frags -= old.frags(fs)
            if _same(new, base_entry):
                overlay.pop(path, None)
            else:
                overlay[path] = new
        if changed:
            self._count_delta += count
            self._frag_delta += frags
            self._hash_delta = None

    def _set(self, path: str, new: FileEntry | None) -> None:
        self.put_many(((path, new),))

    def alloc_ino(self) -> int:
        self._check_writable()
        ino = self.next_ino
        self.next_ino += 1
        return ino

    def snapshot(self) -> Image:
        """A cheap frozen copy (only the overlay is copied)."""
        return self._duplicate(True)

    def copy(self) -> Image:
        """A writable copy."""
        return self._duplicate(False)

    def _duplicate(self, frozen: bool) -> Image:
        """``dataclasses.replace`` with fresh dicts and ``frozen`` -- every field as it is,
        the base tree, geometry and pending stretches shared -- without its generic
        field-by-field constructor call (~5 us; a file system's copies are made at each
        mount, lock, check and dump). An Image holds nothing but its fields."""
        src = self.__dict__
        new = object.__new__(self.__class__)
        d = src.copy()                   # the fields in one copy, set as the new __dict__
        d["_overlay"] = src["_overlay"].copy()      # (filling the new object's own empty
        d["damaged"] = src["damaged"].copy()        # one key by key costs ~0.2 us more)
        d["lost"] = src["lost"].copy()
        d["frozen"] = frozen
        d["_made"] = src["_made"].copy()
        new.__dict__ = d
        if not d["next_ino"]:
            new.__post_init__()
        return new

    @property
    def consistent(self) -> bool:
        return not self.damaged and not self.summary_wrong and not self.unfixable

    # ------------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        b = self.base
        self._make_all()
        return {"base": [b.seed, b.files, b.data_blocks, b.created],
                "geometry": list(self._geo_tuple()),
                "logging": self.logging,
                "overlay": [[p, e.to_list() if e else None] for p, e in self.overlay.items()],
                "damaged": self.damaged, "lost": {p: e.to_list() for p, e in self.lost.items()},
                "summary_wrong": self.summary_wrong, "clean": self.clean,
                "last_mounted": self.last_mounted, "unfixable": self.unfixable,
                "next_ino": self.next_ino, "loose_frags": self.loose_frags,
                "dsize_override": self.dsize_override,
                "deltas": [self._count_delta, self._frag_delta, self.hash_delta()]}

    def _geo_tuple(self) -> tuple[int, int, int, int, int, int]:
        g = self.geometry
        return (g.size_blocks, g.fsize, g.ninodes, g.ncg, g.dsize, g.minfree)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Image:
        seed, files, data_blocks, created = d["base"]
        base = base_tree(int(seed), int(files), int(data_blocks), float(created))
        geo = Geometry(*[int(x) for x in d["geometry"]])
        img = cls(base, geo, logging=bool(d.get("logging", True)))
        if "deltas" in d:
            # the overlay's effect on counts and digest was saved: no need to look at the
            # base tree (which would load Faker) just to load a host
            img.overlay = {p: FileEntry.from_list(e) if e is not None else None
                           for p, e in d.get("overlay", [])}
            img._count_delta, img._frag_delta, img._hash_delta = (int(x) for x in d["deltas"])
        else:
            for p, e in d.get("overlay", []):
                img._set(p, FileEntry.from_list(e) if e is not None else None)
        img.damaged = dict(d.get("damaged", {}))
        img.lost = {p: FileEntry.from_list(e) for p, e in d.get("lost", {}).items()}
        img.summary_wrong = bool(d.get("summary_wrong", False))
        img.clean = bool(d.get("clean", True))
        img.last_mounted = str(d.get("last_mounted", ""))
        img.unfixable = str(d.get("unfixable", ""))
        img.next_ino = int(d.get("next_ino", img.next_ino))
        img.loose_frags = int(d.get("loose_frags", -1))
        img.dsize_override = int(d.get("dsize_override", 0))
        return img


_IMAGE_FIELDS = tuple(f for f in Image.__dataclass_fields__ if f not in ("_stretches", "_made"))


def new_image(size_blocks: int, seed: int = 1, files: int = 0, data_blocks: int = 0,
              created: float = 0.0, logging: bool = True) -> Image:
    """A freshly made file system of ``files`` files and ``data_blocks`` blocks of data."""
    base = base_tree(seed, files, data_blocks, created)
    geo = Geometry.for_device(size_blocks, base.max_ino)
    return Image(base, geo, logging=logging)


def pct(a: int, b: int) -> float:
    return 0.0 if b <= 0 else a * 100.0 / b


__all__ = ["FileEntry", "Image", "Stretch", "Geometry", "BaseTree", "new_image", "digest_entries",
           "mix64", "drawn_digest", "entry_hash", "norm_path", "parent_of", "sort_key",
           "content_digest", "rnd", "ZERO_DIGEST", "S_IFDIR", "S_IFREG", "S_IFLNK", "pct"]
