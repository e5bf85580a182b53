"""Structured logs (issue 14): one JSON line per request and per task run, the request id
echoed to the client and carried into the tasks a request enqueues, and no phone number,
name or tracking code in a line. Human-readable lines stay the default under DEBUG.

Lines are read as an operator reads them: each record formatted by the formatter that
settings.LOGGING gives the console handler (JSON under the test settings, as in production).
"""

import contextlib
import json
import logging
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from governance.celery import app
from governance.logs import JsonFormatter, RedactFilter, TextFormatter, request_id_var
from meetings.services import appeal_submit
from meetings.tracking import format_code

from .live_worker import needs_worker, running_worker, wait_for
from .test_settings_from_environment import run_settings

ROOT = Path(__file__).resolve().parents[2]


def lines(caplog, logger: str) -> list[dict]:
    """The JSON lines `logger` wrote, as the console handler writes them."""
    assert settings.LOG_FORMAT == "json"
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == logger]


@pytest.fixture
def appeal(world, category):
    return appeal_submit(
        estate=world.a_estate,
        category=category,
        title="楼道灯坏了",
        description="3单元楼道灯一周没亮。",
        contact_name="张阿姨",
        contact_phone="13912345678",
        consent=True,
    )


def test_a_request_is_one_json_line_naming_its_route_never_the_code(client, appeal, caplog):
    caplog.set_level(logging.INFO)
    response = client.get(f"/appeals/track/{appeal.display_code}/")
    assert response.status_code == 200

    [line] = lines(caplog, "governance.requests")
    assert line["route"] == "appeals/track/<str:code>/"
    assert line["method"] == "GET" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert line["user_id"] is None and line["level"] == "INFO"
    assert datetime.fromisoformat(line["time"]).tzinfo is not None
    text = json.dumps(line)
    for shown in (appeal.code, appeal.display_code, appeal.code.lower()):
        assert shown not in text


def test_every_request_gets_its_own_id(client, db):
    first = client.get("/appeals/track/")["X-Request-ID"]
    second = client.get("/appeals/track/")["X-Request-ID"]
    assert first != second


class Records(logging.Handler):
    """The records of one logger as its own handler sees them: before they propagate to the
    root's handlers (whose RedactFilter, the safety net, would hide what the logger said)."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):  # formatted now: a handler after this one changes the record
        self.lines.append(json.loads(JsonFormatter().format(record)))


@contextlib.contextmanager
def lines_of(name: str):
    logger = logging.getLogger(name)
    seen = Records()
    logger.addHandler(seen)
    try:
        yield seen.lines
    finally:
        logger.removeHandler(seen)


def test_a_tracking_page_not_found_logs_no_code_and_names_the_request(client, db):
    with lines_of("django.request") as seen:
        response = client.get("/appeals/track/k7qf-93mx/")
    assert response.status_code == 404
    [line] = seen
    # Django's own "Not Found: <path>", the code in its path redacted on the logger itself
    assert line["message"] == "Not Found: /appeals/track/[redacted]/"
    # logged after our middleware: the request it names gives the id
    assert line["request_id"] == response["X-Request-ID"]


def test_djangos_security_line_does_not_repeat_a_phone_typed_into_the_url(client, world):
    client.force_login(world.superuser)
    with lines_of("django.security.DisallowedModelAdminToField") as seen:
        response = client.get("/admin/meetings/appeal/", {"_to_field": "13912345678"})
    assert response.status_code == 400
    [line] = seen
    assert line["message"] == "The field [redacted] cannot be referenced."
    assert "13912345678" not in json.dumps(line)


def test_the_signed_in_user_is_logged_by_id_and_never_by_name(client, world, caplog):
    caplog.set_level(logging.INFO)
    world.staff_a.first_name = "王秀英"
    world.staff_a.save()
    client.force_login(world.staff_a)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    [line] = lines(caplog, "governance.requests")
    assert line["user_id"] == world.staff_a.pk
    assert line["route"] == "dashboard/"
    text = json.dumps(line, ensure_ascii=False)
    assert "王秀英" not in text and world.staff_a.username not in text


@pytest.mark.parametrize(
    ("given", "taken"),
    [
        ("4f1c2a9be0d34c55a1f0e2d3c4b5a697", True),  # nginx's $request_id
        ("4f1c2a9b-e0d3-4c55-a1f0-e2d3c4b5a697", True),  # a UUID
        ("x" * 65, False),  # too long
        ("abc def <script>", False),  # not our charset
        ("req-13912345678-1", False),  # a phone: never logged, even as an id
        ("", False),
    ],
)
def test_the_proxys_request_id_is_taken_when_well_formed(client, db, caplog, given, taken):
    caplog.set_level(logging.INFO)
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        response = client.get("/appeals/track/", HTTP_X_REQUEST_ID=given)
    assert (response["X-Request-ID"] == given) is taken
    [line] = lines(caplog, "governance.requests")
    assert line["request_id"] == response["X-Request-ID"]
    if not taken:
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_request_id_from_anyone_but_our_proxies_is_not_believed(client, db):
    given = "4f1c2a9be0d34c55a1f0e2d3c4b5a697"
    with override_settings(TRUSTED_PROXIES=[]):
        response = client.get("/appeals/track/", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given


def test_the_request_id_is_carried_into_the_task_the_request_enqueues(
    client, transactional_db, form_data, caplog
):
    """The public form files the appeal, and after the commit the resident's text is handed
    to Celery (eager here, as under make run): the task's line has the request's id."""
    caplog.set_level(logging.INFO)
    response = client.post("/appeals/new/", form_data)
    assert response.status_code == 302
    request_id = response["X-Request-ID"]

    tasks = lines(caplog, "governance.tasks.runs")
    assert tasks, "no task line: the form enqueued no task"
    assert {t["task_name"] for t in tasks} >= {"meetings.tasks.deliver_notification"}
    assert all(t["request_id"] == request_id for t in tasks)
    assert all(t["state"] == "SUCCESS" and t["duration_ms"] >= 0 for t in tasks)
    [request_line] = lines(caplog, "governance.requests")
    assert request_line["request_id"] == request_id
    # the text went to the phone; the phone and the name went to no line
    logged = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert form_data["contact_phone"] not in logged and form_data["contact_name"] not in logged


@app.task(name="governance.tests.test_structured_logs.sample")
def sample(fail=False):
    if fail:
        raise ValueError("sample failure")
    return "done"


def test_one_line_per_task_run_with_its_state(caplog):
    caplog.set_level(logging.INFO)
    token = request_id_var.set("4f1c2a9be0d34c55a1f0e2d3c4b5a697")
    try:
        sample.delay()
        sample.delay()
        with pytest.raises(ValueError):
            sample.delay(fail=True)
        # the caller's id is back after each eager run
        assert request_id_var.get() == "4f1c2a9be0d34c55a1f0e2d3c4b5a697"
    finally:
        request_id_var.reset(token)
    runs = lines(caplog, "governance.tasks.runs")
    assert [r["state"] for r in runs] == ["SUCCESS", "SUCCESS", "FAILURE"]
    assert [r["level"] for r in runs] == ["INFO", "INFO", "ERROR"]
    assert {r["task_name"] for r in runs} == {sample.name}
    assert len({r["task_id"] for r in runs}) == 3
    assert {r["request_id"] for r in runs} == {"4f1c2a9be0d34c55a1f0e2d3c4b5a697"}


def test_a_task_run_outside_a_request_has_an_id_for_what_it_enqueues(caplog):
    """A sweep started by beat: its own id, which the tasks it enqueues carry."""
    caplog.set_level(logging.INFO)
    sample.delay()
    [run] = lines(caplog, "governance.tasks.runs")
    assert run["request_id"] == run["task_id"]
    assert request_id_var.get() is None


@needs_worker[0]
@needs_worker[1]
def test_a_real_worker_logs_the_task_with_the_request_id_its_message_carried(
    transactional_db, tmp_path
):
    """The id travels in the message header to another process, whose logs are the site's
    JSON lines (settings.LOGGING, not Celery's own set-up)."""
    request_id = "4f1c2a9be0d34c55a1f0e2d3c4b5a697"
    with running_worker(tmp_path / "worker.log") as log:
        token = request_id_var.set(request_id)
        try:
            app.send_task("governance.tasks.sessions_clear_expired")
        finally:
            request_id_var.reset(token)

        def task_line():
            for raw in log.read_text().splitlines():
                try:
                    line = json.loads(raw)
                except ValueError:
                    continue  # Celery's banner
                if line.get("logger") == "governance.tasks.runs":
                    return line
            return None

        assert wait_for(task_line, seconds=60), log.read_text()[-3000:]
        line = task_line()
    assert line["task_name"] == "governance.tasks.sessions_clear_expired"
    assert line["state"] == "SUCCESS" and line["request_id"] == request_id


def test_the_redaction_filter_takes_phones_and_codes_out_of_every_part_of_a_line():
    """The safety net on every handler. Records are built here, not logged: a phone logged
    on purpose would (rightly) fail the suite's own check of its log lines."""
    try:
        raise RuntimeError("duplicate key (contact_phone)=(139 1234 5678)")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "meetings.messaging",
        logging.WARNING,
        __file__,
        1,
        "sms to %s about %s failed; %s",
        ("+86 13912345678", "K7QF-93MX", 42),
        exc_info,
    )
    assert RedactFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "1391234" not in line.replace(" ", "") and "K7QF" not in line
    assert json.loads(line)["message"] == "sms to [redacted] about [redacted] failed; 42"
    assert "[redacted]" in json.loads(line)["exception"]


def test_redaction_takes_a_phone_typed_in_fullwidth_or_other_digits():
    """Residents type numbers on Chinese keyboards (fullwidth) or in another script's digits:
    the redaction finds them as the retention job does (branches.phones.mobiles_replaced)."""
    record = logging.LogRecord(
        "meetings.views",
        logging.WARNING,
        __file__,
        1,
        "form refused: %s / %s",
        (
            "\uff11\uff13\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",
            "\u0661\u0663\u0669 1234 5678",
        ),
        None,
    )
    RedactFilter().filter(record)
    assert record.getMessage() == "form refused: [redacted] / [redacted]"


def test_redaction_keeps_what_is_not_personal():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "notification %s: %s attempts, %s", (12345, 3, "ok"), None
    )
    RedactFilter().filter(record)
    assert record.getMessage() == "notification 12345: 3 attempts, ok"


def test_redaction_takes_a_code_out_of_a_path_in_any_case():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/appeals/track/k7qf93mx/",),
        None,
    )
    RedactFilter().filter(record)
    assert record.getMessage() == "Not Found: /appeals/track/[redacted]/"


def test_the_text_format_is_for_people_and_carries_the_request_id():
    record = logging.LogRecord(
        "governance.requests", logging.INFO, __file__, 1, "GET x 200", (), None
    )
    token = request_id_var.set("4f1c2a9be0d34c55a1f0e2d3c4b5a697")
    try:
        line = TextFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert line.endswith("INFO governance.requests GET x 200 [4f1c2a9b]")


LOG_A_LINE = """
import django, logging
django.setup()
logging.getLogger("governance.example").warning("the broker is down")
"""


@pytest.mark.parametrize(
    ("env", "fmt"),
    [
        ({"DEBUG": "true"}, "text"),  # make run
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50}, "json"),  # production
        ({"DEBUG": "true", "LOG_FORMAT": "json"}, "json"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50, "LOG_FORMAT": "text"}, "text"),
    ],
)
def test_logs_are_text_under_debug_and_json_in_production_unless_told(env, fmt):
    result = run_settings(LOG_A_LINE, **env)
    assert result.returncode == 0, result.stderr
    [line] = [x for x in result.stderr.splitlines() if "the broker is down" in x]
    if fmt == "json":
        assert json.loads(line)["logger"] == "governance.example"
    else:
        with pytest.raises(ValueError):
            json.loads(line)
        assert "WARNING governance.example the broker is down" in line


def test_a_log_format_that_is_neither_is_refused():
    result = run_settings(DEBUG="true", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT" in result.stderr


LEAKY_TEST = """
import logging

def test_logs_a_phone():
    logging.getLogger("meetings.leaky").warning("calling %s", "13912345678")

def test_logs_a_code_on_a_quiet_logger():
    quiet = logging.getLogger("zeroindex.quiet")
    quiet.propagate = False
    quiet.warning("code K7QF-93MX")
"""

CLEAN_TEST = """
import logging

def test_logs_nothing_personal():
    logging.getLogger("meetings.clean").warning("notification 12 failed after 3 attempts")
"""


def run_inner_suite(tmp_path, source):
    (tmp_path / "test_inner.py").write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider"]
        + ["-p", "governance.tests.log_leaks", "-q", str(tmp_path / "test_inner.py")],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "true",
            "TMPDIR": str(tmp_path),  # its captured lines stay in the test's folder
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_suites_log_check_fails_a_run_that_logged_a_phone_or_a_code(tmp_path):
    """The check this suite runs at its end (governance/tests/log_leaks.py), on a small suite
    of its own whose tests pass but log personal data."""
    result = run_inner_suite(tmp_path, LEAKY_TEST)
    assert "2 passed" in result.stdout
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout
    assert "logger 'meetings.leaky': a mobile number" in result.stdout
    assert "logger 'zeroindex.quiet': a tracking code" in result.stdout  # not propagating


def test_the_suites_log_check_passes_a_clean_run(tmp_path):
    result = run_inner_suite(tmp_path, CLEAN_TEST)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "personal data" not in result.stdout


def test_the_codes_and_names_made_in_the_run_are_looked_for():
    from .log_leaks import leaks_in

    codes = {"3DQP7D6D"}
    names = {"欧阳娜娜"}
    found = leaks_in(
        [
            '{"logger": "a", "message": "track/3dqp-7d6d"}',  # a code made in the run, any case
            '{"logger": "b", "message": "from 欧阳娜娜"}',
            '{"logger": "c", "message": "REFERRED 42 ACCEPTED"}',  # words, not codes
            '{"logger": "d", "request_id": "4f1c2a9be0d34c5513912345678a0e2d"}',
            '{"logger": "e", "message": "Not Found: /appeals/track/whatever/"}',
            '{"logger": "f", "message": "GET appeals/track/<str:code>/ 404"}',  # a route
            '{"logger": "g", "message": "Not Found: /open311/v2/requests/[redacted].json"}',
        ],
        codes=codes,
        names=names,
    )
    assert found == [("a", "a tracking code"), ("b", "a name"), ("e", "a tracking code")]
    assert format_code("3DQP7D6D") == "3DQP-7D6D"
