"""The memory model: desired retention and FSRS parameters fitted to the learner."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.fitting import FitResult
from bot.services.parameters import PersonalParameters
from bot.telegram.texts.wording import counted

__all__ = [
    "OPTIMIZE_FAILED",
    "RETENTION_USAGE",
    "fsrs_parameters",
    "optimize_done",
    "optimize_needs_more",
    "optimizing",
    "retention_current",
    "retention_set",
]


RETENTION_USAGE = (
    "Send a percentage from 70 to 97, e.g. <code>/retention 85</code>: the share of cards "
    "you want to still remember when they come back."
)


_RETENTION_TRADE_OFF = (
    "Higher retention means more reviews a day; lower means fewer reviews but more forgetting."
)


def retention_current(percent: int) -> str:
    return f"Your desired retention is <b>{percent}%</b>. {_RETENTION_TRADE_OFF}\n{RETENTION_USAGE}"


def retention_set(percent: int) -> str:
    return f"Desired retention set to <b>{percent}%</b>. {_RETENTION_TRADE_OFF}"


def _losses(before: float, after: float) -> str:
    """Two log losses, with a third decimal when two would show them equal."""
    digits = 2 if round(before, 2) != round(after, 2) else 3
    return f"{before:.{digits}f} → {after:.{digits}f}"


def fsrs_parameters(fitted: PersonalParameters | None, zone: ZoneInfo) -> str:
    """The /settings line saying which FSRS parameters schedule the learner's reviews."""
    if fitted is None:
        return "FSRS: default parameters (/optimize fits them to you)"
    day = fitted.fitted_at.astimezone(zone)
    return (
        f"FSRS: personal parameters (fitted {day.day} {day:%b} from "
        f"{counted(fitted.reviews, 'review')}, log loss {_losses(fitted.log_loss_before, fitted.log_loss_after)})"
    )


def optimizing(items: int) -> str:
    return f"Fitting FSRS to your answers ({counted(items, 'review')} a day or more apart)… a few seconds."


def optimize_needs_more(items: int, needed: int) -> str:
    return (
        f"FSRS needs {counted(needed, 'review')} that came a day or more after the card's previous "
        f"one to fit to you; you have {items:,} so far — about {needed - items:,} more. "
        "Until then your reviews use the default parameters, which suit most people well."
    )


def optimize_done(result: FitResult, *, kept: bool, reviews: int) -> str:
    figures = (
        f"log loss {_losses(result.log_loss_before, result.log_loss_after)}, "
        f"RMSE {result.rmse_before:.1%} → {result.rmse_after:.1%} (lower is better)"
    )
    if kept:
        return (
            f"Done: FSRS is now fitted to your {counted(reviews, 'review')}. It predicts your answers "
            f"better than before — {figures}. Your next intervals use the new parameters."
        )
    return (
        f"I fitted FSRS to your {counted(reviews, 'review')}, but the result did not predict your "
        f"answers better than the parameters you have — {figures} — so I kept those."
    )


OPTIMIZE_FAILED = (
    "The fit failed on my side (it has been logged). Nothing changed: your reviews keep "
    "their parameters. Please try /optimize again later."
)
