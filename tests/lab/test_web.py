"""The browser lab in a real headless browser (Playwright with Debian's Chromium): the
online-backup solution typed into the page, d3 seen detached, then resyncing, then Okay in
the picture, 100 % reached; a second tab is a separate session; the instructor's page."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from simulator.lab.web.app import Classroom, create_app

uvicorn = pytest.importorskip("uvicorn")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def server(tmp_path):
    room = Classroom("online-backup", 0, tmp_path)
    app = create_app(room)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", room
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    if CHROMIUM is None:
        pytest.skip("no chromium (Debian package chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


def type_line(page, line: str) -> None:
    page.fill("#line", line)
    page.press("#line", "Enter")
    page.wait_for_selector("body[data-ready='1']")


def sub_state(page, name: str) -> str:
    return page.get_attribute(f"#sub-{name}", "data-state")


def test_the_online_backup_solution_in_the_page(server, browser):
    url, room = server
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url + "/")
    page.wait_for_selector("body[data-ready='1']")
    assert page.inner_text("#variant") == "variant 0"
    assert sub_state(page, "d3") == "Okay"
    for line in ("metastat d1", "/usr/sbin/lockfs -w /home1", "metadetach d1 d3"):
        type_line(page, line)
    assert sub_state(page, "d3") == "detached"
    assert "write-locked" in page.inner_text("#mirror-d1")
    type_line(page, "/usr/sbin/lockfs -u /home1")
    assert "write-locked" not in page.inner_text("#mirror-d1")
    for line in ("/usr/sbin/fsck /dev/md/rdsk/d3", "ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d3",
                 "metattach d1 d3", "sleep 120"):
        type_line(page, line)
    assert sub_state(page, "d3") == "Resyncing"
    assert page.get_attribute("#sub-d3 progress", "value") not in (None, "0")
    assert "DUMP IS DONE" in page.inner_text("#screen")
    type_line(page, "sleep 3600")
    assert sub_state(page, "d3") == "Okay"
    assert page.inner_text("#score") == "100 %"
    assert "held" in page.get_attribute("#objective-in-sync", "class")
    # a second tab is another trainee: its own session, variant, host and score
    other = browser.new_page()
    other.goto(url + "/")
    other.wait_for_selector("body[data-ready='1']")
    assert other.inner_text("#variant") == "variant 1"
    assert other.inner_text("#score") == "0 %"
    assert other.get_attribute("body", "data-session") != page.get_attribute(
        "body", "data-session")
    assert len(room.sessions) == 2
    # exit: the grade, and the record as the terminal lab saves it
    page.fill("#line", "exit")
    page.press("#line", "Enter")
    page.wait_for_selector("body[data-ended='1']")
    assert "Score: 100 %" in page.inner_text("#screen")
    first = next(ws for ws in room.sessions.values() if ws.lab.seed == 0)
    record = json.loads(Path(first.record).read_text())
    assert record["score"] == 100 and record["ended"] is True
    assert [ln["line"] for ln in record["attempts"][0]["lines"]][0] == "metastat d1"


def test_completion_history_and_a_question_in_the_page(server, browser):
    url, _ = server
    page = browser.new_page()
    page.goto(url + "/?seed=0")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#line", "metadet")
    page.press("#line", "Tab")
    page.wait_for_function("document.getElementById('line').value === 'metadetach'")
    type_line(page, "date")
    page.press("#line", "ArrowUp")
    assert page.input_value("#line") == "date"
    # format asks which disk: the page answers the command, not the shell
    page.fill("#line", "format")
    page.press("#line", "Enter")
    page.wait_for_selector("#terminal-pane.asking")
    page.fill("#line", "")
    page.press("#line", "Enter")        # an empty answer: format asks again; then end
    page.wait_for_timeout(200)


def test_the_instructors_page_needs_its_token(server):
    from starlette.testclient import TestClient
    _, room = server
    client = TestClient(create_app(room))
    assert client.get("/instructor").status_code == 403
    assert client.get("/instructor?token=wrong").status_code == 403
    with client.websocket_connect("/ws?seed=7") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["seed"] == 7
        assert ws.receive_json()["type"] == "state"
        ws.send_json({"type": "line", "text": "metastat -p"})
        out = []
        while True:
            m = ws.receive_json()
            if m["type"] == "state":
                break
            out.append(m.get("text", ""))
        assert "-m" in "".join(out)
        page = client.get(f"/instructor?token={room.token}")
        assert page.status_code == 200 and "seed" in page.text
        sessions = client.get(f"/instructor/sessions.json?token={room.token}").json()
        mine = [s for s in sessions["sessions"] if s["seed"] == 7]
        assert mine and mine[0]["lines"] == 1
        record = client.get(f"/instructor/record/{mine[0]['session']}?token={room.token}")
        assert record.json()["attempts"][0]["lines"][0]["line"] == "metastat -p"


def test_a_bad_seed_is_refused(server):
    from starlette.testclient import TestClient
    _, room = server
    with TestClient(create_app(room)).websocket_connect("/ws?seed=-3") as ws:
        assert ws.receive_json()["type"] == "error"


def test_only_the_pages_own_files_are_served(server):
    from starlette.testclient import TestClient
    _, room = server
    client = TestClient(create_app(room))
    assert client.get("/static/lab.js").status_code == 200
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/etc/passwd",
                 "/static/../../../../etc/passwd"):
        r = client.get(path)
        assert r.status_code == 404 and "root:" not in r.text
