"""The reads of a branch's public Three Brightness page beside its rankings: the building
groups' commitments of a year (小组亮承诺) and the cards of the members who consented
(党员亮身份). Each is one or two queries whatever the number of groups and members.

Nothing here reads a phone, an evidence text or an evidence photo; a card is built only for
an active member whose consent is in force (`card_consent_on` not null), and the members
without one are never in a query's result, not even as a count."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from .models import Commitment, Estate
from .rankings import MemberStanding, member_ranking


@dataclass(frozen=True)
class CommitmentLine:
    pk: int
    text: str
    due_on: date
    progress: int
    verified: bool


@dataclass
class GroupCommitments:
    pk: int
    name: str
    items: list[CommitmentLine] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return sum(1 for item in self.items if item.verified)


@dataclass(frozen=True)
class Card:
    member: MemberStanding
    commitments: list[str]


def commitments_by_group(*, estate: Estate | int, year: int) -> list[GroupCommitments]:
    """The year's commitments of the estate's groups, by group name then due date (groups
    without any are left out). One query."""
    rows = (
        Commitment.objects.filter(group__estate=estate, year=year)
        .values("pk", "text", "due_on", "progress", "verified_at", "group_id", "group__name")
        .order_by("group__name", "group_id", "due_on", "pk")
    )
    groups: dict[int, GroupCommitments] = {}
    for row in rows:
        group = groups.setdefault(
            row["group_id"], GroupCommitments(pk=row["group_id"], name=row["group__name"])
        )
        group.items.append(
            CommitmentLine(
                pk=row["pk"],
                text=row["text"],
                due_on=row["due_on"],
                progress=row["progress"],
                verified=row["verified_at"] is not None,
            )
        )
    return list(groups.values())


def public_cards(
    *, estate: Estate | int, year: int, standings: list[MemberStanding] | None = None
) -> list[Card]:
    """The cards of the estate's consenting active members: name, group, category, the
    year's points (and their rank among the consenting), and the year's commitments each
    answers for; by group, then name. Two queries (one when `standings`, the consenting
    ranking, is given)."""
    if standings is None:
        standings = member_ranking(year=year, estate=estate, consenting_only=True)
    links = (
        Commitment.members.through.objects.filter(
            member__estate=estate,
            member__active=True,
            member__card_consent_on__isnull=False,
            commitment__year=year,
        )
        .values_list("member_id", "commitment__text")
        .order_by("commitment__due_on", "commitment_id")
    )
    answers: dict[int, list[str]] = defaultdict(list)
    for member_id, text in links:
        answers[member_id].append(text)
    cards = [Card(member=s, commitments=answers.get(s.pk, [])) for s in standings]
    return sorted(cards, key=lambda c: (c.member.group == "", c.member.group, c.member.name))
