"""The HTTP adapter beside bot/telegram: Telegram's webhook, /healthz and /metrics."""
