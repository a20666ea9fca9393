"""svmsim: a simulator of Solaris Volume Manager hosts, for testing backup scripts on Linux.

``Host`` and friends are imported on first use, so that the fake-command path
(``svmsim exec``) pays only for what it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model.host import CommandResult, Host, HostHung

__all__ = ["CommandResult", "Host", "HostHung"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in __all__:
        from .model import host
        return getattr(host, name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
