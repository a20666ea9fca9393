"""svmsim: a simulator of Solaris Volume Manager hosts, for testing backup scripts on Linux."""

from .model.host import CommandResult, Host, HostHung

__all__ = ["CommandResult", "Host", "HostHung"]
__version__ = "0.1.0"
