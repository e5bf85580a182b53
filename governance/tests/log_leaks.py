"""The test suite's check that no log line holds a mobile number, a tracking code or a
resident's name (issue 14: "a test greps the captured logs of the whole suite").

A pytest plugin, loaded by the root conftest.py. Every record logged during the run, by any
logger (propagating or not), is written as a JSON line (governance.logs.JsonFormatter) to a
file in a temporary folder, as the code logged it: before any handler's RedactFilter, which is
only the safety net. At the end of the run the file is searched and the run fails, naming
each offending logger, when a line holds

- a mainland mobile number (11 digits, 1[3-9]..., not inside a longer word or number);
- a tracking code made during the run (recorded as each appeal is saved) in any case, with or
  without its hyphen, or any word in the code's shape with a digit and a capital letter
  (a code a test made up, K7QF-93MX), or whatever follows a path that carries a code
  (/appeals/track/…/, unless it is "[redacted]");
- the name of a resident or member saved during the run (appeal contacts, members), or a
  name of the demo (branches.demo: surname + given name).

Records are taken where `Logger.callHandlers` hands them to the handlers, so a logger that
does not propagate, or a test that reconfigures logging, cannot hide them.
"""

import logging
import os
import re
import tempfile
from pathlib import Path

import pytest

from governance.logs import JsonFormatter
from meetings.tracking import ALPHABET

MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")
# what could be a code, as a word of its own, in any case; looked up in the codes made
CODE_WORD = re.compile(
    rf"(?<![A-Za-z0-9])([{ALPHABET}]{{4}})-?([{ALPHABET}]{{4}})(?![A-Za-z0-9])", re.IGNORECASE
)
# a made-up code: the shape in capitals, with at least one digit and one letter
CODE_SHAPED = re.compile(
    rf"(?<![A-Za-z0-9])(?=[{ALPHABET}-]*[3-9])(?=[{ALPHABET}-]*[A-Z])"
    rf"[{ALPHABET}]{{4}}-?[{ALPHABET}]{{4}}(?![A-Za-z0-9])"
)
# a path that carries a code (meetings/urls.py, open311/urls.py), with the code still in it
CODE_IN_PATH = re.compile(
    r"/(?:appeals/(?:submitted|track)|open311/v2/requests)/(?![\[<])[^/\s\"'.?]+", re.IGNORECASE
)
SHORTEST_NAME = 2


class _Capture:
    def __init__(self, path: Path):
        self.path = path
        self.handler = logging.FileHandler(path, encoding="utf-8", delay=False)
        self.handler.setFormatter(JsonFormatter())
        self.codes: set[str] = set()
        self.names: set[str] = set()
        self.original = None
        self.report: list[str] = []

    def install(self):
        capture = self.handler
        original = self.original = logging.Logger.callHandlers

        def callHandlers(logger, record):  # noqa: N802 - logging's name
            capture.handle(record)
            original(logger, record)

        logging.Logger.callHandlers = callHandlers

    def uninstall(self):
        if self.original is not None:
            logging.Logger.callHandlers = self.original
        self.handler.close()

    def record_appeal(self, sender=None, instance=None, **kwargs):
        if instance.code:
            self.codes.add(instance.code.upper())
        self._name(instance.contact_name)

    def record_member(self, sender=None, instance=None, **kwargs):
        self._name(instance.name)

    def _name(self, name: str):
        name = (name or "").strip()
        if len(name) >= SHORTEST_NAME:
            self.names.add(name)


def leaks_in(lines, *, codes=frozenset(), names=frozenset()) -> list[tuple[str, str]]:
    """(logger, what) for each line holding personal data."""
    import json

    found = []
    names_pattern = (
        re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
        if names
        else None
    )
    for line in lines:
        try:
            logger = json.loads(line).get("logger", "?")  # one record per line (JSON)
        except ValueError:
            logger = "?"
        what = []
        if MOBILE.search(line):
            what.append("a mobile number")
        if (
            any((a + b).upper() in codes for a, b in CODE_WORD.findall(line))
            or CODE_SHAPED.search(line)
            or CODE_IN_PATH.search(line)
        ):
            what.append("a tracking code")
        if names_pattern and names_pattern.search(line):
            what.append("a name")
        if what:
            found.append((logger, ", ".join(what)))
    return found


def _demo_names() -> set[str]:
    try:
        from branches.demo import GIVEN, SURNAMES
    except Exception:  # noqa: BLE001 - outside this project (the check's own test)
        return set()
    return {surname + given for surname in SURNAMES for given in GIVEN}


_capture: _Capture | None = None


def pytest_configure(config):
    global _capture
    folder = Path(tempfile.mkdtemp(prefix="governance-test-logs-"))
    _capture = _Capture(folder / "records.jsonl")
    _capture.install()
    try:
        from django.conf import settings
        from django.db.models.signals import post_save

        if settings.configured:
            post_save.connect(_capture.record_appeal, sender="meetings.Appeal", weak=False)
            post_save.connect(_capture.record_member, sender="branches.Member", weak=False)
    except ImportError:
        pass


def pytest_sessionfinish(session, exitstatus):
    if _capture is None:
        return
    _capture.uninstall()
    names = _capture.names | _demo_names()
    with open(_capture.path, encoding="utf-8") as lines:
        found = leaks_in(lines, codes=_capture.codes, names=names)
    if not found:
        if os.environ.get("LOG_LEAKS_KEEP") != "1":
            _capture.path.unlink(missing_ok=True)
            _capture.path.parent.rmdir()
        return
    by_logger: dict[str, set[str]] = {}
    for logger, what in found:
        by_logger.setdefault(logger, set()).add(what)
    _capture.report = [
        f"logger {logger!r}: {', '.join(sorted(whats))}" for logger, whats in by_logger.items()
    ]
    _capture.report.append(f"(the lines are in {_capture.path})")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _capture is not None and _capture.report:
        terminalreporter.section("personal data in log lines", sep="=", red=True, bold=True)
        for line in _capture.report:
            terminalreporter.line(line, red=True)
        terminalreporter.line("FAILED: a log line holds personal data", red=True, bold=True)
