"""One simple ``sh`` command with redirections, as words (in-process routing, the lab shell).

``subprocess.run("metastat -p >/var/tmp/md.out 2>&1", shell=True)``, ``os.system(...)`` and
``os.popen(...)`` hand a line to ``/bin/sh``; it is run in-process only when it is one
simple command whose words are plain or quoted and whose only operators are the
redirections ``[n]>word``, ``[n]>>word``, ``[n]<word``, ``[n]>&m`` and ``[n]<&m`` (fds 0-2).
Anything else (pipes, ``;``, ``&&``, ``$``, globs, here-documents) is None: the real shell
runs it.

Why a tokenizer of our own and not :mod:`shlex`: ``shlex.split`` turns ``2>&1`` and
``>file`` into words, so a redirection cannot be told from an argument, nor a quoted
``">"`` from an operator; ``punctuation_chars`` mode splits ``a>b`` differently from sh
and still does not say which characters were quoted; and neither mode refuses what this
routing must never run itself (``$x``, `` `cmd` ``, ``*``, ``;``), nor treats a backslash
in double quotes as sh does (it escapes only ``$ ` " \\`` and newline). The rules here
are POSIX sh's (XCU 2.2 quoting, 2.7 redirection) for that small subset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Unquoted, these make a shell string more than one simple command (``<``, ``>`` and ``&``
# are allowed inside the redirections ``[n]>word``, ``[n]>>word``, ``[n]<word``, ``[n]>&m``).
SHELL_META = set("|&;<>()$`*?[]#~{}\n")
SHELL = "/bin/sh"

# a token: a word, or a redirection operator with the fd it applies to
Token = str | tuple[str, int]


@dataclass
class Redirect:
    """One shell redirection: ``fd op target`` (``2>&1`` is ``Redirect(2, ">&", "1")``)."""

    fd: int
    op: str        # ">", ">>", "<", ">&", "<&"
    target: str


@dataclass
class ShellCommand:
    """A simple command: its argv and its redirections, in the order written."""

    argv: list[str]
    redirects: list[Redirect] = field(default_factory=list)


# ---------------------------------------------------------------------------- parsing
def _shell_tokens(line: str) -> list[Token] | None:
    """Words and redirection operators of a simple ``sh`` command; None if not simple."""
    tokens: list[Token] = []
    word: list[str] | None = None
    quoted = False
    i, n = 0, len(line)

    def end_word() -> None:
        nonlocal word, quoted
        if word is not None:
            tokens.append("".join(word))
        word, quoted = None, False

    while i < n:
        c = line[i]
        if c in " \t":
            end_word()
            i += 1
        elif c == "'":
            j = line.find("'", i + 1)
            if j < 0:
                return None
            word = (word or []) + [line[i + 1:j]]
            quoted = True
            i = j + 1
        elif c == '"':
            buf: list[str] = []
            i += 1
            while i < n and line[i] != '"':
                ch = line[i]
                if ch in "$`":
                    return None
                if ch == "\\" and i + 1 < n and line[i + 1] in '$`"\\\n':
                    if line[i + 1] != "\n":
                        buf.append(line[i + 1])
                    i += 2
                    continue
                buf.append(ch)
                i += 1
            if i >= n:
                return None
            word = (word or []) + buf
            quoted = True
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                return None
            if line[i + 1] != "\n":
                word = (word or []) + [line[i + 1]]
                quoted = True
            i += 2
        elif c in "<>":
            fd = None
            if word is not None and not quoted and "".join(word).isdigit():
                fd = int("".join(word))
                word = None
            end_word()
            i += 1
            op = c
            if i < n and line[i] == "&":
                op, i = c + "&", i + 1
            elif c == ">" and i < n and line[i] == ">":
                op, i = ">>", i + 1
            elif i < n and line[i] in "<>|":
                return None          # here-documents, <>, >|
            tokens.append((op, fd if fd is not None else (1 if c == ">" else 0)))
        elif c in SHELL_META:
            return None
        else:
            word = (word or []) + [c]
            i += 1
    end_word()
    return tokens


def parse_shell(line: str) -> ShellCommand | None:
    """``line`` as one simple command with redirections, or None (pipes, ``;``, ``$``...)."""
    tokens = _shell_tokens(line)
    if not tokens:
        return None
    argv: list[str] = []
    redirects: list[Redirect] = []
    it = iter(tokens)
    for token in it:
        if isinstance(token, str):
            argv.append(token)
            continue
        op, fd = token
        target = next(it, None)
        if not isinstance(target, str) or fd > 2:
            return None
        if op.endswith("&") and target not in ("0", "1", "2"):
            return None              # >&- (close), >&file (bash only)
        redirects.append(Redirect(fd, op, target))
    if not argv:
        return None
    return ShellCommand(argv, redirects)


