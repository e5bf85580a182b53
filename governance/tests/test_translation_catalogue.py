"""The zh_Hans catalogue is complete and its committed .mo matches the .po, so a machine
without gettext shows every page in Chinese."""

import gettext
import re
from pathlib import Path

LC = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries():
    text = (LC / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        plural = re.search(r'^msgid (".*")\nmsgid_plural .*\nmsgstr\[0\] (".*")', block, re.M)
        if plural:
            yield plural.group(1)[1:-1], plural.group(2)[1:-1], "fuzzy" in block.split("msgid")[0]
            continue
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
    stale = [m for m, s, _ in po_entries() if s and compiled.gettext(m) != s and "%(n)" not in m]
    assert stale == [], "run `make messages` and commit the .mo"
