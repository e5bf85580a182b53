"""What the public pages remember about a resident's browser, in its session (kept on the
server; the browser holds only the signed session cookie): the tracking codes it filed, so
the page after filing and the tracking page show them without the per-network look-up limit,
and the photos kept for a retry after a form error (meetings.kept_photos).

Nothing here is taken from the request: a browser can only name what it put here itself."""

FILED = "appeals_filed"
KEPT = "kept_photos"
FILED_MAX = 20  # a household files a few; the oldest drop off


def remember_filed(session, code: str) -> None:
    codes = [c for c in session.get(FILED, []) if c != code]
    session[FILED] = [*codes, code][-FILED_MAX:]


def filed_here(session, code: str | None) -> bool:
    return bool(code) and code in session.get(FILED, [])


def session_key(session) -> str:
    """The session's key, creating the session when it has none yet."""
    if not session.session_key:
        session.save()
    return session.session_key


def kept_ids(session) -> list[int]:
    return [pk for pk in session.get(KEPT, []) if isinstance(pk, int)]


def set_kept_ids(session, ids) -> None:
    if ids:
        session[KEPT] = list(ids)
    else:
        session.pop(KEPT, None)
