#!/usr/bin/env bash
# Run the whole test suite (SQLite and Postgres); needs Postgres at TEST_POSTGRES_URL
# (default postgresql+psycopg://postgres@127.0.0.1:5432/test) and fails without it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
