"""Fill the zh_Hans catalogue from zh_Hans.translations.py and list what is still missing.

Run by `make messages` between makemessages and compilemessages; exits non-zero when a
message has no translation, so an untranslated string never reaches main unnoticed."""

import re
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PO = HERE / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH = runpy.run_path(str(HERE / "zh_Hans.translations.py"))["ZH"]


def unquote(lines):
    return "".join(
        bytes(line.strip()[1:-1], "utf-8")
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
        for line in lines
    )


def unfuzzy(head):
    """Drop the fuzzy flag and the previous-msgid comments of an entry now translated."""
    lines = []
    for line in head.split("\n"):
        if line.startswith("#|"):
            continue
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        lines.append(line)
    return "\n".join(lines)


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main():
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    missing, out = [], []
    for block in blocks:
        plural = re.search(
            r'^msgid ((?:".*"\n?)+)msgid_plural ((?:".*"\n?)+)msgstr\[0\] ((?:".*"\n?)+)',
            block + "\n",
            re.M,
        )
        if plural:
            msgid = unquote(plural.group(1).strip().split("\n"))
            if msgid not in ZH:
                missing.append(msgid)
                out.append(block)
                continue
            head = unfuzzy(block[: plural.start(3)])
            out.append(head + quote(ZH[msgid]))
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if not match:
            out.append(block)
            continue
        msgid = unquote(match.group(1).strip().split("\n"))
        if not msgid:
            out.append(block)  # the header
            continue
        if msgid not in ZH:
            missing.append(msgid)
            out.append(block)
            continue
        head = unfuzzy(block[: match.start(2)])
        out.append(head + quote(ZH[msgid]))
    PO.write_text("\n\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
