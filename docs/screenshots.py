"""Screenshots of the browser lab for docs/pages/labs.md, at the three moments of the online
backup: d3 detached (the write lock just released), d3 resyncing after its reattach, and
d1 whole again with every objective met.

    python docs/screenshots.py [OUTDIR]        (default: docs/pages/images)

It starts the lab's web server on a free local port, drives the page in headless Chromium
(Playwright, with the Debian package's browser) and writes ``lab-detached.png``,
``lab-resyncing.png`` and ``lab-okay.png``. tests/docs/test_screenshots.py runs it.
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright

from simulator.lab.web.app import Classroom, create_app

MOMENTS = {
    "lab-detached.png": ["metastat d1", "/usr/sbin/lockfs -w /home1", "metadetach d1 d3",
                         "/usr/sbin/lockfs -u /home1"],
    "lab-resyncing.png": ["/usr/sbin/fsck /dev/md/rdsk/d3",
                          "ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d3", "metattach d1 d3",
                          "sleep 600", "metastat -c d1"],
    "lab-okay.png": ["sleep 3600", "lab check"],
}


def _type(page: Page, line: str) -> None:
    page.fill("#line", line)
    page.press("#line", "Enter")
    page.wait_for_selector("body[data-ready='1']")


def main(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        raise SystemExit("screenshots.py: no chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as records:
        room = Classroom("online-backup", 0, Path(records))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(create_app(room), log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        written = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=browser_path)
                page = browser.new_page(viewport={"width": 1400, "height": 860})
                page.goto(f"http://127.0.0.1:{sock.getsockname()[1]}/")
                page.wait_for_selector("body[data-ready='1']")
                for name, lines in MOMENTS.items():
                    for line in lines:
                        _type(page, line)
                    page.screenshot(path=str(out / name))
                    written.append(out / name)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(10)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else
                     Path(__file__).resolve().parent / "pages" / "images"):
        print(path)
