// The browser lab's page: a line terminal over a websocket, and the picture of the host.
// The lab runs on the server (simulator/lab/web/app.py); this page only shows what it
// sends and sends the lines typed: history (up/down) and Tab completion as at a shell.
"use strict";

const screen = document.getElementById("screen");
const input = document.getElementById("line");
const promptLabel = document.getElementById("prompt");
const pane = document.getElementById("terminal-pane");
const completions = document.getElementById("completions");
const history = [];
let historyAt = 0;
let asking = false;
let prompt = "# ";
let ended = false;

const params = new URLSearchParams(location.search);
const scheme = location.protocol === "https:" ? "wss:" : "ws:";
const socket = new WebSocket(`${scheme}//${location.host}/ws` +
                             (params.get("seed") ? `?seed=${params.get("seed")}` : ""));

function show(text, cls) {
  const span = document.createElement("span");
  if (cls) span.className = cls;
  span.textContent = text;
  screen.appendChild(span);
  screen.scrollTop = screen.scrollHeight;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function stateClass(state) {
  return "state state-" + state.toLowerCase().replace(/[^a-z]+/g, "-");
}

function drawPicture(p) {
  const root = document.getElementById("picture");
  root.replaceChildren();
  document.getElementById("clock").textContent = `${p.hostname}  ${p.clock}`;
  if (p.hung) root.appendChild(el("div", "hung", `HUNG: ${p.hung}`));
  for (const m of p.mirrors) {
    const box = el("div", "mirror");
    box.id = `mirror-${m.name}`;
    const head = el("div", "head");
    head.appendChild(el("span", "name", m.name));
    head.appendChild(el("span", "kind", "mirror"));
    if (m.mount) head.appendChild(el("span", "fs", m.mount));
    if (m.lock && m.lock !== "unlock") head.appendChild(el("span", "lock", `${m.lock}-locked`));
    box.appendChild(head);
    for (const s of m.submirrors) {
      const row = el("div", "sub");
      row.id = `sub-${s.name}`;
      row.dataset.state = s.state;
      row.appendChild(el("span", "name", s.name));
      row.appendChild(el("span", stateClass(s.state), s.state));
      const right = el("span", "comps");
      if (s.state === "Resyncing" && m.resync !== null) {
        const bar = el("progress");
        bar.max = 100;
        bar.value = m.resync;
        right.appendChild(bar);
        right.appendChild(document.createTextNode(` ${m.resync} %`));
      } else {
        right.textContent = s.components.map(c => c.state === "Okay" ? c.name
                                                  : `${c.name} (${c.state})`).join(" ");
      }
      row.appendChild(right);
      box.appendChild(row);
    }
    root.appendChild(box);
  }
  for (const o of p.others) {
    const line = el("div", "other",
                    `${o.name}  ${o.kind}  ${o.components.map(c => c.name).join(" ")}`);
    line.id = `unit-${o.name}`;
    root.appendChild(line);
  }
  for (const f of p.filesystems) {
    if (f.device.startsWith("/dev/md/")) continue;
    root.appendChild(el("div", "fsline" + (f.lock !== "unlock" ? " lock" : ""),
                        `${f.mount} on ${f.device}` +
                        (f.lock !== "unlock" ? `  ${f.lock}-locked` : "")));
  }
  for (const t of p.tapes) {
    const line = el("div", "tape" + (t.busy ? " busy" : ""),
                    `tape ${t.device}: cartridge ${t.loaded ?? "-"} of ${t.cartridges}` +
                    (t.busy ? `  writing: ${t.busy}` : ""));
    line.id = `tape-${t.device.replaceAll("/", "-")}`;
    root.appendChild(line);
  }
  root.appendChild(el("div", "replicas",
                      `state database: ${p.replicas.healthy} of ${p.replicas.total} replicas healthy`));
}

function drawTask(state) {
  const objectives = document.getElementById("objectives");
  objectives.replaceChildren();
  for (const o of state.objectives) {
    const li = el("li", o.held ? "held" : "", `${o.text} (${o.points})`);
    li.id = `objective-${o.id}`;
    li.title = o.feedback;
    objectives.appendChild(li);
  }
  const steps = document.getElementById("steps");
  steps.replaceChildren();
  for (const s of state.steps) {
    const li = el("li", s.done ? "done" : "", s.title);
    li.title = s.text;
    steps.appendChild(li);
  }
  document.getElementById("score").textContent = `${state.score} %`;
}

function setPrompt(text) {
  prompt = text;
  promptLabel.textContent = asking ? "" : text;
}

socket.addEventListener("message", (event) => {
  const m = JSON.parse(event.data);
  if (m.type === "hello") {
    document.getElementById("title").textContent = m.title;
    document.getElementById("variant").textContent = `variant ${m.seed}`;
    document.getElementById("summary").textContent = m.summary;
    document.title = `svmsim lab: ${m.title} (variant ${m.seed})`;
    document.body.dataset.session = m.session;
    show(m.summary + "\n\n`lab task` shows the steps, `lab help` the lab's commands.\n", "note");
  } else if (m.type === "out") {
    show(m.text);
  } else if (m.type === "note") {
    show(m.text + "\n", "note");
  } else if (m.type === "state") {
    drawPicture(m.picture);
    drawTask(m);
    if (m.final) {            // the line is done: the prompt is back
      asking = false;
      pane.classList.remove("asking");
      setPrompt(m.prompt);
      document.body.dataset.ready = "1";
    }
  } else if (m.type === "ask") {
    asking = true;
    pane.classList.add("asking");
    promptLabel.textContent = "";
  } else if (m.type === "completions") {
    complete(m.text, m.items);
  } else if (m.type === "end") {
    ended = true;
    show("\n" + m.text + `\nYour session is recorded (${m.record}).\n`, "note");
    input.disabled = true;
    document.body.dataset.ended = "1";
  } else if (m.type === "error") {
    show(m.text + "\n", "note");
  }
});

socket.addEventListener("close", () => {
  if (!ended) show("\n(the connection to the lab server closed)\n", "note");
  input.disabled = true;
});

function complete(text, items) {
  if (text !== input.value) return;
  completions.hidden = true;
  if (items.length === 1) {
    const word = text.split(/\s+/).pop();
    input.value = text.slice(0, text.length - word.length) + items[0];
  } else if (items.length > 1) {
    completions.textContent = items.join("  ");
    completions.hidden = false;
  }
}

document.getElementById("line-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = "";
  completions.hidden = true;
  document.body.dataset.ready = "0";
  if (asking) {
    show(text + "\n", "typed");
    socket.send(JSON.stringify({type: "answer", text}));
    return;
  }
  show(prompt + text + "\n", "typed");
  if (text.trim()) history.push(text);
  historyAt = history.length;
  socket.send(JSON.stringify({type: "line", text}));
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Tab") {
    event.preventDefault();
    socket.send(JSON.stringify({type: "complete", text: input.value}));
  } else if (event.key === "ArrowUp" && historyAt > 0) {
    event.preventDefault();
    input.value = history[--historyAt];
  } else if (event.key === "ArrowDown") {
    event.preventDefault();
    historyAt = Math.min(history.length, historyAt + 1);
    input.value = history[historyAt] ?? "";
  }
});

for (const [id, line] of [["hint", "lab hint"], ["check", "lab check"]]) {
  document.getElementById(id).addEventListener("click", () => {
    if (asking || ended) return;
    show(prompt + line + "\n", "typed");
    document.body.dataset.ready = "0";
    socket.send(JSON.stringify({type: "line", text: line}));
    input.focus();
  });
}
