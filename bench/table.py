"""The table of `make bench`: two database sizes side by side, the floor and the ratios
beside each figure, and the targets of issue 11 (point 7) marked met or missed at the
larger size. Plain Python (no Django): it reads what bench/measure.py wrote."""

import math
from collections.abc import Callable
from dataclasses import dataclass

# Issue 11, point 7 (at 1M appeals; checked at the largest size measured).
DASHBOARD_GROWTH = 2.0  # within 2x of its time at 10k
DASHBOARD_QUERIES = 15
DASHBOARD_PEAK_MB = 100.0
DASHBOARD_SQL_OVER_FLOOR = 1.5
EXPORT_OVER_COPY = 2.0
LIST_MS = 200.0
APPEALS_TABLE = "meetings_appeal"


@dataclass
class Check:
    label: str
    met: bool
    value: str  # what was measured, to say by how much a target is missed


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0 or math.isnan(a) or math.isnan(b):
        return None
    return a / b


def checks(name: str, small: dict | None, large: dict) -> list[Check]:
    """The targets of one line, judged on the larger size (`small` for the growth)."""
    if large.get("error"):
        return [Check("ran", False, large["error"])]
    if name.startswith("dashboard:"):
        growth = _ratio(large["server_ms"], small["server_ms"]) if small else None
        sql = _ratio(large["sql_ms"], large["floor_ms"])
        return [
            Check(
                f"≤ {DASHBOARD_GROWTH:g}× the small size",
                growth is not None and growth <= DASHBOARD_GROWTH,
                f"{growth:.1f}×" if growth is not None else "n/a",
            ),
            Check(
                f"≤ {DASHBOARD_QUERIES} queries",
                large["queries"] <= DASHBOARD_QUERIES,
                str(large["queries"]),
            ),
            Check(
                f"< {DASHBOARD_PEAK_MB:g} MB",
                large["peak_mb"] < DASHBOARD_PEAK_MB,
                f"{large['peak_mb']:.1f} MB",
            ),
            Check(
                f"SQL ≤ {DASHBOARD_SQL_OVER_FLOOR:g}× floor",
                sql is not None and sql <= DASHBOARD_SQL_OVER_FLOOR,
                f"{sql:.2f}×" if sql is not None else "n/a",
            ),
        ]
    if name.startswith("staff list:"):
        scans = large.get("big_scans") or {}
        return [
            Check(f"< {LIST_MS:g} ms", large["server_ms"] < LIST_MS, _ms(large["server_ms"])),
            Check(
                "no scan of all appeals",
                APPEALS_TABLE not in scans,
                f"{scans[APPEALS_TABLE]:,} rows scanned" if APPEALS_TABLE in scans else "indexed",
            ),
        ]
    if name.startswith("CSV export"):
        over = _ratio(large["server_ms"], large["floor_ms"])
        return [
            Check(
                f"≤ {EXPORT_OVER_COPY:g}× COPY",
                over is not None and over <= EXPORT_OVER_COPY,
                f"{over:.2f}×" if over is not None else "n/a",
            )
        ]
    return []


def _ms(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}×"


def _pair(small: dict | None, large: dict, key: str, show: Callable) -> str:
    values = [r.get(key) for r in (small, large) if r is not None]
    return " / ".join("—" if v is None else show(v) for v in values)


def size_label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return f"{size:,}"


def render(runs: dict[int, dict]) -> str:
    """Markdown: one line per measure, the smallest and the largest size measured (one
    size alone: its columns, without the growth)."""
    sizes = sorted(runs)
    large_size = sizes[-1]
    small_size = sizes[0] if len(sizes) > 1 else None
    big = size_label(large_size)
    s = size_label(small_size) if small_size else None
    large_by_name = {r["name"]: r for r in runs[large_size]["results"]}
    small_by_name = {r["name"]: r for r in runs[small_size]["results"]} if small_size else {}
    head = ["measure"]
    if s:
        head += [f"{s} ms", f"{s} floor", f"{s} ×floor"]
    head += [f"{big} ms", f"{big} floor", f"{big} ×floor"]
    if s:
        head += [f"{big}/{s}"]
    head += ["queries", f"{big} SQL in request", "peak MB", f"targets at {big}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes, judged_all = [], []
    for name, large in large_by_name.items():
        small = small_by_name.get(name)
        cells = [name]
        for r in ([small] if s else []) + [large]:
            if r is None or r.get("error"):
                cells += ["error" if r else "—", "—", "—"]
                continue
            cells += [
                _ms(r["server_ms"]),
                _ms(r["floor_ms"]),
                _x(_ratio(r["server_ms"], r["floor_ms"])),
            ]
        if s:
            cells.append(_x(_ratio(large["server_ms"], small["server_ms"] if small else None)))
        cells.append(_pair(small, large, "queries", str))
        cells.append(_ms(large.get("sql_ms")))
        cells.append(_pair(small, large, "peak_mb", lambda v: f"{v:.1f}"))
        judged = checks(name, small, large)
        judged_all += judged
        verdicts = [f"{c.label}: {'met' if c.met else '**missed**'} ({c.value})" for c in judged]
        cells.append("; ".join(verdicts) or "—")
        lines.append("| " + " | ".join(cells) + " |")
        said = {r.get("note") for r in (small, large) if r and r.get("note")}
        if len(said) == 1:
            notes.append(f"- {name}: {said.pop()}")
        for r, label in ((small, s), (large, big)):
            if r and r.get("note") and len(said) > 1:
                notes.append(f"- {name} ({label}): {r['note']}")
            if r and r.get("error"):
                notes.append(f"- {name} ({label}) failed: {r['error']}")
    met = sum(c.met for c in judged_all)
    summary = f"Targets met at {big}: {met} of {len(judged_all)}."
    return "\n".join(lines + ["", summary] + ([""] + notes if notes else []))
