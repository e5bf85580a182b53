"""The staff list's title search and filters at any size: two characters or more of a
title find it (through indexes on PostgreSQL), one character is refused with a message,
and each filter still filters, at the plain list's query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Appeal, AppealCategory
from meetings.queries import appeals_matching

LIST = reverse("admin:meetings_appeal_changelist")


@pytest.fixture
def titles(new_appeal):
    return {
        "lights": new_appeal(title="3栋楼道灯不亮", contact_phone="13900000001"),
        "leak": new_appeal(title="楼上漏水到我家", contact_phone="13900000002"),
        "latin": new_appeal(title="Wifi 信号差", contact_phone="13900000003"),
    }


def listed(client, **params):
    html = client.get(LIST, params).content.decode()
    return html


@pytest.mark.parametrize(
    "term, found",
    [
        ("漏水", "leak"),  # two characters: no trigram, the pairs index
        ("灯不", "lights"),
        ("楼道灯", "lights"),  # three or more: the trigram index
        ("漏水到我家", "leak"),
        ("wifi", "latin"),  # any case
        ("WI", "latin"),
    ],
)
def test_two_characters_or_more_of_a_title_find_it(client, world, titles, term, found):
    client.force_login(world.staff_a)
    html = listed(client, q=term)
    for name, appeal in titles.items():
        assert (appeal.display_code in html) == (name == found), (term, name)


@pytest.mark.parametrize("term", ["火灾", "楼下漏水", "水到我家了"])
def test_words_not_in_any_title_find_nothing(client, world, titles, term):
    client.force_login(world.staff_a)
    html = listed(client, q=term)
    assert not any(appeal.display_code in html for appeal in titles.values())


@pytest.mark.parametrize("term", ["灯", "a", " 楼 "])
def test_one_character_is_refused_with_a_message(client, world, titles, term):
    client.force_login(world.staff_a)
    html = listed(client, q=term)
    assert not any(appeal.display_code in html for appeal in titles.values())
    assert "Type at least 2 characters" in html or "至少输入 2 个字" in html


PAIR_TITLES = [
    "漏水",  # the whole title
    "漏水到我家",  # at the start
    "楼上漏水",  # at the end
    "楼上漏水到我家",
    "漏了水",  # both characters, not side by side
    "水漏",  # the other way round
    "漏",
    "WIfi 漏 水",
    "wifi 断了",
    "家里 Wi",
    "W i",
]


@pytest.mark.parametrize("term", ["漏水", "wi", "Wi", "水到", "FI", "火灾"])
def test_two_characters_find_exactly_the_titles_holding_them_newest_first(world, new_appeal, term):
    # The pairs index with its STRPOS beside it (PostgreSQL) or icontains (SQLite): the
    # same appeals a reader would pick, in the list's order, counted alike.
    for title in PAIR_TITLES:
        new_appeal(title=title)
    expected = [a.pk for a in Appeal.objects.order_by("-pk") if term.upper() in a.title.upper()]
    found = appeals_matching(Appeal.objects.order_by("-pk"), term=term)
    assert list(found.values_list("pk", flat=True)) == expected
    assert found.count() == len(expected)
    assert found[:2].count() == min(2, len(expected))


def test_codes_and_phones_are_still_found(client, world, titles):
    client.force_login(world.staff_a)
    leak = titles["leak"]
    for term in [leak.display_code, leak.code.lower(), "139 0000 0002"]:
        html = listed(client, q=term)
        assert leak.display_code in html and titles["lights"].display_code not in html


def test_filters_by_source_and_category_still_filter(client, world, titles, new_appeal):
    other = AppealCategory.objects.create(name="测试用类别", position=99)
    by_phone = new_appeal(title="电话里说的", source="phone", category=other)
    client.force_login(world.staff_a)
    html = listed(client, source__exact="phone")
    assert by_phone.display_code in html
    assert titles["leak"].display_code not in html
    html = listed(client, source__exact="survey")
    assert not any(a.display_code in html for a in [by_phone, *titles.values()])
    html = listed(client, category__id__exact=other.pk)
    assert by_phone.display_code in html and titles["leak"].display_code not in html
    html = listed(client, q="漏水", source__exact="web_form")
    assert titles["leak"].display_code in html and by_phone.display_code not in html


def count_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


def test_a_search_or_a_filter_costs_what_the_plain_list_costs(client, world, titles):
    client.force_login(world.staff_a)
    count_queries(client)
    plain = count_queries(client)
    assert Appeal.objects.count() == 3
    for params in [
        {"q": "漏水"},
        {"q": "楼道灯"},
        {"source__exact": "survey"},
        {"category__id__exact": titles["leak"].category_id},
    ]:
        assert count_queries(client, **params) == plain, params
    assert plain <= 20
