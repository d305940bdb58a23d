"""How pictures are drawn is asked of the terminal, never guessed from $TERM: a terminal that
answers textual-image's Kitty graphics query `OK` gets the Kitty protocol; one that answers
nothing gets half-blocks. The terminal here is a pseudo-terminal whose replies the test scripts.
"""

from __future__ import annotations

import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from fcntl import ioctl
from pathlib import Path

import pytest

from qa_tui.ui.shots.graphics import Graphics, choose

CHILD = Path(__file__).with_name("kitty_child.py")
DEADLINE_S = 30.0
Reply = Callable[[bytes], bytes]


def kitty_replies(seen: bytes) -> bytes:
    """A Kitty-like terminal: Device Attributes without Sixel (no `4`), graphics query `OK`."""
    out = b""
    if b"\x1b[c" in seen:
        out += b"\x1b[?62;22c"
    for image_id in re.findall(rb"\x1b_G[^\x1b]*?i=(\d+)[^\x1b]*?a=q", seen):
        out += b"\x1b_Gi=" + image_id + b";OK\x1b\\"
    return out


def plain_replies(seen: bytes) -> bytes:
    """A terminal that answers Device Attributes (VT220, no Sixel) and ignores the rest."""
    return b"\x1b[?62;22c" if b"\x1b[c" in seen else b""


def run_in_terminal(reply: Reply, env: dict[str, str]) -> bytes:
    """Run the child on a 100x30 pseudo-terminal (10x20-pixel cells), answering what it asks
    with `reply`; everything it wrote, until it exits."""
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 1000, 600))
    child = subprocess.Popen(
        [sys.executable, str(CHILD)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=Path(__file__).parents[2],
        start_new_session=True,
    )
    os.close(slave)
    written, answered = b"", 0
    deadline = time.monotonic() + DEADLINE_S
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal: it has exited
                    break
                if not chunk:
                    break
                written += chunk
                answer = reply(written[answered:])
                if answer:
                    answered = len(written)
                    os.write(master, answer)
            elif child.poll() is not None:
                break
        else:
            raise AssertionError(f"the child did not finish; it wrote:\n{written[-2000:]!r}")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(10)
        os.close(master)
    return written


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QA_TUI_GRAPHICS", "NO_COLOR")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", TEXTUAL_ANIMATIONS="none")
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return env


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminals: Linux")
def test_a_terminal_answering_the_kitty_graphics_query_gets_the_kitty_protocol() -> None:
    written = run_in_terminal(kitty_replies, child_env())
    assert b"DETECTED kitty TGPImage" in written, written[-1500:]
    assert re.search(rb"\x1b_G[^\x1b]*a=q", written)  # textual-image asked
    sent = re.findall(rb"\x1b_G([^;\x1b]*)(?:;[^\x1b]*)?\x1b\\", written)
    fields = [dict(f.split(b"=", 1) for f in head.split(b",") if b"=" in f) for head in sent]
    assert any(f.get(b"f") == b"100" for f in fields)  # the picture went over as PNG
    assert any(f.get(b"a") == b"p" and f.get(b"U") == b"1" for f in fields)  # a placement
    assert "\U0010eeee".encode() in written  # and the cells hold Kitty's placeholders
    assert "▀".encode() not in written


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminals: Linux")
def test_a_terminal_answering_nothing_gets_half_blocks_whatever_term_says() -> None:
    env = child_env() | {"TERM": "xterm-kitty"}  # $TERM claims Kitty: it is not believed
    written = run_in_terminal(plain_replies, env)
    assert b"DETECTED half-blocks HalfcellImage" in written, written[-1500:]
    assert "▀".encode() in written
    assert not re.search(rb"\x1b_G[^\x1b]*f=100", written)


def test_the_choice_an_override_then_the_answer_then_half_blocks_or_shades() -> None:
    assert choose(Graphics.KITTY, no_color=False, override=None) is Graphics.KITTY
    assert choose(None, no_color=False, override=None) is Graphics.HALF_BLOCKS
    assert choose(None, no_color=True, override=None) is Graphics.TEXT
    assert choose(Graphics.SIXEL, no_color=False, override="half-blocks") is Graphics.HALF_BLOCKS
    assert choose(None, no_color=False, override="nonsense") is Graphics.HALF_BLOCKS
