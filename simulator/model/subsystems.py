"""Imports the modules that register host subsystems (see ``register_subsystem``).

Each line adds one part of the host beside the volume manager; a Host gets all of them.
"""
from ..commands import metasync  # noqa: F401  (the metasync -r resync daemon)
from . import (
    backup,  # noqa: F401
    ufs,  # noqa: F401
)
