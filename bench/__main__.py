"""`make bench`: issue 11's table of figures at two sizes of the bulk town (10,000 and
1,000,000 appeals by default), each measured in its own PostgreSQL database.

    .venv/bin/python -m bench                       # seed what is missing, measure, table
    BENCH_SIZES=10000,100000 .venv/bin/python -m bench  # a quicker second size
    .venv/bin/python -m bench --table-only           # the table again from bench/out/*.json

For each size: creates the database if missing, migrates it, `seed_bulk --appeals N
--departments 500 --if-missing` (a database seeded once is reused: 1M takes about 160 s),
then runs bench/measure.py against it in a process of its own, which writes
bench/out/<N>.json. Then prints the table (bench/table.py) and writes it, with the machine
and its load, to bench/results-<date>.md.

Environment: BENCH_SIZES (default 10000,1000000); BENCH_DB_10K and BENCH_DB_1M name the
databases of those sizes (defaults governance_bench_10k, governance_bench_1m), BENCH_DB_<N>
any other size (default governance_bench_<N>); BENCH_PG the server (default
postgres://postgres@127.0.0.1:5432); BENCH_RUNS (5), BENCH_EXPORT_RUNS (3),
BENCH_SWEEP_RUNS (3) the timed runs whose median is shown. BENCH_ONLY re-measures some
parts (dashboard, list, export, sweeps, and town-export, the whole town's export, which
only runs when asked) and keeps the other lines of the last run: after a change to the
dashboard, `BENCH_ONLY=dashboard make bench`. Figures, not a test: run it on a quiet
machine (its load average is printed with the figures)."""

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.table import render, size_label

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DEFAULT_NAMES = {10_000: ("BENCH_DB_10K", "governance_bench_10k"),
                 1_000_000: ("BENCH_DB_1M", "governance_bench_1m")}  # fmt: skip


def database_for(size: int) -> str:
    variable, default = DEFAULT_NAMES.get(size, (f"BENCH_DB_{size}", f"governance_bench_{size}"))
    return os.environ.get(variable, default)


def sizes() -> list[int]:
    return [int(part) for part in os.environ.get("BENCH_SIZES", "10000,1000000").split(",")]


def create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            print(f"Creating database {name}", flush=True)
            connection.execute(f'CREATE DATABASE "{name}"')


def run(args: list[str], database: str, **extra_env) -> None:
    env = dict(os.environ, DATABASE_URL=f"{PG}/{database}", PYTHONPATH=str(ROOT), **extra_env)
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True)


def seed(size: int, database: str) -> None:
    create_database(database)
    # manage.py wants DEBUG on outside tests; a million rows outlast a page's timeout.
    env = {"DEBUG": "true", "DATABASE_STATEMENT_TIMEOUT": "0"}
    run(["manage.py", "migrate", "--noinput", "-v", "0"], database, **env)
    seed_args = ["--appeals", str(size), "--departments", "500", "--if-missing"]
    run(["manage.py", "seed_bulk", *seed_args], database, **env)
    # What autovacuum does on a live server (this one may have it off, and seed_bulk analyses
    # only the tables it plans with): statistics for every table, the visibility map.
    import psycopg

    with psycopg.connect(f"{PG}/{database}", autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {memory_kb / 1024**2:.0f} GiB"
    except OSError:
        memory = ""
    return f"{os.cpu_count()} CPUs ({cpu}){memory}, {platform.system()} {platform.release()}"


def commit() -> str:
    done = subprocess.run(
        ["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip()


def report(runs: dict[int, dict]) -> str:
    lines = [f"Commit: {commit()}. Machine: {machine()}."]
    for size, data in sorted(runs.items()):
        about = data["about"]
        lines.append(
            f"{size_label(size)}: {about['appeals']:,} appeals, {about['database']}; "
            f"measured {about['date']}; the community with the most appeals "
            f"{about['community']} ({about['community_appeals']:,}); dashboard year "
            f"{about['year']}; load average {about['load_before']} before, "
            f"{about['load_after']} after."
        )
        lines += [f"{size_label(size)}, later: {part}." for part in about.get("partial", [])]
    lines += [
        "",
        "Server: median ms in-process (Django test client, DEBUG off). Floor: PostgreSQL's own "
        "time for the statements the request ran (EXPLAIN (ANALYZE, TIMING OFF) of each, "
        "planning and execution; for the export, COPY of the same SELECT to STDOUT). SQL in "
        "request: the same statements as Django timed them (round trips and fetching). Peak MB: "
        "tracemalloc's peak during one request.",
        "",
        render(runs),
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--table-only", action="store_true", help="no seeding or measuring: the last JSON"
    )
    args = parser.parse_args()
    runs = {}
    for size in sizes():
        out = OUT / f"{size}.json"
        if not args.table_only:
            database = database_for(size)
            print(f"== {size:,} appeals: {database}", flush=True)
            seed(size, database)
            measure_args = ["-m", "bench.measure", "--out", str(out)]
            if os.environ.get("BENCH_ONLY"):
                measure_args += ["--only", os.environ["BENCH_ONLY"]]
            run(measure_args, database)
        runs[size] = json.loads(out.read_text())
    text = report(runs)
    print()
    print(text)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
    results = ROOT / "bench" / f"results-{stamp}.md"
    results.write_text(f"# make bench, {stamp}\n\n{text}\n")
    print(f"\nWritten to {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
