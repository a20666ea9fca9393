"""Imports the modules that register host subsystems (see ``register_subsystem``).

Each line adds one part of the host beside the volume manager; a Host gets all of them.
"""
from . import (
    backup,  # noqa: F401
    resync_daemon,  # noqa: F401  (the metasync -r child)
    ufs,  # noqa: F401
)
