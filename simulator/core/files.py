"""How a fake command reaches real files (dump archives, md.tab copies, scripts' outputs).

The model never does I/O; a command that must write or read a real file (``ufsdump f
/var/tmp/home1.dump``, ``ufsrestore tf ...``) goes through the invocation's ``FileAccess``.
The default resolves paths against the caller's working directory on this machine; the
harness swaps in one that maps paths as the driver sees them inside its sandbox.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO


class FileAccess:
    """Real files, resolved relative to the caller's cwd."""

    def resolve(self, path: str, cwd: str) -> Path:
        return Path(path if os.path.isabs(path) else os.path.join(cwd, path))

    def open_write(self, path: str, cwd: str) -> BinaryIO:
        return open(self.resolve(path, cwd), "wb")

    def open_read(self, path: str, cwd: str) -> BinaryIO:
        return open(self.resolve(path, cwd), "rb")

    def exists(self, path: str, cwd: str) -> bool:
        return self.resolve(path, cwd).exists()
