"""Getting a notice out: the terminal sequence to a writer the caller hands in, and a desktop
notifier on a local session.

The writer is the only way bytes reach the terminal from here: the app hands its driver's
`write` (Textual's own output queue, so a notification never lands inside a frame), the headless
commands the controlling terminal (`controlling_terminal()`), tests a list. The desktop notifier
(`notify-send`, `osascript`, `terminal-notifier`) runs only when there is no `SSH_CONNECTION`
and one is installed; it is started and left to finish, and a failure to start it is ignored:
it is a nicety, never required.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence

from qa_tui.core.notify.notice import Notice
from qa_tui.core.notify.plain import plain
from qa_tui.core.notify.sequences import detect_method, encode, in_tmux
from qa_tui.core.notify.settings import Method, NotifyConfig

Writer = Callable[[str], None]
"""Writes text to the terminal as it is (UTF-8), escape sequences included."""
Spawn = Callable[[Sequence[str]], None]
"""Starts a command and does not wait for it."""
Which = Callable[[str], str | None]


def tmux_client(env: Mapping[str, str]) -> str:
    """What tmux says of the terminal attached to it ("kitty(0.35.2) xterm-kitty"), or ""."""
    if not in_tmux(env) or shutil.which("tmux") is None:
        return ""
    try:
        done = subprocess.run(
            ["tmux", "display-message", "-p", "#{client_termtype} #{client_termname}"],
            capture_output=True,
            text=True,
            timeout=1.0,
            check=False,
            env=dict(env),
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def spawn_detached(command: Sequence[str]) -> None:
    """Start `command` without waiting; a thread reaps it when it ends."""
    try:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return
    threading.Thread(target=process.wait, name="qa-tui-notifier", daemon=True).start()


def desktop_command(
    title: str, body: str, env: Mapping[str, str], which: Which = shutil.which
) -> list[str] | None:
    """The command that shows a desktop notification here, or None (over SSH, or none found)."""
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return None
    title, body = plain(title, 120), plain(body, 240)
    if sys.platform == "darwin" and which("osascript"):
        script = f"display notification {_applescript(body)} with title {_applescript(title)}"
        return ["osascript", "-e", script]
    if which("terminal-notifier"):
        return ["terminal-notifier", "-title", f"qa-tui: {title}", "-message", body]
    if (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")) and which("notify-send"):
        return ["notify-send", "--app-name=qa-tui", f"qa-tui: {title}", body]
    return None


def _applescript(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Delivery:
    """Sends notices the way the `[notify]` settings say, to the writer it was handed."""

    def __init__(
        self,
        settings: NotifyConfig,
        env: Mapping[str, str],
        *,
        client: Callable[[Mapping[str, str]], str] = tmux_client,
        spawn: Spawn = spawn_detached,
        which: Which = shutil.which,
    ) -> None:
        self.settings = settings
        self.env = env
        self._client = client
        self._spawn = spawn
        self._which = which
        self._sent = 0
        self._auto: Method | None = None

    @property
    def method(self) -> Method:
        """The method in use (`auto` decided on first use: tmux is asked about its terminal)."""
        if self.settings.method is not Method.AUTO:
            return self.settings.method
        if self._auto is None:
            self._auto = detect_method(self.env, self._client(self.env))
        return self._auto

    def terminal_text(self, notice: Notice) -> str:
        """The bytes (as text) that make the terminal show `notice`."""
        self._sent += 1
        return encode(
            self.method, notice.title, notice.body, tmux=in_tmux(self.env), ident=str(self._sent)
        )

    def send(self, notice: Notice, write: Writer | None) -> None:
        """The terminal's notification through `write` (if any), and the desktop's if local."""
        text = self.terminal_text(notice)
        if text and write is not None:
            write(text)
        if self.settings.desktop:
            command = desktop_command(notice.title, notice.body, self.env, self._which)
            if command is not None:
                self._spawn(command)


def controlling_terminal() -> Writer:
    """A writer to this process's terminal: `/dev/tty`, else stderr when that is a terminal;
    where there is neither (a CI log), nothing is written."""

    def write(text: str) -> None:
        try:
            with open("/dev/tty", "w", encoding="utf-8", errors="replace") as tty:
                tty.write(text)
            return
        except OSError:
            pass
        try:
            if sys.stderr is not None and sys.stderr.isatty():
                sys.stderr.write(text)
                sys.stderr.flush()
        except (OSError, ValueError):
            pass

    return write
