"""The production topology, for real: two Celery workers and a beat (`celery -A governance
worker`, `celery -A governance beat`, as the Procfile starts them) on PostgreSQL and a Redis
database of their own, beat sweeping every two seconds. Appeals are filed, fixed and left
overdue through the services, so texts to residents, reminders, escalations, digests and a
referral fall due; the worker that takes the first text is killed with SIGKILL (its main
process and its pool) while it holds that task. Every due message must then be sent, each
exactly once: the witnesses are the texts the SMS provider was given (a provider that keeps
every text, repeats included: governance/tests/topology_witness.py) and the mails in Django's
file outbox (one Message-ID per message).

How the killed worker's text comes back: its claim on the message runs out
(NOTIFICATION_CLAIM_SECONDS) and the sweep hands the message to the other worker; later, its
unacknowledged task (acks_late) comes back from Redis (BROKER_VISIBILITY_TIMEOUT) and runs
again on the other worker, which must then send nothing.

Needs PostgreSQL and REDIS_URL (CI has both); skipped with the reason otherwise. It takes
about half a minute, most of it the workers starting and the claim and timeout running out."""

import ctypes
import email
import json
import os
import re
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import redis
from django.test import override_settings
from django.utils import timezone

from governance.models import Heartbeat
from governance.tests.live_worker import (
    CELERY,
    ROOT,
    broker_beside,
    needs_worker,
    publishing_to,
    wait_for,
    wait_until_logged,
    worker_environment,
)
from meetings.messaging import message_id
from meetings.models import Appeal, Department, Notification
from meetings.reminders import reminder_times
from meetings.services import appeal_report_fix, appeal_route, appeal_submit

pytestmark = needs_worker

SWEEP_SECONDS = 2  # beat runs the sweeps this often
CLAIM_SECONDS = 4  # a dead worker's claim on a message runs out after this
# A dead worker's task comes back after this: well after the sweep has sent its message
# again (claim + sweep), so that the task, run again, finds the message sent.
VISIBILITY_SECONDS = 12
SENT_FOR = ("email", "sms")
PR_SET_PDEATHSIG = 1


def _libc_prctl():
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except AttributeError:  # not Linux: the `finally` alone stops them
        return None


_prctl = _libc_prctl()  # looked up here, not between fork and exec


def _stop_with_parent() -> None:
    """SIGTERM this process when the process that started it dies (pytest killed by a CI
    timeout runs no `finally`)."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Topology:
    def __init__(self, folder: Path, broker: str):
        self.folder = folder
        self.broker = redis.Redis.from_url(broker)
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self._files = []

    def start(self, name: str, args: list[str], env: dict) -> None:
        """Start a Celery process in a process group of its own (the worker and its pool),
        told to stop (SIGTERM) if this test process dies first, so none is left behind."""
        self.logs[name] = self.folder / f"{name}.log"
        log = open(self.logs[name], "w")  # noqa: SIM115 - closed in stop()
        self._files.append(log)
        self.processes[name] = subprocess.Popen(
            [*CELERY, *args],
            cwd=ROOT,
            env={**env, "TOPOLOGY_WORKER": name},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_stop_with_parent,
        )

    def kill(self, name: str) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine: no warm shutdown, no ack."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for log in self._files:
            log.close()

    def log(self, name: str) -> str:
        return self.logs[name].read_text()

    @property
    def sms_path(self) -> Path:
        return self.folder / "sms.jsonl"


@pytest.fixture
def topology(transactional_db, tmp_path):
    """Two workers (w1, w2) and a beat on a Redis database emptied for them, writing texts
    and mails into tmp_path; stopped (and the database emptied) whatever happens."""
    broker = broker_beside(9)
    redis.Redis.from_url(broker).flushdb()
    env = worker_environment(
        broker=broker,
        SMS_BACKEND="governance.tests.topology_witness.WitnessBackend",
        SMS_FILE_PATH=str(tmp_path / "sms.jsonl"),
        # django-environ drops one leading slash of the path: four make it absolute
        EMAIL_URL=f"filemail:///{tmp_path / 'mail'}",
        SWEEP_INTERVAL_SECONDS=str(SWEEP_SECONDS),
        NOTIFICATION_CLAIM_SECONDS=str(CLAIM_SECONDS),
        BROKER_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS),
        BROKER_RESTORE_INTERVAL="1",
        WORKING_HOURS_START="0",
        WORKING_HOURS_END="24",
    )
    topology = Topology(tmp_path, broker)
    try:
        for name in ("w1", "w2"):
            # one task at a time each: the killed worker holds the text and nothing else
            topology.start(
                name,
                ["worker", "-n", f"{name}@%h", "--concurrency", "1", "--prefetch-multiplier", "1"]
                + ["--without-gossip", "--without-mingle", "-l", "INFO"],
                env,
            )
        topology.start("beat", ["beat", "-s", str(tmp_path / "beat-schedule"), "-l", "INFO"], env)
        for name in ("w1", "w2"):
            wait_until_logged(topology.processes[name], topology.logs[name], "ready.")
        wait_until_logged(topology.processes["beat"], topology.logs["beat"], "beat: Starting")
        with publishing_to(broker):
            yield topology
    finally:
        topology.stop()
        redis.Redis.from_url(broker).flushdb()


def tasks_taken(log: str) -> set[str]:
    """The ids of the tasks a worker took, from its log."""
    return set(re.findall(r"Task [\w.]+\[([\w-]+)\] received", log))


def tasks_unacknowledged(broker: redis.Redis) -> set[str]:
    """The ids of the tasks some worker has taken and not acknowledged (kombu keeps them
    in the `unacked` hash until the ack, or until the visibility timeout hands them on)."""
    return {json.loads(entry)[0]["headers"]["id"] for entry in broker.hvals("unacked")}


def texts_sent(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def mails_sent(folder: Path) -> list[email.message.Message]:
    """The mails Django's file backend wrote into `folder`."""
    mails = []
    for log in folder.glob("*.log"):
        for raw in log.read_text().split("-" * 79):
            if raw.strip():
                mails.append(email.message_from_string(raw.strip()))
    return mails


def delivered_messages() -> Counter:
    return Counter(
        Notification.objects.filter(channel__in=SENT_FOR, delivered_at__isnull=False).values_list(
            "kind", "address"
        )
    )


@override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)
def test_two_workers_and_beat_send_every_due_message_once_though_one_is_killed(
    topology, world, category
):
    started = time.monotonic()
    secretary, staff = world.secretary_a1, world.staff_a
    secretary.email, staff.email = "secretary@example.cn", "staff@example.cn"
    secretary.save(), staff.save()
    department = Department.objects.create(name="县住建局", level="county", emails="zjj@example.cn")
    phones = [f"1391234000{i}" for i in range(6)]
    appeals = [
        appeal_submit(  # the resident is texted the tracking code
            estate=world.a_estate,
            category=category,
            title=f"楼道灯坏了 {i}",
            description="3单元楼道灯一周没亮。",
            contact_name="张阿姨",
            contact_phone=phone,
            consent=True,
        )
        for i, phone in enumerate(phones)
    ]
    # 0-3 fixed by their handler (the resident is texted "fixed: is it solved?"); 4 being
    # handled by the community's staff; 5 referred to the department (which is mailed).
    handlers = [secretary, staff, secretary, staff, staff]
    for appeal, handler in zip(appeals, handlers, strict=False):
        appeal_route(appeal=appeal, to="handle", by=secretary, handler=handler)
    for appeal, handler in zip(appeals[:4], handlers, strict=False):
        appeal_report_fix(appeal=appeal, by=handler, public_note="已修好")
    appeal_route(appeal=appeals[5], to="refer", by=secretary, department=department)
    # Days pass (the due columns as they would stand then): the return visits of 0 and 1 fell
    # due yesterday (a reminder to the handler), those of 2 and 3 three days ago (escalated
    # to the branch secretary); 4 was due to be handled four days ago: overdue, in the
    # digests of its handler and of the branch secretary.
    for appeal, days in zip(appeals, [1, 1, 3, 3], strict=False):
        due = timezone.now() - timedelta(days=days)
        Appeal.objects.filter(pk=appeal.pk).update(
            return_visit_due_at=due, next_reminder_at=reminder_times(due)[0], next_due_at=due
        )
    Appeal.objects.filter(pk=appeals[4].pk).update(next_due_at=timezone.now() - timedelta(days=4))
    due = Counter(
        [("sms_submitted", phone) for phone in phones]
        + [("sms_resolved", phone) for phone in phones[:4]]
        + [("visit_reminder", secretary.email), ("visit_reminder", staff.email)]
        + [("visit_escalation", secretary.email)] * 2
        + [("digest", secretary.email), ("digest", staff.email)]
        + [("referral", department.emails)]
    )

    # The worker given the first text holds it (topology_witness.py): kill it there.
    held_path = topology.sms_path.with_suffix(".held")
    assert wait_for(held_path.exists), "no worker took a text"
    held = json.loads(held_path.read_text())
    victim = held["worker"]
    survivor = "w2" if victim == "w1" else "w1"
    topology.kill(victim)
    killed_after = time.monotonic() - started
    # What it held: taken by it and never acknowledged (the text's task among them).
    lost = tasks_taken(topology.log(victim)) & tasks_unacknowledged(topology.broker)
    assert held["task"] in lost, "the task holding the text was acknowledged before it ran"

    assert wait_for(lambda: delivered_messages() == due, seconds=60), (
        f"delivered {delivered_messages()}, due {due}"
    )
    all_sent = timezone.now()

    def lost_tasks_run_again():
        taken = tasks_taken(topology.log(survivor))
        return lost <= taken and not lost & tasks_unacknowledged(topology.broker)

    # Redis hands the dead worker's tasks to the survivor, which runs them to the end.
    assert wait_for(lost_tasks_run_again, seconds=VISIBILITY_SECONDS + 30), (
        f"the killed worker's tasks {lost} were not run again"
    )
    # And a sweep completes after the last message went out (and finds nothing to send).
    assert wait_for(
        lambda: Heartbeat.objects.filter(name="meetings-sweeps", at__gt=all_sent).exists()
    )
    elapsed = time.monotonic() - started
    print(f"topology: {victim} killed after {killed_after:.1f} s, all done after {elapsed:.1f} s")

    messages = Notification.objects.filter(channel__in=SENT_FOR)
    assert Counter(messages.values_list("kind", "address")) == due  # nothing more
    assert all(m.delivered_at and not m.last_error for m in messages)

    # The witnesses: each message once, to its recipient, and nothing else.
    texts = texts_sent(topology.sms_path)
    sms = {m.dedupe_key: m for m in messages if m.channel == "sms"}
    assert Counter(t["key"] for t in texts) == Counter(sms.keys())
    assert all(t["to"] == sms[t["key"]].address for t in texts)
    mails = mails_sent(topology.folder / "mail")
    mailed = {message_id(m.dedupe_key): m for m in messages if m.channel == "email"}
    assert Counter(mail["Message-ID"] for mail in mails) == Counter(mailed.keys())
    for mail in mails:
        message = mailed[mail["Message-ID"]]
        assert mail["To"] == message.address
        assert str(make_header(decode_header(mail["Subject"]))) == message.subject

    # The held text: claimed by the dead worker, sent by the survivor on the next attempt.
    text = sms[held["key"]]
    assert text.attempts == 2
    assert [t["worker"] for t in texts if t["key"] == held["key"]] == [survivor]
    assert all(m.attempts == 1 for m in messages if m.pk != text.pk)
