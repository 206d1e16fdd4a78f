"""Charts as PNG bytes: the /stats figure and a group's mastery bars. Pure: data in, bytes out.

Drawn with matplotlib's object API (a `Figure` on the Agg canvas: no pyplot, no global state),
imported only when a chart is drawn, so the bot starts without it. Drawing holds the GIL for
a few hundred milliseconds: callers run these functions in a worker process
(bot.worker_pool), never in the event loop's process.

Pictures are sized for a phone (1080 px wide, Telegram shows photos up to 1280 px), with large
type, on a dark slate card of their own that reads on dark and light chat themes alike, in
colours told apart by colour-blind readers (Tableau 10). Each stays under `MAX_CHART_BYTES`:
a picture over it is drawn again at a lower resolution.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

__all__ = [
    "FORECAST_DAYS",
    "HEATMAP_WEEKS",
    "MAX_CHART_BYTES",
    "RETENTION_WEEKS",
    "DeckCounts",
    "MasteryChart",
    "MemberMastery",
    "StatsChart",
    "render_group_mastery",
    "render_stats",
    "warm_up",
]

MAX_CHART_BYTES = 200_000
FORECAST_DAYS = 30
RETENTION_WEEKS = 26
HEATMAP_WEEKS = 53

_BACKGROUND = "#1f2430"
_PANEL = "#262c3a"
_TEXT = "#e8eaf0"
_MUTED = "#9aa3b5"
_GRID = "#3a4253"
_NEW = "#8c96a8"
_LEARNING = "#f28e2b"
_REVIEW = "#4e79a7"
_MASTERED = "#59a14f"
_SUSPENDED = "#e15759"
_TARGET = "#edc948"
_HEAT = ("#2b3242", "#1b4d3e", "#1f7a4d", "#35a85a", "#7ed37a")  # none, then four levels
_DPI_STEPS = (100, 80, 64, 50)


@dataclass(frozen=True, slots=True)
class DeckCounts:
    """One deck's cards by state (new = not studied)."""

    title: str
    new: int
    learning: int
    mastered: int
    suspended: int


@dataclass(frozen=True, slots=True)
class StatsChart:
    """What the /stats figure shows, computed by bot.services.charts.

    `due_learning`/`due_review` count cards due on each of the next FORECAST_DAYS local days
    (day 0 is today, overdue included); `reviews_per_day` the grades given on each local day
    of the past year (days without any left out); `weekly_retention` per local week (Monday)
    the grades of cards in the Review state and how many were not Again.
    """

    today: date
    due_learning: tuple[int, ...]
    due_review: tuple[int, ...]
    reviews_per_day: tuple[tuple[date, int], ...]
    streak: int
    weekly_retention: tuple[tuple[date, int, int], ...]
    desired_retention: float
    decks: tuple[DeckCounts, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class MemberMastery:
    """One member's line in a group's mastery chart."""

    name: str
    mastered: int
    learning: int
    not_studied: int
    suspended: int
    percent: int


@dataclass(frozen=True, slots=True)
class MasteryChart:
    deck_title: str
    members: tuple[MemberMastery, ...]


def warm_up() -> bool:
    """Import matplotlib in a worker ahead of its first chart (it takes a second or more)."""
    _matplotlib()
    return True


def _matplotlib() -> tuple[Any, Any]:
    # Lazily: only a process that draws pays for the import.
    import matplotlib

    matplotlib.rcParams.update(
        {
            "font.size": 20,
            "axes.titlesize": 24,
            "axes.titleweight": "bold",
            "axes.labelsize": 20,
            "xtick.labelsize": 17,
            "ytick.labelsize": 17,
            "legend.fontsize": 17,
            "text.color": _TEXT,
            "axes.labelcolor": _TEXT,
            "axes.edgecolor": _GRID,
            "axes.facecolor": _PANEL,
            "xtick.color": _MUTED,
            "ytick.color": _MUTED,
            "figure.facecolor": _BACKGROUND,
            "savefig.facecolor": _BACKGROUND,
        }
    )
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return Figure, FigureCanvasAgg


def _png(draw, size: tuple[float, float]) -> bytes:
    """Draw a figure of `size` inches and save it as PNG, smaller until it fits the cap."""
    figure_class, canvas_class = _matplotlib()
    for dpi in _DPI_STEPS:
        figure = figure_class(figsize=size, dpi=dpi, layout="constrained")
        canvas_class(figure)
        draw(figure)
        data = _palette_png(figure.canvas)
        if len(data) <= MAX_CHART_BYTES:
            return data
    raise ValueError(f"chart over {MAX_CHART_BYTES} bytes even at {_DPI_STEPS[-1]} dpi")


def _palette_png(canvas) -> bytes:
    """The drawn canvas as a 256-colour PNG: flat chart colours survive, and the file is a
    third of a full-colour one (Pillow comes with matplotlib)."""
    from PIL import Image

    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").quantize(colors=256).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _style(axes, title: str) -> None:
    axes.set_title(title, loc="left", pad=12)
    axes.grid(axis="y", color=_GRID, linewidth=1)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _empty(axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", color=_MUTED, transform=axes.transAxes)


def _forecast(axes, data: StatsChart) -> None:
    _style(axes, f"Due in the next {FORECAST_DAYS} days")
    days = range(len(data.due_review))
    axes.bar(days, data.due_review, color=_REVIEW, label="review", width=0.8)
    axes.bar(
        days,
        data.due_learning,
        bottom=data.due_review,
        color=_LEARNING,
        label="learning",
        width=0.8,
    )
    ticks = [d for d in (0, 7, 14, 21, 28) if d < len(data.due_review)]
    axes.set_xticks(
        ticks,
        ["today" if d == 0 else (data.today + timedelta(days=d)).strftime("%d %b") for d in ticks],
    )
    axes.set_xlim(-0.6, FORECAST_DAYS - 0.4)
    if not any(data.due_review) and not any(data.due_learning):
        _empty(axes, "Nothing due: study a deck to fill this")
        axes.set_yticks([])
    else:
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="upper right", frameon=False, ncols=2)


def _level(count: int, top: int) -> int:
    if count <= 0 or top <= 0:
        return 0
    return min(4, 1 + int(3 * math.log1p(count) / math.log1p(top) + 1e-9))


def _heatmap(axes, data: StatsChart) -> None:
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle

    counts = dict(data.reviews_per_day)
    total = sum(counts.values())
    # Two short titles at 20 pt: the grid is only as wide as 53 square weeks.
    axes.set_title(
        f"Past year: {total:,} review{'s' if total != 1 else ''}", loc="left", pad=12, fontsize=20
    )
    axes.set_title(
        f"streak {data.streak} day{'s' if data.streak != 1 else ''}",
        loc="right",
        pad=12,
        color=_TARGET,
        fontsize=20,
    )
    # Columns are weeks (Monday first), the last one holding today.
    last_monday = data.today - timedelta(days=data.today.weekday())
    first = last_monday - timedelta(weeks=HEATMAP_WEEKS - 1)
    top = max(counts.values(), default=0)
    grid = [[math.nan] * HEATMAP_WEEKS for _ in range(7)]
    for week in range(HEATMAP_WEEKS):
        for weekday in range(7):
            day = first + timedelta(weeks=week, days=weekday)
            if day <= data.today:
                grid[weekday][week] = _level(counts.get(day, 0), top)
    colours = ListedColormap(_HEAT).with_extremes(bad=_BACKGROUND)
    axes.imshow(grid, cmap=colours, vmin=0, vmax=4, aspect="equal", interpolation="nearest")
    # The current streak, outlined: the days it counts, ending today (or yesterday).
    end = data.today if counts.get(data.today) else data.today - timedelta(days=1)
    for back in range(data.streak):
        day = end - timedelta(days=back)
        offset = (day - first).days
        if offset < 0:
            break
        axes.add_patch(
            Rectangle(
                (offset // 7 - 0.5, offset % 7 - 0.5), 1, 1, fill=False, edgecolor=_TARGET, lw=1.6
            )
        )
    months = []
    for week in range(HEATMAP_WEEKS):
        monday = first + timedelta(weeks=week)
        if monday.day <= 7:
            months.append((week, monday.strftime("%b")))
    axes.set_xticks([w for w, _ in months][::2], [m for _, m in months][::2])
    axes.set_yticks([0, 2, 4], ["Mon", "Wed", "Fri"])
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)


def _retention(axes, data: StatsChart) -> None:
    target = data.desired_retention * 100
    _style(axes, "True retention by week")
    weeks = [(start, n, passed) for start, n, passed in data.weekly_retention if n]
    axes.axhline(
        target, color=_TARGET, linestyle="--", linewidth=2.5, label=f"target {target:.0f}%"
    )
    if weeks:
        xs = [start for start, _n, _p in weeks]
        ys = [100 * passed / n for _s, n, passed in weeks]
        axes.plot(xs, ys, color=_MASTERED, marker="o", markersize=9, linewidth=3, label="yours")
        low = min(min(ys), target)
        axes.set_ylim(max(0, math.floor(low / 10) * 10 - 5), 102)
        axes.set_xlim(data.today - timedelta(weeks=RETENTION_WEEKS), data.today + timedelta(days=4))
        from matplotlib.dates import DateFormatter, MonthLocator

        axes.xaxis.set_major_locator(MonthLocator())
        axes.xaxis.set_major_formatter(DateFormatter("%b"))
    else:
        axes.set_ylim(50, 102)
        axes.set_xticks([])
        _empty(axes, "No reviews of learned cards yet")
    axes.yaxis.set_major_formatter("{x:.0f}%")
    axes.legend(loc="lower left", frameon=False, ncols=2)


def _states(axes, decks: Sequence[DeckCounts]) -> None:
    _style(axes, "Cards by state")
    axes.grid(False)
    axes.grid(axis="x", color=_GRID, linewidth=1)
    if not decks:
        _empty(axes, "No decks yet")
        axes.set_xticks([])
        axes.set_yticks([])
        return
    shown = list(decks[:5])
    if len(decks) > 5:
        rest = decks[5:]
        shown.append(
            DeckCounts(
                f"{len(rest)} more decks",
                sum(d.new for d in rest),
                sum(d.learning for d in rest),
                sum(d.mastered for d in rest),
                sum(d.suspended for d in rest),
            )
        )
    rows = list(range(len(shown)))[::-1]
    left = [0] * len(shown)
    for name, colour, values in (
        ("mastered", _MASTERED, [d.mastered for d in shown]),
        ("learning", _LEARNING, [d.learning for d in shown]),
        ("new", _NEW, [d.new for d in shown]),
        ("suspended", _SUSPENDED, [d.suspended for d in shown]),
    ):
        axes.barh(rows, values, left=left, color=colour, label=name, height=0.6)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(rows, [_short(d.title, 22) for d in shown])
    axes.tick_params(axis="y", labelcolor=_TEXT)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, ncols=4)
    axes.set_title("Cards by state", loc="left", pad=48)


def render_stats(data: StatsChart) -> bytes:
    """The /stats figure: due forecast, a year of reviews, weekly retention, cards by state."""

    def draw(figure) -> None:
        grid = figure.add_gridspec(
            4, 1, height_ratios=(1.0, 0.8, 1.0, 0.35 + 0.2 * len(data.decks[:6]))
        )
        _forecast(figure.add_subplot(grid[0]), data)
        _heatmap(figure.add_subplot(grid[1]), data)
        _retention(figure.add_subplot(grid[2]), data)
        _states(figure.add_subplot(grid[3]), data.decks)

    return _png(draw, (10.8, 15.0 + 0.4 * min(len(data.decks), 6)))


def render_group_mastery(data: MasteryChart) -> bytes:
    """A group's members as bars: the share of the deck each has mastered, learning, new."""
    members = data.members[:30]

    def draw(figure) -> None:
        axes = figure.add_subplot()
        _style(axes, _short(f"{data.deck_title}: mastery", 40))
        axes.grid(False)
        axes.grid(axis="x", color=_GRID, linewidth=1)
        rows = list(range(len(members)))[::-1]
        left = [0.0] * len(members)
        for name, colour, attribute in (
            ("mastered", _MASTERED, "mastered"),
            ("learning", _LEARNING, "learning"),
            ("new", _NEW, "not_studied"),
            ("suspended", _SUSPENDED, "suspended"),
        ):
            shares = []
            for member in members:
                total = member.mastered + member.learning + member.not_studied + member.suspended
                shares.append(100 * getattr(member, attribute) / total if total else 0.0)
            axes.barh(rows, shares, left=left, color=colour, label=name, height=0.65)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        for row, member in zip(rows, members, strict=True):
            axes.text(101, row, f"{member.percent}%", va="center", color=_TEXT)
        axes.set_yticks(rows, [_short(m.name, 14) for m in members])
        axes.tick_params(axis="y", labelcolor=_TEXT)
        axes.set_xlim(0, 112)
        axes.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"])
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, ncols=4)
        axes.set_title(_short(f"{data.deck_title}: mastery", 40), loc="left", pad=48)
        if not members:
            _empty(axes, "Nobody has studied this deck yet")

    return _png(draw, (10.8, 2.6 + 0.5 * max(len(members), 2)))
