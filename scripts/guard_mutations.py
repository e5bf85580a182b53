"""Delete each guard of the services, one at a time, and run the suite: every deletion must
make a test fail. Prints one line per guard: "caught by <test>" or "NOT CAUGHT".

    .venv/bin/python scripts/guard_mutations.py [name ...]      (make guards)

Each mutation replaces one exact piece of source (it must be found exactly once), runs
pytest with -x, and restores the file whatever happens. Slow (a suite run per guard that
is not caught at once): a probe, not part of `make test`."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES, MOVES = "meetings/services.py", "meetings/moves.py"

# name → (file, the guard as written, the same code without it)
GUARDS = {
    "move: status guard of the UPDATE": (
        SERVICES,
        "filter(pk=appeal.pk, status=appeal.status, **guard).update(**fields)",
        "filter(pk=appeal.pk, **guard).update(**fields)",
    ),
    "move: acknowledge once, in the UPDATE": (
        SERVICES,
        'guard = {"acknowledged_at__isnull": True} if move_name == "acknowledge" else {}',
        "guard = {}",
    ),
    "rule: acknowledge once": (
        MOVES,
        'if name == "acknowledge" and appeal.acknowledged_at is not None:',
        "if False:",
    ),
    "rule: the statuses a move starts from": (
        MOVES,
        "if appeal.status not in rule.sources:",
        "if False:",
    ),
    "rule: the appeal in the user's scope": (
        MOVES,
        "elif not known.appeal_in_scope:",
        "elif False:",
    ),
    "rule: read-only roles change nothing": (MOVES, "elif not known.may_change:", "elif False:"),
    "rule: only the resident withdraws": (MOVES, "elif needs == RESIDENT:", "elif False:"),
    "rule: the resident makes no staff move": (
        MOVES,
        "if needs not in (RESIDENT, STAFF_OR_RESIDENT):",
        "if False:",
    ),
    "rule: a secretary, not community staff, routes without a meeting": (
        MOVES,
        "if needs in SECRETARY_MAY and known.role == StaffRole.BRANCH_SECRETARY:",
        "if needs in SECRETARY_MAY:",
    ),
    "rule: the meeting in the user's scope": (
        MOVES,
        "if not known.meeting_in_scope:",
        "if False:",
    ),
    "rule: the meeting's type": (
        MOVES,
        "if meeting.type not in MEETING_TYPES[needs]:",
        "if False:",
    ),
    "rule: a closed meeting decides nothing": (MOVES, "if meeting.is_closed:", "if False:"),
    "rule: the appeal on the meeting's agenda": (MOVES, "if not known.on_agenda:", "if False:"),
    "rule: the handler or community staff report the fix": (
        MOVES,
        "if needs == HANDLER and not (",
        "if False and not (",
    ),
    "submit: the estate in the clerk's scope": (
        SERVICES,
        "if not in_scope(estates_for, by, estate):",
        "if False:",
    ),
    "submit: read-only roles enter nothing": (
        SERVICES,
        '        if not may(by, CHANGE, Appeal):\n            raise MoveRefused(_("You can read',
        '        if False:\n            raise MoveRefused(_("You can read',
    ),
    "reassign: status guard of the UPDATE": (
        SERVICES,
        "filter(pk=appeal.pk, status=appeal.status).update(handler=handler)",
        "filter(pk=appeal.pk).update(handler=handler)",
    ),
    "extend: status guard of the UPDATE": (
        SERVICES,
        "won = Appeal.objects.filter(pk=appeal.pk, status=appeal.status).update(**fields)",
        "won = Appeal.objects.filter(pk=appeal.pk).update(**fields)",
    ),
    "meeting: in the user's scope": (
        SERVICES,
        "if not in_scope(meetings_for, by, meeting):",
        "if False:",
    ),
    "meeting: closed once": (
        SERVICES,
        "filter(pk=meeting.pk, closed_at__isnull=True).update(",
        "filter(pk=meeting.pk).update(",
    ),
    "agenda: the appeal of the meeting's place": (
        SERVICES,
        "if appeal.estate.community_id != meeting.community_id or (",
        "if False and (",
    ),
    "reminder: the claim's conditions": (
        "meetings/reminders.py",
        "                status=Status.RESOLVED,\n"
        "                visit_reminder_step=appeal.visit_reminder_step,\n"
        "                next_reminder_at=appeal.next_reminder_at,\n",
        "",
    ),
    "message: claimed before rendered": (
        "meetings/messaging.py",
        'message = _create(kind=kind, subject="", text="", **fields)',
        "_render(kind, context() if callable(context) else context, language)\n"
        '        message = _create(kind=kind, subject="", text="", **fields)',
    ),
    "delivery: the claim's lease": (
        "meetings/messaging.py",
        "        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))\n"
        "        .filter(attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS)\n"
        "        .update(",
        "        .update(",
    ),
}


# The services' own tests first (quick to fail), then the whole suite (pytest runs each once).
FIRST = [
    f"meetings/tests/{name}.py"
    for name in (
        "test_appeal_moves",
        "test_who_may_move",
        "test_moves_open",
        "test_moves_outsiders",
        "test_refusal_kinds",
        "test_stale_copies",
        "test_reminder_claims",
        "test_digest_claims",
        "test_notification_delivery",
    )
]


def run(name: str) -> str:
    path, guard, without = GUARDS[name]
    file = ROOT / path
    source = file.read_text()
    if source.count(guard) != 1:
        return f"guard not found exactly once in {path}: update this script"
    try:
        file.write_text(source.replace(guard, without))
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
             *FIRST, "meetings", "branches", "governance"],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        file.write_text(source)
    if result.returncode == 0:
        return "NOT CAUGHT"
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    return "caught by " + (failed[0].removeprefix("FAILED ").split(" - ")[0] if failed else "?")


def main():
    names = sys.argv[1:] or list(GUARDS)
    missed = 0
    for name in names:
        outcome = run(name)
        missed += not outcome.startswith("caught")
        print(f"{name:<66} {outcome}", flush=True)
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
