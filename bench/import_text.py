"""Text import and export benchmark: prints figures, asserts nothing.

    .venv/bin/python bench/import_text.py [--lines 10000] [--repeat 3]

Generates a Quizlet export of N lines (tab + newline, Quizlet's defaults; every 10th card has a
three-line definition, some cards carry `<`, `&` and non-Latin text), then times:
1. detecting the separators and parsing it (`parse_text_deck`, what an upload does);
2. parsing the same cards as CSV;
3. exporting the parsed deck as CSV, Quizlet text and .apkg.
Peak memory: Python allocations during the parse (tracemalloc) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.exports import export_apkg, export_csv, export_quizlet
from bot.core.imports.text import parse_text_deck


def quizlet_export(lines: int) -> bytes:
    """A Quizlet export of exactly `lines` lines (multi-line definitions count every line)."""
    rows: list[str] = []
    number = 0
    while len(rows) < lines:
        number += 1
        term = f"palabra {number} ñ"
        if number % 10 == 0 and len(rows) + 3 <= lines:
            rows += [f"{term}\trojo — red {number}", "azul — blue", "verde — green"]
        elif number % 7 == 0:
            rows.append(f"{term}\tcafé & churros (<2 €) — お茶 — чай {number}")
        else:
            rows.append(f"{term}\tthe word number {number}, with a comma")
    return "\n".join(rows).encode("utf-8")


def timed(function, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    data = quizlet_export(args.lines)
    print(f"Quizlet export: {args.lines:,} lines, {len(data) / 1024:.0f} KiB")

    best, result = timed(lambda: parse_text_deck(data, filename="set.txt"), args.repeat)
    tracemalloc.start()  # a separate run: tracing slows Python down several times
    parse_text_deck(data, filename="set.txt")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"1. Quizlet detect + parse: {len(result.draft.cards):,} cards in {best * 1000:.0f} ms "
        f"(best of {args.repeat}); peak Python allocations {peak / 2**20:.1f} MiB"
    )

    csv_bytes = export_csv(result.draft)
    best, parsed = timed(lambda: parse_text_deck(csv_bytes, filename="set.csv"), args.repeat)
    print(
        f"2. CSV parse ({len(csv_bytes) / 1024:.0f} KiB): {len(parsed.draft.cards):,} cards "
        f"in {best * 1000:.0f} ms"
    )

    now = datetime(2026, 3, 2, tzinfo=UTC)
    for name, export in (
        ("CSV", lambda: export_csv(result.draft)),
        ("Quizlet", lambda: export_quizlet(result.draft)),
        ("apkg", lambda: export_apkg(result.draft, deck_identity="bench", now=now)),
    ):
        best, out = timed(export, args.repeat)
        print(f"3. export {name}: {len(out) / 1024:.0f} KiB in {best * 1000:.0f} ms")

    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (everything above): {peak_rss:.0f} MiB")


if __name__ == "__main__":
    main()
