"""What /metrics reports (Prometheus, prometheus-client's default registry), per process.

Each process counts its own; Prometheus sums over the replicas it scrapes. Names follow
Prometheus' conventions: `_total` counters, `_seconds` histograms.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "API_CALLS",
    "DUPLICATE_UPDATES",
    "PUSHES_PENDING",
    "PUSHES_SENT",
    "RATE_LIMIT_WAIT",
    "UPDATES_HANDLED",
    "UPDATE_SECONDS",
]

UPDATES_HANDLED = Counter(
    "flashtutor_updates_handled_total",
    "Telegram updates handled, by kind (message, callback_query, poll_answer, ...)",
    ["kind"],
)
UPDATE_SECONDS = Histogram(
    "flashtutor_update_handling_seconds",
    "Time handlers took for one update (Telegram retries a webhook request after ~60 s)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
DUPLICATE_UPDATES = Counter(
    "flashtutor_duplicate_updates_total",
    "Updates Telegram delivered again after one process had handled them (skipped)",
)
API_CALLS = Counter(
    "flashtutor_bot_api_calls_total",
    "Bot API requests by method and outcome (ok, 429, 403, error)",
    ["method", "outcome"],
)
RATE_LIMIT_WAIT = Histogram(
    "flashtutor_rate_limiter_wait_seconds",
    "Time a Bot API call waited in the bot's own rate limiter, by traffic class",
    ["traffic"],
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
PUSHES_SENT = Counter("flashtutor_pushes_sent_total", "Daily review reminders sent")
PUSHES_PENDING = Gauge(
    "flashtutor_pushes_pending",
    "Learners whose daily reminder is due and not yet sent (read from the database)",
)
