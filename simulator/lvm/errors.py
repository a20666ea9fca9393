"""MDError and every libmeta message text: the one catalogue of SVM error texts.

illumos shares the error codes between kernel and userland (sys/lvm/mdio.h) and keeps their
texts in libmeta/common/meta_error.c; here code and text are one constant, defined once, below
both the md driver model (which raises) and libmeta/the programs (which print).

The model never prints. A command facade catches :class:`MDError` and formats it the way
``mde_perror`` in libmeta/meta_error.c does: ``<prog>: <host>: [<extra>: ][<name>: ]<text>``
followed by an empty line. Texts are the ones in meta_error.c (see the reference,
svm-commands.md section 0), never paraphrases; the strerror(3C) texts libmeta prints for
system errors (``No such file or directory``) come from :mod:`simulator.core.strerror`.
Hand-written: the texts must match Solaris byte for byte.
"""

from __future__ import annotations

from simulator.core.errors import Error


class MDError(Error):
    """A libmeta-style error: ``text`` about object ``name`` (a unit, hsp or ``dN: comp``)."""

    def __init__(self, text: str, name: str | None = None, extra: str | None = None,
                 exit_code: int = 1) -> None:
        super().__init__(text)
        self.text = text
        self.name = name
        self.extra = extra
        self.exit_code = exit_code

    def detail(self, host: str) -> str:
        """The part after ``<prog>: `` (without the trailing empty line)."""
        parts = [host]
        if self.extra:
            parts.append(self.extra)
        if self.name:
            parts.append(self.name)
        parts.append(self.text)
        return ": ".join(parts)


# meta_error.c message texts (exact).
UNIT_NOT_SET_UP = "unit not set up"
UNIT_ALREADY_SET_UP = "unit already set up"
INVALID_UNIT = "invalid unit"
NOT_A_MIRROR = "unit is not a mirror"
NOT_A_STRIPE = "unit is not a concat/stripe"
NOT_META = "not a metadevice"
IS_OPEN = "metadevice is open"
IN_USE = "metadevice in use"
ILLEGAL_CLEAR_SUBMIRROR = "illegal to clear submirror"
CLEAR_INVALID_SUBMIRRORS = "attempted to clear mirror with submirror(s) in invalid state"
RESYNC_ACTIVE = "resync in progress"
MAX_SUBMIRRORS = "mirror has maximum number of submirrors"
SUBMIRROR_TOO_SMALL = "submirror too small to attach"
CANT_FIND_SUBMIRROR = "can't find submirror in mirror"
LAST_SUBMIRROR = "attempt to detach last running submirror"
NO_READABLE = "operation would result in no readable submirrors"
SUBMIRROR_ERRED = "attempt an operation on a submirror that has erred components"
ILLEGAL_SM_STATE = "attempt operation on a submirror in illegal state"
LAST_RUNNING_REPLACE = "attempt to replace a component on the last running submirror"
REPLACE_MAINT_FIRST = ('component in invalid state to replace - '
                       'Replace "Maintenance" components first')
REPLACE_TOO_SMALL = "replace failure, new component is too small"
CANT_FIND_COMP = "can't find component in unit"
UNAVAILABLE = "component is in unavailable state; run 'metastat -i'"
INVALID_READ_OPTION = "invalid read option"
INVALID_WRITE_OPTION = "invalid write option"
INVALID_PASS = "invalid pass number"
INVALID_INTERLACE = "invalid interlace"
NOT_ENOUGH_STRIPES = "not enough stripes specified"
NOT_ENOUGH_COMPS = "not enough components specified"
NOT_ENOUGH_SUBMIRRORS = "not enough submirrors specified"
BAD_NAME = "Invalid name for metadevice or hot spare pool."
NAME_IN_USE = "Name already in use for metadevice or hot spare pool."
HAS_REPLICA = "has a metadevice database replica"
NO_REPLICA_ON_DEVICE = "no metadevice database replica on device"
HS_NOT_FOUND = "hotspare doesn't exist"
HS_IN_USE = "hotspare is in use"
HS_ALREADY_IN_USE = "add or replace failed, hot spare is already in use"
HSP_IN_USE = "hotspare pool in use"
INVALID_HSP = "invalid hotspare pool"
HSP_REFERENCED = "hotspare pool is referenced"
HSP_ALREADY_SETUP = "hotspare pool is already setup"
NO_HSPS = "no hotspare pools found"
HS_NOT_BROKEN = "hotspare isn't broken, can't enable"
STALE_DB = "stale databases"
NOT_ENOUGH_DB = "not enough databases"
DB_EXISTS = "metadevice database replica exists on device"
NO_DB = "there are no existing databases"
DB_LAST = "must have at least 1 database (-f overrides)"
DB_LAST_DISKSET = "cannot delete the last database replica in the diskset"
MDDB_NLB = 50   # replicas a set can hold (md_mddb.h)
TOO_MANY_REPLICAS = "%d metadevice database replicas is too many; the maximum is %d"
REPLICA_TOO_SMALL = "device size %d is too small for metadevice database replica"
DB_STALE_DELETE = ("Deleting specified valid replicas results in stale state database. "
                   "Configuration changes with stale database result in panic(-f overrides)")
NO_SUCH_SET = "no such set"
SYNTAX = "syntax error"                              # MDE_SYNTAX
ILLEGAL_OPTION = "illegal option"                    # MDE_OPTION
IS_META = "is a metadevice"                          # MDE_IS_META
GROW_DELAYED = "growing of metadevice delayed"       # MDE_GROW_DELAYED
CANT_ENABLE_SPARED = "cannot enable hotspared device"   # MDE_FIX_INVAL_STATE
UNKNOWN_TYPE = "unknown metadevice type"             # MDE_UNKNOWN_TYPE
NOT_RAID = "unit is not a RAID"                      # MDE_NOT_RAID
UNIT_NOT_FOUND = "unit not found"                    # MDE_UNIT_NOT_FOUND
SET_DIFF = "set name is inconsistent"                # MDE_SET_DIFF
HSP_BUSY = "hotspare pool is busy"                   # MDE_HSP_BUSY
SP_NOSPACE = "not enough space available for request"   # MDE_SP_NOSPACE
SP_OVERLAP = "overlapping extents specified"         # MDE_SP_OVERLAP
SP_BAD_LENGTH = "bad length specified"               # MDE_SP_BAD_LENGTH
SP_NOSP = "no soft partitions on this device"        # MDE_SP_NOSP
NOT_DRIVENAME = "not a valid drive name"             # MDE_NOT_DRIVENAME
INVALID_SLICE = "invalid slice number for drive name"   # MDE_INVALID_PART
# md_basic.h MD_EOF_TRANS_MSG (MDE_EOF_TRANS)
EOF_TRANS = ("Trans logging has been replaced by UFS Logging.\n"
             "See mount_ufs(1M). Operation failed.\n")


# meta_error.c texts that name a second object ("... of d10"), as mderror() builds them
def already(name: str, where: str) -> MDError:
    """MDE_ALREADY (meta_check.c meta_check_overlap): ``name`` is already used by ``where``."""
    return MDError(f"has appeared more than once in the specification of {where}", name=name)


def overlaps(name: str, where: str) -> MDError:
    """MDE_OVERLAP: ``name`` overlaps with a device of metadevice ``where``."""
    return MDError(f"overlaps with device in {where}", name=name)


def mounted(name: str, where: str) -> MDError:
    """MDE_IS_MOUNTED (meta_check.c meta_check_inuse): ``name`` is mounted on ``where``."""
    return MDError(f"is mounted on {where}", name=name)
