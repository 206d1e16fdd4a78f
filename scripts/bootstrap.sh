#!/usr/bin/env bash
# Create .venv (if missing) and install Flashtutor exactly as pinned in uv.lock; idempotent.
#   scripts/bootstrap.sh        the bot's dependencies
#   scripts/bootstrap.sh dev    plus the test tools (the "dev" extra)
# Needs only python3 (>= 3.11) with venv and pip: the pinned uv is installed into .venv by pip.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
stamp=".venv/.synced-$(cat uv.lock pyproject.toml | sha256sum | cut -c1-16)-${1:-run}"
if [ ! -f "$stamp" ]; then
    extras=()
    if [ "${1:-run}" = "dev" ]; then
        extras=(--extra dev)
    fi
    # --frozen: install what uv.lock says, never re-resolve (tests/test_project.py checks the
    # lock matches pyproject.toml). --inexact: keep uv itself (and pip) in .venv.
    UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy .venv/bin/uv sync --quiet --frozen --inexact \
        --python .venv/bin/python "${extras[@]}"
    touch "$stamp"
fi
