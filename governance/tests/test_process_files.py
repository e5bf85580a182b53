"""The process files an operator deploys from: the Procfile, the systemd units under
deploy/systemd/ and deploy/gunicorn.conf.py. Their commands start our code (the WSGI
application gunicorn loads, the Celery app `-A governance` finds, the manage.py command),
the units run the Procfile's commands, gunicorn's settings come from the environment, its
access log keeps tracking codes and query strings out, and the README's production section
lists every process. (CI runs the Procfile's web line for real: scripts/production_check.sh.)"""

import configparser
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
VENV_BIN = "/srv/governance/.venv/bin/"
# Which Procfile process each unit runs.
UNIT_OF = {
    "web": "governance-web.service",
    "worker": "governance-worker@.service",
    "beat": "governance-beat.service",
}


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    entries = [re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line) for line in lines if line.strip()]
    assert all(entries), "every Procfile line is 'name: command'"
    return {entry[1]: entry[2].strip() for entry in entries}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string((UNITS / name).read_text())
    return parser


def clean_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(DEBUG="false", SECRET_KEY="process-files-test-" + "k" * 40, **extra)
    return env


def gunicorn_settings(argv: list[str], **env) -> dict[str, str]:
    """gunicorn's own resolved settings for this command line: it reads the config file and
    loads the application (so a module that is not there fails here), then prints them."""
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bin_dir / argv[0]), *argv[1:], "--print-config"],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.M))


def test_the_procfile_has_the_release_step_and_the_three_processes():
    assert set(procfile()) == {"release", "web", "worker", "beat"}


def test_the_web_process_loads_the_wsgi_application_with_the_config_file():
    argv = shlex.split(procfile()["web"])
    assert argv[0] == "gunicorn"
    assert "governance.wsgi:application" in argv
    config = argv[argv.index("-c") + 1]
    assert (ROOT / config).is_file()
    # gunicorn itself loads the application named here, through the config file
    assert gunicorn_settings(argv)["wsgi_app"] in ("None", "governance.wsgi:application")


@pytest.mark.parametrize("process, command", [("worker", "worker"), ("beat", "beat")])
def test_the_celery_processes_name_the_governance_app(process, command):
    from celery.app.utils import find_app

    argv = shlex.split(procfile()[process])
    assert argv[:3] == ["celery", "-A", "governance"]
    assert argv[3] == command
    app = find_app(argv[2])  # what `celery -A governance` finds
    assert app.main == "governance"
    assert "meetings.tasks.run_sweeps" in {e["task"] for e in app.conf.beat_schedule.values()}


def test_the_release_step_migrates():
    from django.core.management import get_commands

    argv = shlex.split(procfile()["release"])
    assert argv[:2] == ["python", "manage.py"] and (ROOT / "manage.py").is_file()
    assert argv[2] == "migrate" and argv[2] in get_commands()
    assert "--noinput" in argv  # a release step cannot answer a question


@pytest.mark.parametrize("process", sorted(UNIT_OF))
def test_each_unit_runs_the_procfiles_command_as_a_dedicated_user(process):
    service = unit(UNIT_OF[process])["Service"]
    exec_start = service["ExecStart"]
    assert exec_start.startswith(VENV_BIN)
    # the Procfile's command, from the virtualenv; a unit may add options after it
    assert exec_start[len(VENV_BIN) :].startswith(procfile()[process])
    assert service["WorkingDirectory"] == "/srv/governance"
    assert service["EnvironmentFile"] == "/etc/governance/env"
    assert service["User"] == "governance" and service["Group"] == "governance"
    assert service["Restart"] in ("always", "on-failure")


def test_each_worker_instance_has_a_name_of_its_own():
    argv = shlex.split(unit(UNIT_OF["worker"])["Service"]["ExecStart"])
    hostname = argv[argv.index("--hostname") + 1]
    assert "%i" in hostname  # governance-worker@1 and @2 are two workers, not one name twice


def test_the_beat_keeps_its_schedule_under_var_lib():
    service = unit(UNIT_OF["beat"])["Service"]
    argv = shlex.split(service["ExecStart"])
    schedule = argv[argv.index("--schedule") + 1]
    assert schedule.startswith(f"/var/lib/{service['StateDirectory']}/")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """As installed: the code and its virtualenv under a temporary root instead of /srv."""
    app = tmp_path / "app"
    (app / ".venv" / "bin").mkdir(parents=True)
    for program in ("gunicorn", "celery"):
        path = app / ".venv" / "bin" / program
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    names = {
        "governance-web.service": "governance-web.service",
        "governance-worker@.service": "governance-worker@1.service",
        "governance-beat.service": "governance-beat.service",
    }
    for source, target in names.items():
        text = (UNITS / source).read_text().replace("/srv/governance", str(app))
        (tmp_path / target).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / t) for t in names.values())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_gunicorn_takes_its_settings_from_the_environment():
    argv = shlex.split(procfile()["web"])
    given = gunicorn_settings(
        argv,
        GUNICORN_BIND="127.0.0.1:9123",
        GUNICORN_WORKERS="5",
        GUNICORN_TIMEOUT="77",
        GUNICORN_GRACEFUL_TIMEOUT="21",
        GUNICORN_MAX_REQUESTS="0",
        TRUSTED_PROXIES="127.0.0.1, 10.1.2.3/8",
    )
    assert given["bind"] == "['127.0.0.1:9123']"
    assert given["workers"] == "5"
    assert given["timeout"] == "77"
    assert given["graceful_timeout"] == "21"
    assert given["max_requests"] == "0"
    # the site's TRUSTED_PROXIES, as networks gunicorn accepts (it refuses 10.1.2.3/8)
    assert given["forwarded_allow_ips"] == "['127.0.0.1/32', '10.0.0.0/8']"


def test_gunicorn_defaults_behind_a_local_proxy_with_workers_from_the_cpus():
    argv = shlex.split(procfile()["web"])
    defaults = gunicorn_settings(argv)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert defaults["workers"] == str(min(2 * cpus + 1, 12))
    assert defaults["bind"] == "['127.0.0.1:8000']"  # behind the proxy only
    assert defaults["timeout"] == "30"
    assert defaults["forwarded_allow_ips"] == "[]"  # no proxy named: no header believed
    # JSON logs (production's default): the site's own line per request, not gunicorn's
    assert defaults["accesslog"] == "None"
    assert gunicorn_settings(argv, LOG_FORMAT="text")["accesslog"] == "-"
    assert "%(M)s" in defaults["access_log_format"]  # each request's duration
    # a platform's WEB_CONCURRENCY is honoured when GUNICORN_WORKERS is not set
    assert gunicorn_settings(argv, WEB_CONCURRENCY="3")["workers"] == "3"


def test_a_bad_number_stops_gunicorn_saying_which_variable():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--check-config"]
        + shlex.split(procfile()["web"])[1:],
        cwd=ROOT,
        env=clean_env(GUNICORN_WORKERS="four"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "GUNICORN_WORKERS='four' is not a whole number" in result.stdout + result.stderr


def load_config():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "deploy/gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "path, query, logged",
    [
        ("/appeals/track/K7QF93MX/", "", "/appeals/track/[code]/"),
        ("/appeals/submitted/K7QF-93MX/", "", "/appeals/submitted/[code]/"),
        (
            "/open311/v2/requests/K7QF93MX.json",
            "api_key=secret",
            "/open311/v2/requests/[code].json",
        ),
        ("/admin/meetings/appeal/", "q=13912345678", "/admin/meetings/appeal/"),
    ],
)
def test_the_access_log_has_the_duration_and_no_code_or_query_string(tmp_path, path, query, logged):
    from gunicorn.config import Config

    config = load_config()
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", config.access_log_format)
    logger = config.logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://gov.example.cn/appeals/submitted/K7QF93MX/?q=13912345678",
        "HTTP_USER_AGENT": "test",
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "203.0.113.9")])
    logger.access(response, request, environ, timedelta(seconds=1, microseconds=250_000))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = (tmp_path / "access.log").read_text()
    assert f'"GET {logged} HTTP/1.1" 200 1234 1250ms' in line
    assert line.startswith("203.0.113.9 127.0.0.1 ")
    assert "K7QF" not in line and "13912345678" not in line and "secret" not in line


def production_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("\n## Production\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


def test_the_readme_production_section_lists_every_process_of_the_procfile():
    section = production_section()
    for name, command in procfile().items():
        assert f"{name}: {command}" in section, f"the README does not show {name}: {command}"
    assert "docs/operations.md" in section and (ROOT / "docs/operations.md").is_file()
