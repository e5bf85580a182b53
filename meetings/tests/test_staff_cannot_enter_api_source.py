"""Staff enter appeals from phone calls, visits and meetings; "API" is the mark of another
system's key (Open311), so the add page does not offer it and refuses it when posted."""

import pytest
from django.urls import reverse

from meetings.models import Appeal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("source", ["api", "web_form"])
def test_the_add_page_refuses_a_source_staff_do_not_type_in(client, world, category, source):
    client.force_login(world.staff_a)
    page = client.get(reverse("admin:meetings_appeal_add"))
    assert f'value="{source}"' not in page.content.decode()
    response = client.post(
        reverse("admin:meetings_appeal_add"),
        {
            "estate": world.a_estate.pk,
            "category": category.pk,
            "title": "电话反映：噪音",
            "description": "夜间施工噪音",
            "source": source,
        },
    )
    assert response.status_code == 200  # the form again, with the message beside the field
    assert "source" in response.context["adminform"].form.errors
    assert not Appeal.objects.exists()
