"""The Five Modernizations' cross-table rules (branches.db_triggers), the ledger's and the
consents' append-only triggers, the member table's earlier rules again (SQLite may rebuild
it), and the reference lists a town starts with and then edits: the points per contribution,
the kinds of regular meeting with how often each is expected, the kinds of service and the
five-standards template."""

from django.db import migrations

from branches.db_triggers import (
    FIVE_MODERNIZATIONS_RULES,
    SAME_ESTATE_RULES,
    append_only_operation,
    operation,
)

RULES = {"session": 2, "meeting": 1, "appeal": 3, "commitment": 5, "manual": 0, "correction": 0}

MEETING_KINDS = [
    # (Chinese, English, level, every_months)
    ("支部党员大会", "Branch members' meeting", "branch", 3),
    ("支部委员会会议", "Branch committee meeting", "branch", 1),
    ("党小组会", "Group meeting", "group", 1),
    ("党课", "Party lecture", "branch", 3),
    ("主题党日", "Theme party day", "branch", 1),
]

SERVICE_KINDS = [
    ("志愿理发", "Volunteer haircuts"),
    ("义诊", "Free health checks"),
    ("法律咨询", "Legal advice"),
    ("政策宣讲", "Policy talks"),
    ("儿童托管", "Children's care"),
    ("环境整治", "Clean-up"),
]

# (standard, Chinese, English, full score, auto check)
STANDARD_ITEMS = [
    (1, "支部班子健全，书记到位", "A full branch committee with its secretary", 10, "secretary"),
    (1, "每个楼栋党小组有组长", "Every building group has its leader", 10, "group_leaders"),
    (
        2,
        "按期召开支部党员大会、支委会、党小组会，按时上党课",
        "Meetings and lectures held as expected",
        20,
        "meetings_held",
    ),
    (2, "主题党日活动常态开展", "Theme party days held regularly", 10, ""),
    (3, "党员亮身份、服务比贡献，积分台账完整", "Members' contribution ledger kept", 10, ""),
    (3, "楼栋党小组亮承诺，承诺事项按期兑现", "Group commitments kept on time", 10, ""),
    (4, "“三会一课”等制度上墙、记录完整", "Rules posted and records complete", 10, ""),
    (4, "居民诉求“五会”流程有记录可查", "The Five Meetings recorded for every appeal", 10, ""),
    (
        5,
        "党群服务站按时开放，功能室齐全",
        "Station open as posted, with its facilities",
        10,
        "station_open",
    ),
]


def defaults(apps, schema_editor):
    Rule = apps.get_model("branches", "ContributionRule")
    for source, points in RULES.items():
        Rule.objects.get_or_create(source=source, defaults={"points": points})
    Kind = apps.get_model("branches", "OrgMeetingKind")
    for position, (name, name_en, level, every) in enumerate(MEETING_KINDS):
        Kind.objects.get_or_create(
            name=name,
            defaults={
                "name_en": name_en,
                "level": level,
                "every_months": every,
                "position": position,
            },
        )
    Service = apps.get_model("branches", "ServiceKind")
    for position, (name, name_en) in enumerate(SERVICE_KINDS):
        Service.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "position": position}
        )
    Item = apps.get_model("branches", "StandardItem")
    for position, (standard, name, name_en, score, auto) in enumerate(STANDARD_ITEMS):
        Item.objects.get_or_create(
            name=name,
            defaults={
                "standard": standard,
                "name_en": name_en,
                "max_score": score,
                "auto_check": auto,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("branches", "0006_five_modernizations")]

    operations = [
        operation(SAME_ESTATE_RULES),
        operation(FIVE_MODERNIZATIONS_RULES),
        append_only_operation(["branches_contributionentry", "branches_memberconsent"]),
        migrations.RunPython(defaults, migrations.RunPython.noop),
    ]
