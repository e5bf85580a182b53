"""The superusers' health page (/admin/health/, in the admin's look, linked from the staff
home): what /healthz says, with the counts behind it: each periodic job's last completed
run and how late it is, the late messages by kind and channel, the replica's lag. Other
staff get 403; anonymous visitors the log-in page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.heartbeats import heartbeat_record
from meetings.models import Notification

from .dashboard_helpers import in_english
from .test_healthz_undelivered import reminder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def root(client, world):
    in_english(client).force_login(world.superuser)
    return world


def test_a_superuser_sees_each_part_and_the_counts_behind_it(client, root, settings):
    settings.HEALTH_SWEEP_STALE_MINUTES = 15
    now = timezone.now()
    heartbeat_record(name="meetings-sweeps", at=now - timedelta(minutes=40))  # stopped
    heartbeat_record(name="survey-task-reminders", at=now - timedelta(minutes=2))
    root.staff_a.email = "guangda@example.cn"
    root.staff_a.save()
    reminder(root.staff_a, "late", due_ago=timedelta(hours=3))
    Notification.objects.filter(dedupe_key="test:late").update(attempts=99)  # given up

    html = client.get("/admin/health/").content.decode()
    assert 'id="health-db"' in html and "Database" in html
    assert "Read replica" in html and "not configured" in html
    jobs = html[html.index('id="health-jobs"') : html.index('id="health-messages"')]
    late = jobs[jobs.index('id="job-meetings-sweeps"') :]
    late = late[: late.index("</tr>")]
    assert "every 5 minutes" in late and "⚠" in late  # 40 minutes since, due every 5
    on_time = jobs[jobs.index('id="job-survey-task-reminders"') :]
    assert "⚠" not in on_time[: on_time.index("</tr>")]
    never = jobs[jobs.index('id="job-appeals-retention"') :]
    assert "never ran" in never[: never.index("</tr>")]
    messages = html[html.index('id="health-messages"') :]
    assert "survey task due soon" in messages and "e-mail" in messages
    row = messages[messages.index("survey task due soon") :]
    assert "<td>e-mail</td><td>1</td><td>1</td>" in row[: row.index("</tr>")]  # 1, given up


def test_the_page_is_in_chinese_by_default(client, world):
    client.force_login(world.superuser)
    html = client.get("/admin/health/").content.decode()
    assert "运行状况" in html and "数据库" in html and "只读副本" in html


def test_other_staff_are_refused(client, world):
    client.force_login(world.town_user)
    assert client.get("/admin/health/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/admin/health/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_staff_home_links_it_for_superusers_only(client, world):
    client.force_login(world.superuser)
    assert 'href="/admin/health/"' in client.get("/admin/").content.decode()
    client.force_login(world.town_user)
    assert 'href="/admin/health/"' not in client.get("/admin/").content.decode()
