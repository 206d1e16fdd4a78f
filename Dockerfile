FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY scheduler ./scheduler
COPY decks ./decks
RUN pip install --no-cache-dir .
ENV DECKS_DIR=/app/decks
USER nobody
CMD ["python", "-m", "bot"]
