"""The writer thread of the cache and the history: nothing handed over is lost or written twice,
and a failed write does not stop the ones after it."""

from __future__ import annotations

from qa_tui.core.history.quiet_writer import QuietWriter


def test_batches_handed_over_are_written_in_order_once_flushed() -> None:
    written: list[list[int]] = []
    writer: QuietWriter[int] = QuietWriter(written.append, name="test", quiet_s=60, within_s=60)
    for batch in (1, 2, 3):
        writer.put(batch)
    writer.flush()
    writer.close()
    assert [b for gathered in written for b in gathered] == [1, 2, 3]


def test_a_write_that_fails_is_reported_and_the_next_batches_are_still_written() -> None:
    written: list[int] = []

    def write(batches: list[int]) -> None:
        if 1 in batches:
            raise OSError("disk full")
        written.extend(batches)

    writer: QuietWriter[int] = QuietWriter(write, name="test", quiet_s=60, within_s=60)
    writer.put(1)
    writer.flush()
    writer.put(2)
    writer.flush()
    writer.close()
    assert isinstance(writer.error, OSError)
    assert written == [2]


def test_closing_writes_what_is_left() -> None:
    written: list[list[str]] = []
    writer: QuietWriter[str] = QuietWriter(written.append, name="test", quiet_s=60, within_s=60)
    writer.put("last")
    writer.close()
    assert written == [["last"]]
