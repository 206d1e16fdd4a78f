"""The Docker image and compose file, checked statically (CI has no Docker engine)."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            steps.append((word.upper(), rest.strip()))
    return steps


def _env(steps) -> dict[str, str]:
    env = {}
    for word, rest in steps:
        if word == "ENV":
            for item in shlex.split(rest):
                name, _, value = item.partition("=")
                env[name] = value
    return env


def _bootstrap_uv_version() -> str:
    match = re.search(r"^UV_VERSION=(\S+)$", (ROOT / "scripts/bootstrap.sh").read_text(), re.M)
    assert match
    return match.group(1)


def test_image_uses_the_python_minor_version_of_ci():
    froms = [rest for word, rest in _instructions() if word == "FROM"]
    assert froms == [f"python:{sys.version_info.major}.{sys.version_info.minor}-slim"]


def test_dependencies_come_from_the_lock_before_the_source_is_copied():
    steps = _instructions()
    copies = [(i, rest.split()[:-1]) for i, (word, rest) in enumerate(steps) if word == "COPY"]
    first_source = min(i for i, sources in copies if {"bot", "scheduler"} & set(sources))
    # The dependency layer sees only pyproject.toml and uv.lock.
    lock_copy = next(i for i, sources in copies if "uv.lock" in sources)
    assert set(dict(copies)[lock_copy]) == {"pyproject.toml", "uv.lock"}
    deps = next(
        i
        for i, (word, rest) in enumerate(steps)
        if word == "RUN" and "--no-install-project" in rest
    )
    assert lock_copy < deps < first_source
    syncs = [rest for word, rest in steps if word == "RUN" and "uv sync" in rest]
    assert syncs and all("--frozen" in rest for rest in syncs)
    assert not any("pip install" in rest and "uv==" not in rest for _w, rest in steps)
    # The same uv as every other install.
    assert any(f"uv=={_bootstrap_uv_version()}" in rest for word, rest in steps if word == "RUN")


def test_runs_as_a_non_root_user_who_owns_the_sqlite_data_volume():
    steps = _instructions()
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1] not in {"root", "0", "nobody"}
    user = users[-1]
    volumes = [v for word, rest in steps if word == "VOLUME" for v in yaml.safe_load(rest)]
    data = next(v for v in volumes if v != "/app/decks")
    assert any(word == "RUN" and f"chown {user} {data}" in rest for word, rest in steps), (
        "the user must be able to write the data volume"
    )
    assert _env(steps)["DATABASE_URL"].startswith(f"sqlite+aiosqlite:///{data}/")
    # USER comes after every RUN, so it is the user of the running container.
    last_run = max(i for i, (word, _r) in enumerate(steps) if word == "RUN")
    assert [i for i, (word, _r) in enumerate(steps) if word == "USER"][-1] > last_run


def test_decks_are_a_mountable_folder_read_at_start_up():
    env = _env(_instructions())
    decks = env["DECKS_DIR"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert f"./decks:{decks}:ro" in compose["services"]["bot"]["volumes"]
    assert f":{decks}" in (ROOT / "README.md").read_text()  # documented


def test_secrets_and_local_files_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv/", "*.db"} <= set(ignored)


def test_compose_has_no_hard_coded_database_password():
    text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)
    password = compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?"), password  # from .env, required
    url = compose["services"]["bot"]["environment"]["DATABASE_URL"]
    assert "${POSTGRES_PASSWORD}@db:5432/" in url
    # .env.example documents a value for a local try.
    example = (ROOT / ".env.example").read_text()
    assert re.search(r"^POSTGRES_PASSWORD=\S+", example, re.M)


def test_compose_default_is_one_polling_bot_after_a_one_shot_migrate():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    # `docker compose up` starts the services without a profile: db, migrate and one bot.
    default = {name for name, service in services.items() if not service.get("profiles")}
    assert default == {"db", "migrate", "bot"}
    assert services["migrate"]["command"] == ["python", "-m", "bot", "migrate"]
    assert services["bot"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    bot = services["bot"]
    assert bot["deploy"]["replicas"] == "${BOT_REPLICAS:-1}"
    assert bot["environment"]["WEBHOOK_URL"] == "${WEBHOOK_URL:-}"  # unset: long polling
    assert bot["environment"]["REPLICAS"] == "${BOT_REPLICAS:-1}"  # the budget's split
    assert bot["environment"]["DATABASE_URL"] == services["migrate"]["environment"]["DATABASE_URL"]


def test_compose_webhook_profile_has_the_tls_front_and_set_webhook_once():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["caddy"]["profiles"] == ["webhook"]
    assert services["set-webhook"]["profiles"] == ["webhook"]
    assert services["set-webhook"]["command"] == ["python", "-m", "bot", "set-webhook"]
    assert services["set-webhook"]["restart"] == "no"
    assert services["caddy"]["depends_on"]["bot"] == {"condition": "service_healthy"}
    assert "/healthz" in " ".join(services["bot"]["healthcheck"]["test"])
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert re.search(r"dynamic a bot 8080", caddyfile)  # every replica, not one
    assert "health_uri /healthz" in caddyfile
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]
