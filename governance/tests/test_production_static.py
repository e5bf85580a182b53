"""The production path for static files: `collectstatic` with the production storage (hashed
names, a manifest, compressed copies) succeeds on every file we ship, and with DEBUG off the
pages then answer 200, name only hashed files, and WhiteNoise serves each of them.

The rest of the suite names static files straight from static/ (no manifest), so a file
that breaks the manifest would go unnoticed there; here it fails."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# "/static/<path>.<12 hex digits>.<extension>": the manifest's name for a file.
HASHED = re.compile(r"^/static/[\w/.-]+\.[0-9a-f]{12}\.\w+$")
STATIC_REFERENCE = re.compile(r"""(?:href|src)="(/static/[^"]+)\"""")


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """STATIC_ROOT filled by collectstatic with the production storage, once per module."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production(collected, settings):
    settings.DEBUG = False
    settings.STORAGES = PRODUCTION_STORAGES
    settings.STATIC_ROOT = collected
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    return collected


def test_collectstatic_writes_a_manifest_with_bootstrap_under_a_hashed_name(production):
    manifest = (production / "staticfiles.json").read_text()
    assert re.search(r'"vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css"', manifest)
    assert re.search(r'"vendor/bootstrap/js/bootstrap\.bundle\.min\.[0-9a-f]{12}\.js"', manifest)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/appeals/new/", "/admin/login/"])
def test_pages_answer_200_and_every_static_file_they_name_is_hashed_and_served(
    production, client, path
):
    page = client.get(path)
    assert page.status_code == 200
    references = STATIC_REFERENCE.findall(page.content.decode())
    assert references, f"{path} names no static file"
    for url in references:
        assert HASHED.match(url), f"{path} names {url}, not a hashed name"
        served = client.get(url)
        assert served.status_code == 200, url
        assert b"".join(served.streaming_content)
        served.close()
