"""Members' mobile numbers stored before the admin turned every script's digits into ASCII
ones (fullwidth １３９…): as ASCII, so a search by the number finds them. A number that,
in ASCII, another member of the estate already has is left as it is (the estate's numbers
are unique; a clerk sorts out the pair)."""

import unicodedata

from django.db import migrations


def fold(text):
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def phones_in_ascii_digits(apps, schema_editor):
    Member = apps.get_model("branches", "Member")
    for member in Member.objects.filter(phone__regex=r"[^0-9]").only("pk", "estate", "phone"):
        phone = fold(member.phone)
        if not Member.objects.filter(estate=member.estate_id, phone=phone).exists():
            Member.objects.filter(pk=member.pk).update(phone=phone)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0004_community_phone"),
    ]

    operations = [
        migrations.RunPython(phones_in_ascii_digits, migrations.RunPython.noop),
    ]
