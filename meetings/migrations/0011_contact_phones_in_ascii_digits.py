"""Mobile numbers stored before the forms turned every script's digits into ASCII ones
(fullwidth １３９…, Arabic-Indic ١٣٩…): as ASCII, so staff find them by the number and the
text messages still to send go to it. One character for one; nothing else changes."""

import unicodedata

from django.db import migrations


def fold(text):
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def phones_in_ascii_digits(apps, schema_editor):
    Appeal = apps.get_model("meetings", "Appeal")
    Notification = apps.get_model("meetings", "Notification")
    for pk, phone in Appeal.objects.filter(contact_phone__regex=r"[^0-9]").values_list(
        "pk", "contact_phone"
    ):
        Appeal.objects.filter(pk=pk).update(contact_phone=fold(phone))
    unsent = Notification.objects.filter(
        channel="sms", delivered_at__isnull=True, address__regex=r"[^0-9]"
    )
    for pk, address in unsent.values_list("pk", "address"):
        Notification.objects.filter(pk=pk).update(address=fold(address))


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0010_one_vote_per_appeal_per_hearing"),
    ]

    operations = [
        migrations.RunPython(phones_in_ascii_digits, migrations.RunPython.noop),
    ]
