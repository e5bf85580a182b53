"""The reference lists migration 0007 seeds (kinds of meeting, points per contribution), made
again for a test that runs after a transactional test's flush removed them."""

import importlib

import pytest
from django.apps import apps

SEED = importlib.import_module("branches.migrations.0007_five_modernizations_rules")


@pytest.fixture(autouse=True)
def seeded_lists(db):
    SEED.defaults(apps, None)  # get_or_create: nothing changes where they are
