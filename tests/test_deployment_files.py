"""What a deployer relies on in Dockerfile, .dockerignore and compose.yaml, checked without Docker:
every setting compose passes is one the portal or gunicorn reads, production starts with them,
the commands exist, the image runs gunicorn.conf.py as a non-root user without dev tools, and its
health check passes against the production app."""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import secrets
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from portal import create_app
from portal.config import ENV_OVERRIDES, ConfigError
from portal.extensions import db
from tests.conftest import production_settings

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "portal", "worker")
# What a deployer puts in .env (compose refuses to start without the required ones).
SUPPLIED = {
    "SECRET_KEY": secrets.token_urlsafe(32),
    "POSTGRES_PASSWORD": secrets.token_hex(12),
    "PUBLIC_BASE_URL": "https://circle.clinic.example",
    "MAIL_SENDER_DOMAIN": "clinic.example",
}


# --- Reading the files ------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def service(name: str) -> dict[str, Any]:
    found = compose()["services"][name]
    assert isinstance(found, dict)
    return found


def environment_of(name: str) -> dict[str, str]:
    """A service's environment as written (compose accepts a mapping or KEY=VALUE lines)."""
    environment = service(name).get("environment", {})
    if isinstance(environment, list):
        environment = dict(line.split("=", 1) for line in environment)
    return {key: str(value) for key, value in environment.items()}


INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$"
)


def interpolate(value: str, supplied: Mapping[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}``, ``${NAME:?error}`` and ``$$``."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        assert name, f"a bare $ in {value!r}: compose would read it as a variable"
        present = supplied.get(name)
        if op in {":-", ":?"} and not present:
            present = None
        if present is None:
            if op and op.endswith("?"):
                raise LookupError(f"{name}: {arg}")
            return arg if op and op.endswith("-") else ""
        return present

    return INTERPOLATION.sub(replace, value)


def resolved_environment(name: str, supplied: Mapping[str, str] = SUPPLIED) -> dict[str, str]:
    return {key: interpolate(value, supplied) for key, value in environment_of(name).items()}


def names_read_by_gunicorn_conf() -> set[str]:
    """Environment variables that gunicorn.conf.py reads: ``os.environ.get("X")``, ``[...]``."""
    tree = ast.parse((ROOT / "gunicorn.conf.py").read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and ast.unparse(node.func) == "os.environ.get"
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            assert isinstance(node.slice, ast.Constant)
            names.add(str(node.slice.value))
    return names


def settings_names() -> set[str]:
    return set(ENV_OVERRIDES) | {"PORTAL_ENV"} | names_read_by_gunicorn_conf()


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            keyword, _, arguments = pending.strip().partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
            pending = ""
    return instructions


def arguments_of(keyword: str) -> list[str]:
    return [arguments for found, arguments in dockerfile() if found == keyword]


def image_environment() -> dict[str, str]:
    environment: dict[str, str] = {}
    for arguments in arguments_of("ENV"):
        for pair in shlex.split(arguments):
            name, _, value = pair.partition("=")
            environment[name] = value
    return environment


# --- compose.yaml -----------------------------------------------------------------------------


def test_gunicorn_conf_reader_finds_its_settings() -> None:
    # Guards the test below: an empty set would let any GUNICORN_ name through.
    assert {"GUNICORN_BIND", "GUNICORN_WORKERS", "FORWARDED_ALLOW_IPS"} <= (
        names_read_by_gunicorn_conf()
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_set_only_settings_that_are_read(name: str) -> None:
    unknown = set(environment_of(name)) - settings_names()
    assert not unknown, f"{name} sets {unknown}: neither portal.config nor gunicorn reads them"


def test_the_image_sets_only_settings_that_are_read() -> None:
    names = {n for n in image_environment() if not n.startswith(("PYTHON", "PIP_"))}
    assert names, "the image sets no portal setting"
    assert names <= settings_names()
    assert image_environment()["GUNICORN_BIND"] == "0.0.0.0:8000"
    assert image_environment()["PORTAL_ENV"] == "production"


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting leaks in from the shell running the tests."""
    for name in settings_names():
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("name", APP_SERVICES)
def test_production_starts_with_the_compose_settings(
    name: str, clean_environment: pytest.MonkeyPatch
) -> None:
    environment = resolved_environment(name)
    for key, value in environment.items():
        clean_environment.setenv(key, value)
    app = create_app()  # settings from the environment only, production checks included
    try:
        assert app.config["PORTAL_ENV"] == "production"
        assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
        assert app.config["SECRET_KEY"] == SUPPLIED["SECRET_KEY"]
        assert app.config["RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"
        assert app.config["PUBLIC_BASE_URL"].startswith("https://")
        assert app.config["MAIL_DEFAULT_SENDER"].endswith(f"@{SUPPLIED['MAIL_SENDER_DOMAIN']}>")
        with app.app_context():
            assert (db.engine.dialect.name, db.engine.dialect.driver) == ("postgresql", "psycopg")
    finally:
        with app.app_context():
            db.engine.dispose()


def test_production_refuses_a_short_secret_key(clean_environment: pytest.MonkeyPatch) -> None:
    # The check above means something only if PORTAL_ENV from compose reaches validation.
    for key, value in resolved_environment("portal", {**SUPPLIED, "SECRET_KEY": "short"}).items():
        clean_environment.setenv(key, value)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_refuses_to_start_without_a_secret_key(name: str) -> None:
    without = {key: value for key, value in SUPPLIED.items() if key != "SECRET_KEY"}
    with pytest.raises(LookupError, match="SECRET_KEY"):
        resolved_environment(name, without)


def test_settings_point_at_the_compose_services() -> None:
    services = compose()["services"]
    environment = resolved_environment("portal")
    database = make_url(environment["DATABASE_URL"])
    postgres = services["postgres"]["environment"]
    assert database.drivername == "postgresql+psycopg"  # psycopg 3, from the postgres extra
    assert database.host in services
    assert database.database == postgres["POSTGRES_DB"]
    assert database.username == postgres["POSTGRES_USER"]
    assert database.password == SUPPLIED["POSTGRES_PASSWORD"]
    assert interpolate(postgres["POSTGRES_PASSWORD"], SUPPLIED) == SUPPLIED["POSTGRES_PASSWORD"]
    assert make_url(environment["RATELIMIT_STORAGE_URI"]).host in services
    assert environment["MAIL_SERVER"] in services
    for name in APP_SERVICES:  # the same settings everywhere the app runs
        shared = {k: v for k, v in resolved_environment(name).items() if k in ENV_OVERRIDES}
        assert shared == {k: v for k, v in environment.items() if k in ENV_OVERRIDES}


def test_portal_starts_after_migrations_and_the_services_it_needs() -> None:
    portal, migrate = service("portal"), service("migrate")
    assert portal["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert portal["depends_on"]["redis"]["condition"] == "service_healthy"
    assert service("worker")["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"  # one-shot: a restart loop would never "complete"
    for name in ("postgres", "redis"):
        assert service(name)["healthcheck"]["test"]
    assert service("postgres")["image"] == "postgres:15"
    volume, _, mount = service("postgres")["volumes"][0].partition(":")
    assert mount == "/var/lib/postgresql/data"
    assert volume in compose()["volumes"]  # a named volume, not the container's own layer
    for name in ("migrate", "worker"):  # the image's HTTP check means nothing there
        assert service(name)["healthcheck"] == {"disable": True}


def flask_commands(name: str) -> list[list[str]]:
    """The ``flask --app portal ...`` invocations in a service's command."""
    command = service(name)["command"]
    script = command[-1] if command[:2] == ["sh", "-c"] else shlex.join(command)
    found = []
    for part in re.split(r"&&|;|\bdo\b|\bdone\b", script):
        words = shlex.split(part)
        if words[:3] == ["flask", "--app", "portal"]:
            found.append(words[3:])
    return found


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("migrate", [["db", "upgrade"], ["learning", "sync"]]),
        ("worker", [["send-digests"], ["send-mail"]]),
    ],
)
def test_one_shot_and_periodic_commands_exist(
    name: str, expected: list[list[str]], app: Flask
) -> None:
    commands = flask_commands(name)
    assert commands == expected
    runner = app.test_cli_runner()
    for words in commands:
        result = runner.invoke(args=[*words, "--help"])
        assert result.exit_code == 0, f"flask --app portal {' '.join(words)}: {result.output}"


def test_worker_repeats_with_a_pause() -> None:
    script = service("worker")["command"][-1]
    assert script.startswith("while true; do ")
    assert re.search(r"; sleep \d+; done$", script)


# --- Dockerfile and .dockerignore -------------------------------------------------------------


def test_image_runs_gunicorn_with_the_project_settings() -> None:
    (cmd,) = arguments_of("CMD")
    assert json.loads(cmd) == ["gunicorn", "-c", "gunicorn.conf.py", "portal:create_app()"]
    # Copied into the working directory, where gunicorn looks for -c gunicorn.conf.py.
    assert arguments_of("WORKDIR") == ["/app"]
    copied = [arguments.split() for arguments in arguments_of("COPY")]
    assert any("gunicorn.conf.py" in words[:-1] and words[-1] == "./" for words in copied)
    assert arguments_of("EXPOSE") == ["8000"]


def test_image_holds_the_migrations_next_to_the_package() -> None:
    # portal/__init__.py finds migrations/ beside portal/, and the wheel holds portal/ only.
    destinations = {arguments.split()[-1].rstrip("/") for arguments in arguments_of("COPY")}
    assert {"./portal", "./migrations"} <= destinations


def test_everything_the_image_copies_is_in_the_build_context() -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for arguments in arguments_of("COPY"):
        for source in arguments.split()[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: no such file"
            hit = [p for p in ignored if fnmatch.fnmatch(source, p.removeprefix("**/"))]
            assert not hit, f"COPY {source}, but .dockerignore leaves it out ({hit})"
    for private in (".git", ".venv", ".env", "instance"):
        assert private in ignored


def test_image_runs_as_a_user_that_is_not_root() -> None:
    instructions = dockerfile()
    users = [
        (i, arguments) for i, (keyword, arguments) in enumerate(instructions) if keyword == "USER"
    ]
    assert users, "no USER line: the container would run as root"
    position, user = users[-1]
    assert user.split(":")[0] not in {"root", "0"}
    last_run = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "RUN")
    command = next(i for i, (keyword, _) in enumerate(instructions) if keyword == "CMD")
    assert last_run < position < command
    created = [a for a in arguments_of("RUN") if "useradd" in a and a.endswith(f" {user}")]
    assert created, f"USER {user}, but no RUN useradd makes that account"


def pip_installs() -> list[list[str]]:
    installs = []
    for arguments in arguments_of("RUN"):
        for part in arguments.split("&&"):
            words = shlex.split(part)
            if words[:2] == ["pip", "install"] or words[:4] == ["python", "-m", "pip", "install"]:
                installs.append(words[words.index("install") + 1 :])
    return installs


def test_image_installs_the_project_with_production_extras_only() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = pyproject["project"]["optional-dependencies"]
    assert pip_installs() == [[".[postgres,redis]"]]
    assert {"postgres", "redis"} <= set(extras)
    # Nothing from the dev extra by another route (its own packages named one by one).
    dev_packages = {re.split(r"[<>=\[ ]", spec)[0].lower() for spec in extras["dev"]}
    text = (ROOT / "Dockerfile").read_text().lower()
    named = {
        p for p in dev_packages - {"recovery-circle"} if re.search(rf"\b{re.escape(p)}\b", text)
    }
    assert not named, f"dev tools in the image: {named}"
    assert "-e" not in [word for install in pip_installs() for word in install]


@pytest.fixture
def production_server(tmp_path: Path, redis_url: str) -> Iterator[str]:
    """The production app (HTTPS redirect on) behind a real HTTP server on a free port."""
    app = create_app(
        production_settings(f"sqlite:///{tmp_path / 'portal.sqlite3'}", tmp_path, redis_url)
    )
    assert app.config["PORTAL_ENV"] == "production"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


def test_health_check_passes_against_the_production_app(production_server: str) -> None:
    (healthcheck,) = arguments_of("HEALTHCHECK")
    command = json.loads(healthcheck[healthcheck.index("CMD") + 3 :])
    assert command[:2] == ["python", "-c"]
    code = command[2]
    assert "http://127.0.0.1:8000/ping" in code
    done = subprocess.run(  # noqa: S603 - the Dockerfile's own check, run by this interpreter
        [sys.executable, "-c", code.replace("127.0.0.1:8000", production_server)],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 0, done.stderr
