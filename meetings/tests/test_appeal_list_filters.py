"""The appeals list's filters name people as its columns do (a handler by full name) and
offer only what the user's scope holds."""

import re

from django.urls import reverse

from meetings.services import appeal_route


def test_the_handler_filter_names_handlers_as_the_column_does(client, world, new_appeal):
    world.secretary_a1.first_name = "李书记"
    world.secretary_a1.save(update_fields=["first_name"])
    appeal_route(appeal=new_appeal(), to="handle", by=world.secretary_a1)
    client.force_login(world.staff_a)
    html = client.get(reverse("admin:meetings_appeal_changelist")).content.decode()
    handler_filter = re.search(r"handler__id__exact=.*?</ul>", html, re.S).group(0)
    assert "李书记" in handler_filter
    assert f">{world.secretary_a1.username}<" not in handler_filter
    assert world.staff_b.username not in handler_filter  # another community's staff
