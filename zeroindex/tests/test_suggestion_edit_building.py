"""Editing a suggestion on its page: the building must be one of its survey's estate. Staff of
the community may see the buildings of its other estates too; choosing one is refused next to
the field with what was typed kept (on PostgreSQL a trigger would otherwise answer with a
server error), and the list offers only the round's estate's buildings."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_building_of_another_estate_is_refused_on_the_form(client, world, survey):
    suggestion = survey.suggestions.get(number=1)
    client.force_login(world.staff_a)
    page = reverse("admin:zeroindex_suggestion_change", args=[suggestion.pk])

    response = client.post(
        page, {"text": "楼道灯坏了，晚上看不见路", "category": "", "building": world.a2_building.pk}
    )

    assert response.status_code == 200
    assert "building" in response.context["adminform"].form.errors
    assert "楼道灯坏了，晚上看不见路" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.building is None


def test_only_the_round_estates_buildings_are_offered(client, world, survey):
    suggestion = survey.suggestions.get(number=1)
    client.force_login(world.staff_a)

    page = client.get(reverse("admin:zeroindex_suggestion_change", args=[suggestion.pk]))

    offered = list(page.context["adminform"].form.fields["building"].queryset)
    assert world.a_building in offered
    assert world.a2_building not in offered


def test_a_building_of_the_round_estate_is_saved(client, world, survey):
    suggestion = survey.suggestions.get(number=1)
    client.force_login(world.staff_a)

    client.post(
        reverse("admin:zeroindex_suggestion_change", args=[suggestion.pk]),
        {"text": "楼道灯坏了", "category": "", "building": world.a_building.pk},
    )

    suggestion.refresh_from_db()
    assert suggestion.building == world.a_building
