# The bot, installed from uv.lock (the same pins as scripts/bootstrap.sh and CI).
# Python minor version = CI's (3.11); tests/test_project.py checks both.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH
WORKDIR /app

# The same uv as scripts/bootstrap.sh (UV_VERSION there).
RUN pip install --no-cache-dir uv==0.13.9

# Dependencies first, from the lock alone: this layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-install-project --python /usr/local/bin/python

# Then the source; editing it rebuilds only the layers below.
COPY README.md ./
COPY bot ./bot
COPY scheduler ./scheduler
COPY decks ./decks
RUN uv sync --frozen --no-editable --python /usr/local/bin/python

# A non-root user that owns /data, where the SQLite file lives (mount a volume there).
# Decks are read from /app/decks at start-up: mount your own folder there, no rebuild needed.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin flashtutor \
    && mkdir /data && chown flashtutor /data
ENV DATABASE_URL=sqlite+aiosqlite:////data/flashtutor.db \
    DECKS_DIR=/app/decks
VOLUME ["/data"]
USER flashtutor
CMD ["python", "-m", "bot"]
