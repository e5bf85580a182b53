"""The year end's demo: who receives the approved opinions (safe to re-run)."""

from .models import YearEndRecipient

RECIPIENTS = {
    YearEndRecipient.Kind.PERFORMANCE_OFFICE: ("县绩效办", "kpb@county.example.cn"),
    YearEndRecipient.Kind.TOWN_COMMITTEE: ("黄兴镇党委", "dangwei@huangxing.example.cn"),
}


def seed_yearend_demo() -> int:
    for kind, (name, emails) in RECIPIENTS.items():
        YearEndRecipient.objects.get_or_create(kind=kind, defaults={"name": name, "emails": emails})
    return YearEndRecipient.objects.count()
