"""Whatever arrives at the public pages, the answer is never a server error."""

from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from branches.tests.factories import BuildingFactory, EstateFactory
from meetings.models import AppealCategory

FIELDS = [
    "estate",
    "building",
    "category",
    "title",
    "description",
    "contact_name",
    "contact_phone",
    "consent",
    "website",
    "photos",
    "remove_kept",
]
junk = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.sampled_from(
        ["", " ", "0", "1", "on", "\x00", "'; DROP TABLE x; --", "１３９１２３４５６７８"]
    ),
)


@override_settings(APPEAL_SUBMIT_LIMIT=10_000, APPEAL_TRACK_LIMIT=10_000)
class PublicPagesNeverFail(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.estate = EstateFactory()
        cls.building = BuildingFactory(estate=cls.estate)
        cls.category = AppealCategory.objects.first()

    def setUp(self):
        cache.clear()

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.dictionaries(st.sampled_from(FIELDS), junk, max_size=len(FIELDS)))
    def test_the_appeal_form(self, data):
        valid = {
            "estate": str(self.estate.pk),
            "building": str(self.building.pk),
            "category": str(self.category.pk),
        }
        for body in (data, {**valid, **data}):
            response = self.client.post("/appeals/new/", body)
            self.assertIn(response.status_code, (200, 302, 400, 413, 429), body)

    @settings(max_examples=100, deadline=None)
    @given(code=st.text(max_size=60))
    def test_the_tracking_pages(self, code):
        nul = (400,) if "\x00" in code else ()  # a NUL byte is a bad request (middleware)
        self.assertIn(
            self.client.get("/appeals/track/", {"code": code}).status_code, (200, 302, 429, *nul)
        )
        path_code = code.replace("/", "").replace("?", "").replace("#", "")
        if path_code.strip():
            response = self.client.get(f"/appeals/track/{path_code}/")
            self.assertIn(response.status_code, (200, 404, 429, *nul))
            response = self.client.get(f"/appeals/submitted/{path_code}/")
            self.assertIn(response.status_code, (302, 404, *nul))

    @settings(max_examples=60, deadline=None)
    @given(estate=junk, building=junk)
    def test_the_poster_preselection(self, estate, building):
        response = self.client.get("/appeals/new/", {"estate": estate, "building": building})
        # junk is ignored; a NUL byte, which no link carries, is a bad request (middleware)
        self.assertEqual(response.status_code, 400 if "\x00" in estate + building else 200)
