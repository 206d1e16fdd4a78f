"""The progress table."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.study import ProgressRow
from bot.telegram.html import esc
from bot.telegram.texts.study import format_duration
from bot.telegram.texts.user_settings import mastery_counts

__all__ = [
    "NO_STUDY_SESSIONS",
    "PROGRESS_HEADER",
    "PROGRESS_LEGEND",
    "PROGRESS_MAX_ROWS",
    "PROGRESS_NAME_CHARS",
    "mastery_line",
    "progress_table",
]


NO_STUDY_SESSIONS = "No study sessions yet."


PROGRESS_HEADER = ("Name", "Mastery", "Learn", "Test", "Matching", "Spaced")


PROGRESS_NAME_CHARS = 10


PROGRESS_MAX_ROWS = 60


PROGRESS_LEGEND = (
    "<i>Mastery: cards you recall well in spaced review (stable for 21+ days). "
    "Learn: latest session, learned/cards. Test: latest score. Matching: best time. "
    "Spaced: cards reviewed.</i>"
)


def _progress_name(name: str) -> str:
    flat = " ".join(name.split()) or "?"
    if len(flat) <= PROGRESS_NAME_CHARS:
        return flat
    return flat[: PROGRESS_NAME_CHARS - 1] + "…"


def progress_table(deck_title: str, rows: Sequence[ProgressRow]) -> str:
    """The deck's table, `Name | Mastery | Learn | Test | Matching | Spaced`, in a <pre> block
    narrow enough for a phone; exactly NO_STUDY_SESSIONS when nobody has studied it."""
    if not rows:
        return NO_STUDY_SESSIONS
    cells = [PROGRESS_HEADER]
    for row in rows[:PROGRESS_MAX_ROWS]:
        cells.append(
            (
                _progress_name(row.name),
                f"{row.mastery.percent}%",
                f"{row.learn[0]}/{row.learn[1]}" if row.learn else "-",
                f"{row.test_percent}%" if row.test_percent is not None else "-",
                format_duration(row.match_ms, compact=True) if row.match_ms is not None else "-",
                str(row.spaced_reviews) if row.spaced_reviews else "-",
            )
        )
    widths = [max(len(line[i]) for line in cells) for i in range(len(PROGRESS_HEADER))]
    lines = [
        " ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in cells
    ]
    text = f"<b>{esc(deck_title)}</b>\n<pre>{esc(chr(10).join(lines))}</pre>"
    if len(rows) > PROGRESS_MAX_ROWS:
        text += f"\n…and {len(rows) - PROGRESS_MAX_ROWS} more."
    return text


def mastery_line(row: ProgressRow) -> str:
    return f"{mastery_counts(row.mastery)}."
