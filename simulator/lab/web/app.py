"""``svmsim lab NAME --web``: the lab as a web page, one trainee per browser tab.

Why Starlette (with uvicorn and websockets) and the page's own line terminal, not Textual
served by textual-serve nor xterm.js: the lab shell is line-oriented -- a Solaris root
prompt where commands read whole lines, no full-screen program -- so the browser's own
``<input>`` is the editing widget (history and Tab completion come from the server, from
the terminal lab's :class:`~simulator.lab.terminal.LabCompleter`), and the page stays
plain DOM: the picture of the volumes is HTML a test (Playwright) can read and a screen
reader can speak, where textual-serve draws everything on a canvas. Starlette is a small,
well-kept ASGI toolkit; uvicorn serves it. No file of the page comes from the network.

One :class:`WebSession` per websocket: its own :class:`~simulator.lab.shell.LabShell` (the
terminal lab's: one session code, two fronts), its own variant (``--seed`` for the first
tab, then the next seeds in turn; ``?seed=N`` asks for one), its own record in the records
directory, saved as the terminal lab saves it. A line runs in a worker thread; what it prints
is streamed to the page as it is written; after every line the page gets the picture
(:mod:`simulator.lab.picture`), the objectives and the score. The instructor's page
(``/instructor?token=...``, the token printed when the server starts) lists every session
with its seed, progress and score, and links each record.

The server binds to 127.0.0.1 unless told otherwise. A trainee reaches nothing of the
machine: the shell runs only the simulated host's programs on its in-memory files, the
server serves only its own static files, and lines, answers and sessions are bounded.
"""

from __future__ import annotations

import asyncio
import html
import json
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from simulator.lab.labfile import Lab, LabError, load_lab
from simulator.lab.picture import picture
from simulator.lab.shell import EXIT, LabShell
from simulator.lab.terminal import LabCompleter
from simulator.lab.views import check_text, plain

STATIC = Path(__file__).resolve().parent / "static"
MAX_LINE = 4096                 # characters of one line a trainee sends
MAX_SESSIONS = 200              # browser tabs one server keeps
MAX_COMPLETIONS = 60


@dataclass
class WebSession:
    """One trainee: a browser tab's lab shell, its variant, its record."""

    id: str
    lab: Lab
    record: Path
    shell: LabShell | None = None
    started: float = field(default_factory=time.time)
    last: float = field(default_factory=time.time)
    lines: int = 0
    ended: bool = False
    answers: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def summary(self) -> dict[str, Any]:
        grade = self.shell.grade() if self.shell else None
        return {"session": self.id, "seed": self.lab.seed, "lab": self.lab.name,
                "started": time.strftime("%H:%M:%S", time.localtime(self.started)),
                "last": time.strftime("%H:%M:%S", time.localtime(self.last)),
                "lines": self.lines, "ended": self.ended,
                "hints": self.shell.hints_taken if self.shell else 0,
                "hung": bool(self.shell and self.shell.hung),
                "score": grade.score if grade else 0,
                "met": [r.id for r in grade.results if r.held] if grade else [],
                "record": self.record.name}


class Classroom:
    """The server's sessions, seeds and records."""

    def __init__(self, lab_name: str, first_seed: int, records: Path,
                 token: str | None = None) -> None:
        self.lab_name = lab_name
        load_lab(lab_name, first_seed)                  # a bad lab fails before serving
        self.next_seed = first_seed
        self.records = records
        self.token = token or secrets.token_urlsafe(16)
        self.sessions: dict[str, WebSession] = {}
        self.lock = threading.Lock()

    def open(self, seed: int | None) -> WebSession:
        with self.lock:
            if len(self.sessions) >= MAX_SESSIONS:
                raise LabError(f"this server keeps at most {MAX_SESSIONS} sessions")
            if seed is None:
                seed = self.next_seed
                self.next_seed += 1
            sid = f"{len(self.sessions) + 1:03d}-{secrets.token_hex(3)}"
            lab = load_lab(self.lab_name, seed)
            record = self.records / f"{lab.name}-seed{seed}-{sid}.json"
            session = WebSession(sid, lab, record)
            self.sessions[sid] = session
            return session


def _state(ws: WebSession, busy: list[str] | None = None, final: bool = True
           ) -> dict[str, Any]:
    """The picture, objectives and score; ``final``: after a line (the prompt is back),
    else while a command runs (the page redraws the picture and keeps waiting)."""
    shell = ws.shell
    assert shell is not None
    grade = shell.grade()
    held = {r.id for r in grade.results if r.held}
    return {"type": "state", "picture": picture(shell.host, shell.session, busy),
            "objectives": [{"id": r.id, "text": r.text, "points": r.points, "held": r.held,
                            "feedback": r.feedback} for r in grade.results],
            "steps": [{"title": st.title, "text": st.text.strip(),
                       "done": bool(st.objectives) and all(o in held for o in st.objectives)}
                      for st in ws.lab.spec.step],
            "score": grade.score, "hints": shell.hints_taken,
            "prompt": shell.prompt(), "hung": shell.hung, "final": final}


async def _lab_socket(websocket: WebSocket) -> None:
    room: Classroom = websocket.app.state.room
    await websocket.accept()
    wanted = websocket.query_params.get("seed")
    try:
        seed = int(wanted) if wanted not in (None, "") else None
        if seed is not None and seed < 0:
            raise ValueError
        ws = room.open(seed)
    except (ValueError, LabError) as e:
        await websocket.send_json({"type": "error", "text": f"cannot open a session: {e}"
                                   if str(e) else "the seed is a number 0 or more"})
        await websocket.close()
        return
    loop = asyncio.get_running_loop()
    outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    def post(message: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(outbox.put_nowait, message)

    def write(text: str) -> None:
        post({"type": "out", "text": text})
        shell = ws.shell
        if shell is not None and shell.running and shell.running[0].endswith("ufsdump"):
            post(_state(ws, shell.running, final=False))   # the drive shows the dump running

    def note(what: Any) -> None:
        post({"type": "note", "text": what if isinstance(what, str) else
              plain(what, width=96).rstrip("\n")})

    def ask() -> str | None:
        post({"type": "ask"})
        return ws.answers.get()

    ws.shell = LabShell(ws.lab, write=write, note=note, ask=ask, record_path=ws.record)
    ws.shell.save()
    completer = LabCompleter(ws.shell)
    await websocket.send_json({"type": "hello", "session": ws.id, "seed": ws.lab.seed,
                               "lab": ws.lab.name, "title": ws.lab.title,
                               "summary": ws.lab.spec.lab.summary.strip()})
    await websocket.send_json(_state(ws))
    running: asyncio.Task[int] | None = None

    async def sender() -> None:
        while True:
            message = await outbox.get()
            if message is None:
                return
            await websocket.send_json(message)

    async def run(line: str) -> int:
        assert ws.shell is not None
        status = await asyncio.to_thread(ws.shell.run_line, line)
        ws.last, ws.lines = time.time(), ws.lines + 1
        post(_state(ws))
        if status == EXIT:
            grade = ws.shell.finish()
            ws.ended = True
            post({"type": "end", "score": grade.score,
                  "text": plain(check_text(ws.lab, grade)).rstrip("\n"),
                  "record": ws.record.name})
        return status

    send_task = asyncio.create_task(sender())
    try:
        while not ws.ended:
            try:
                message = await websocket.receive_json()
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
            kind = message.get("type") if isinstance(message, dict) else None
            text = str(message.get("text", ""))[:MAX_LINE] if kind else ""
            if kind == "answer":
                ws.answers.put(text)
            elif kind == "line":
                if running is not None and not running.done():
                    post({"type": "note", "text": "(a command is still running)"})
                    continue
                running = asyncio.create_task(run(text))
                await asyncio.sleep(0)
                if text.strip() in ("exit", "logout"):
                    await running
            elif kind == "complete":
                with ws.shell.session.lock:
                    items = [c.text for c in completer.get_completions(
                        _document(text), None)][:MAX_COMPLETIONS]  # type: ignore[arg-type]
                post({"type": "completions", "text": text, "items": items})
    except WebSocketDisconnect:
        pass
    finally:
        ws.answers.put(None)                  # a command waiting for an answer gets EOF
        if running is not None:
            try:
                await running
            except Exception:   # noqa: BLE001 -- the tab is gone; the record is saved
                pass
        if ws.shell is not None and not ws.ended:
            ws.shell.save()
        outbox.put_nowait(None)
        try:
            await send_task
        except Exception:   # noqa: BLE001 -- the socket may be closed already
            pass
        if ws.ended:
            try:
                await websocket.close()
            except RuntimeError:
                pass


def _document(text: str) -> Any:
    from prompt_toolkit.document import Document
    return Document(text, len(text))


async def _index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html")


def _authorised(request: Request) -> bool:
    room: Classroom = request.app.state.room
    return secrets.compare_digest(request.query_params.get("token", ""), room.token)


async def _instructor(request: Request) -> Response:
    if not _authorised(request):
        return HTMLResponse("<h1>403</h1><p>The instructor's page needs the token the server "
                            "printed when it started.</p>", status_code=403)
    room: Classroom = request.app.state.room
    rows = []
    for ws in list(room.sessions.values()):
        s = await asyncio.to_thread(ws.summary)
        rows.append(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
                s["session"], s["seed"], s["started"], s["last"], s["lines"],
                f"{s['score']} %", ", ".join(s["met"]) or "-", s["hints"],
                "hung" if s["hung"] else ("ended" if s["ended"] else "active")))
            + f"<td><a href=\"/instructor/record/{html.escape(s['session'])}?token="
              f"{html.escape(room.token)}\">record</a></td></tr>")
    body = "\n".join(rows) or "<tr><td colspan=10>no session yet</td></tr>"
    lab = load_lab(room.lab_name).title
    return HTMLResponse(f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5"><title>svmsim lab: sessions</title>
<link rel="stylesheet" href="/static/lab.css"></head><body class="instructor">
<h1>{html.escape(lab)}: sessions</h1>
<table id="sessions"><thead><tr><th>session</th><th>seed</th><th>started</th><th>last</th>
<th>lines</th><th>score</th><th>objectives met</th><th>hints</th><th>state</th><th></th></tr>
</thead><tbody>{body}</tbody></table>
<p><a href="/instructor/sessions.json?token={html.escape(room.token)}">JSON</a></p>
</body></html>""")


async def _instructor_json(request: Request) -> Response:
    if not _authorised(request):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    room: Classroom = request.app.state.room
    out = [await asyncio.to_thread(ws.summary) for ws in list(room.sessions.values())]
    return JSONResponse({"lab": room.lab_name, "sessions": out})


async def _record(request: Request) -> Response:
    if not _authorised(request):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    room: Classroom = request.app.state.room
    ws = room.sessions.get(request.path_params["sid"])
    if ws is None or not ws.record.is_file():
        return JSONResponse({"error": "no such session"}, status_code=404)
    return FileResponse(ws.record, media_type="application/json")


def create_app(room: Classroom) -> Starlette:
    """The ASGI application serving ``room``."""
    app = Starlette(routes=[
        Route("/", _index),
        Route("/instructor", _instructor),
        Route("/instructor/sessions.json", _instructor_json),
        Route("/instructor/record/{sid}", _record),
        WebSocketRoute("/ws", _lab_socket),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])
    app.state.room = room
    return app
