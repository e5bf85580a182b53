"""The helpers of `make bench` (bench/harness.py, bench/table.py) on the test database:
the harness itself is a script, not a test, but a wrong median, floor or table would make
every figure it prints wrong."""

import pytest

from bench.harness import big_seq_scans, captured_sql, floor, median, peak_mb, time_runs
from bench.table import checks, render
from branches.models import Town
from meetings.models import AppealCategory


def test_median_of_odd_and_even_runs():
    assert median([5.0, 1.0, 3.0]) == 3.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    with pytest.raises(ValueError):
        median([])


def test_time_runs_does_not_time_the_warm_up():
    calls = []
    seconds = time_runs(lambda: calls.append(1), runs=3, warm_up=2)
    assert len(calls) == 5 and len(seconds) == 3


def test_peak_memory_sees_what_a_call_held_at_once():
    assert peak_mb(lambda: bytearray(20_000_000)) >= 20
    assert peak_mb(lambda: None) < 1


@pytest.mark.django_db
def test_floor_replays_the_captured_reads_and_writes_then_undoes_them():
    def action():
        list(AppealCategory.objects.all())
        Town.objects.create(name="回放镇", county="回放县")

    statements, _seconds = captured_sql(action)
    assert any("回放镇" in sql for sql in statements)  # sent with its parameters
    Town.objects.filter(name="回放镇").delete()  # so the replayed INSERT applies again
    towns = Town.objects.count()
    replayed = floor(statements + ["SELECT * FROM no_such_table"], runs=2)
    assert replayed.replayed == 2  # the read and the insert; the failing one left out
    assert replayed.seconds > 0
    assert Town.objects.count() == towns  # the replay's insert was rolled back


def test_big_sequential_scans_are_found_in_a_nested_plan():
    plan = {
        "Node Type": "Limit",
        "Plans": [
            {
                "Node Type": "Nested Loop",
                "Plans": [
                    {
                        "Node Type": "Seq Scan",
                        "Relation Name": "meetings_appeal",
                        "Actual Rows": 0,
                        "Rows Removed by Filter": 400_000,
                        "Actual Loops": 3,
                    },
                    {"Node Type": "Seq Scan", "Relation Name": "branches_estate",
                     "Actual Rows": 200, "Actual Loops": 1},
                    {"Node Type": "Index Scan", "Relation Name": "meetings_appeal",
                     "Actual Rows": 50_000, "Actual Loops": 1},
                ],
            }
        ],
    }  # fmt: skip
    assert big_seq_scans(plan) == {"meetings_appeal": 1_200_000}


def _line(name, ms, floor_ms, queries=15, peak=5.0, sql=None, scans=None):
    return {
        "name": name,
        "server_ms": ms,
        "floor_ms": floor_ms,
        "sql_ms": sql if sql is not None else floor_ms,
        "queries": queries,
        "peak_mb": peak,
        "note": "",
        "big_scans": scans or {},
        "error": "",
    }


def test_the_table_marks_each_target_met_or_missed_at_the_larger_size():
    small = {
        "about": {},
        "results": [
            _line("dashboard: the town, a year", 80, 20),
            _line("staff list: source survey (none)", 20, 1, queries=14),
            _line("CSV export: one community (floor: COPY)", 100, 60),
        ],
    }
    large = {
        "about": {},
        "results": [
            _line("dashboard: the town, a year", 400, 300, queries=16),
            _line(
                "staff list: source survey (none)",
                250,
                200,
                queries=14,
                scans={"meetings_appeal": 1_000_000},
            ),
            _line("CSV export: one community (floor: COPY)", 5000, 3000),
        ],
    }
    judged = checks("dashboard: the town, a year", small["results"][0], large["results"][0])
    dashboard = {c.label: c for c in judged}
    growth = dashboard["≤ 2× the small size"]
    assert not growth.met and growth.value == "5.0×"
    assert not dashboard["≤ 15 queries"].met
    assert dashboard["< 100 MB"].met and dashboard["SQL ≤ 1.5× floor"].met
    listed = checks("staff list: source survey (none)", None, large["results"][1])
    assert [c.met for c in listed] == [False, False]
    assert checks("CSV export: one community (floor: COPY)", None, large["results"][2])[0].met

    table = render({10_000: small, 1_000_000: large})
    lines = table.splitlines()
    assert lines[0].startswith("| measure | 10k ms | 10k floor | 10k ×floor | 1M ms")
    town = next(line for line in lines if line.startswith("| dashboard: the town"))
    assert "| 400 | 300 | 1.3× | 5.0× | 15 / 16 |" in town
    assert "Targets met at 1M: 3 of 7." in table
