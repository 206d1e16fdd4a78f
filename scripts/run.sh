#!/usr/bin/env bash
# Run the bot: installs into .venv on first use, migrates the database, starts long polling.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh run
exec .venv/bin/python -m bot "$@"
