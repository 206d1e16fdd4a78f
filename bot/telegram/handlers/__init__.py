"""Telegram handlers, one module per feature; `register` wires them in one place."""
