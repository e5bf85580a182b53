"""The zh_Hans catalogue is complete and its committed .mo matches the .po, so a machine
without gettext shows every page in Chinese."""

import gettext
import re
from pathlib import Path

LC = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries():
    text = (LC / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if not match:
            continue
        msgid, msgstr = (
            "".join(
                line.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n")
                for line in group.strip().split("\n")
            )
            for group in match.groups()
        )
        if msgid:
            yield msgid, msgstr, "fuzzy" in block.split("msgid")[0]


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = list(po_entries())
    assert len(entries) > 50
    assert [m for m, s, _ in entries if not s] == []
    assert [m for m, _, fuzzy in entries if fuzzy] == []


def test_the_compiled_catalogue_matches_the_source():
    with open(LC / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [m for m, s, _ in po_entries() if compiled.gettext(m) != s]
    assert stale == [], "run `make messages` and commit the .mo"
