"""How fast is the trade journal's daily export and analysis: ours against the straightforward
designs, one day of 1,000,000 trades, same run.

Export, from PostgreSQL (a database of its own, on the server DATABASE_URL names; default
postgres://postgres@127.0.0.1:5432/postgres) to a real S3-compatible server over HTTP (moto's,
on a free loopback port), each design in a fresh process so that its peak memory is its own:

- ours: ``paperex export-trades``'s code: ``COPY ... TO STDOUT`` streamed into a multipart
  upload, memory bounded by a part.
- straightforward: the ORM queryset into ``csv.writer`` into one ``put_object``.

Analysis of the exported file: ``bench/journal_analysis.py``'s comparison (ours, exact, polars,
against pandas' ``read_csv`` + ``groupby``) on the same day.

Prints a table per part and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import psycopg
from moto.server import ThreadedMotoServer

from asgi_server import free_port
from journal_analysis import generate, ours, pandas_baseline, timed, worst_notional_cents
from paperex.analysis.trades_csv import COLUMNS

DAY = date(2025, 1, 20)
BUCKET = "paperex-bench"
DESIGNS = ("paperex (COPY, multipart)", "straightforward (ORM, csv, put_object)")
ACCESS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
USERS = 500


def status_megabytes(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS: now, VmHWM: peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_megabytes() -> float:
    """This process's peak resident memory since it started. Not getrusage's ru_maxrss: Linux
    carries that over an exec from the forking parent, whose S3 server holds the uploads."""
    return status_megabytes("VmHWM")


# ----------------------------------------------------------------------------- child


def export_child(design: str) -> None:
    """Run one export in this process; print seconds, rows and memory as JSON."""
    import django

    django.setup()
    from paperex.apps.journal.exports import trades_export_day

    before = status_megabytes("VmRSS")
    started = time.perf_counter()
    if design == DESIGNS[0]:
        rows = trades_export_day(day=DAY, target_url=f"s3://{BUCKET}/ours").rows
    else:
        rows = straightforward_export()
    seconds = time.perf_counter() - started
    print(
        json.dumps({"seconds": seconds, "rows": rows, "before": before, "peak": peak_megabytes()})
    )


def straightforward_export() -> int:
    import csv
    import io

    from django.conf import settings

    from paperex.apps.journal.models import JournalTrade
    from paperex.apps.journal.selectors import journal_trade_list

    trades = journal_trade_list(user_id=None, start_date=DAY, end_date=DAY, ordering="timestamp")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    trade: JournalTrade
    for trade in trades.select_related("user"):
        writer.writerow(
            [
                trade.pk,
                trade.user.username,
                trade.ticker,
                trade.side,
                trade.price.normalize(),
                trade.quantity.normalize(),
                "" if trade.fee is None else trade.fee.normalize(),
                trade.fee_asset,
                trade.executed_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                trade.source,
                trade.order_id or "",
            ]
        )
        count += 1
    client = boto3.client("s3", endpoint_url=settings.PAPEREX_S3.endpoint_url)
    key = f"straightforward/{DAY:%Y/%m/%d}/trades.csv"
    client.put_object(Bucket=BUCKET, Key=key, Body=buffer.getvalue().encode())
    return count


# ----------------------------------------------------------------------------- parent


@contextmanager
def own_database(url: str) -> Iterator[str]:
    parts = urlsplit(url)
    name = f"paperex_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_day(database: str, trades_csv: Path) -> None:
    """Users trader0..N and the file's trades, straight into the journal's table by COPY."""
    with psycopg.connect(database) as db, db.cursor() as cursor:
        with cursor.copy(
            "COPY accounts_user (password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined) FROM STDIN"
        ) as copy:
            for number in range(USERS):
                copy.write_row(["!", False, f"trader{number}", "", "", "", False, True, "now()"])
        ids = dict(cursor.execute("SELECT username, id FROM accounts_user").fetchall())
        with (
            cursor.copy(
                "COPY journal_journaltrade (id, user_id, ticker, side, price, quantity, fee,"
                " fee_asset, executed_at, source, order_id, notes, tags, created_at, updated_at)"
                " FROM STDIN"
            ) as copy,
            trades_csv.open() as lines,
        ):
            next(lines)
            for line in lines:
                number, user, ticker, side, price, quantity, fee, asset, at, source, order = (
                    line.rstrip("\n").split(",")
                )
                trade = [number, ids[user], ticker, side, price, quantity, fee or None, asset]
                copy.write_row([*trade, at, source, order or None, "", "[]", at, at])
        cursor.execute("ANALYZE journal_journaltrade")


def run_child(design: str, env: dict[str, str]) -> dict[str, Any]:
    answer = subprocess.run(
        [sys.executable, __file__, "--child", design],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if answer.returncode:
        raise SystemExit(f"{design} failed:\n{answer.stderr}")
    return dict(json.loads(answer.stdout.strip().splitlines()[-1]))


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the S3 server's request log
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--child", choices=DESIGNS, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        export_child(arguments.child)
        return

    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    port = free_port()
    s3_server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    s3_server.start()
    endpoint = f"http://127.0.0.1:{port}"
    with (
        tempfile.TemporaryDirectory(prefix="paperex-bench-") as folder,
        own_database(server_url) as database,
    ):
        generated = Path(folder) / "generated.csv"
        generate(generated, arguments.rows, arguments.seed)
        env = {
            **os.environ,
            **ACCESS,
            "DATABASE_URL": database,
            "PAPEREX_DATA_DIR": folder,
            "PAPEREX_S3_ENDPOINT_URL": endpoint,
            "DJANGO_SETTINGS_MODULE": "paperex.config.settings",
        }
        env.pop("REDIS_URL", None)
        subprocess.run(
            [sys.executable, "-m", "paperex.cli", "migrate"],
            env=env,
            check=True,
            capture_output=True,
        )
        load_day(database, generated)
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=ACCESS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=ACCESS["AWS_SECRET_ACCESS_KEY"],
            region_name=ACCESS["AWS_DEFAULT_REGION"],
        )
        s3.create_bucket(Bucket=BUCKET)

        exports: dict[str, list[dict[str, Any]]] = {design: [] for design in DESIGNS}
        for _ in range(arguments.rounds):
            for design in DESIGNS:
                exports[design].append(run_child(design, env))

        exported = Path(folder) / "trades.csv"
        key = f"ours/{DAY:%Y/%m/%d}/trades.csv"
        exported.write_bytes(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
        # The export loses nothing: the exact analysis of what it wrote is the generated day's.
        same = ours(exported) == ours(generated)
        analyses: dict[str, list[float]] = {"paperex (polars, exact)": [], "pandas (float64)": []}
        for _ in range(arguments.rounds):
            elapsed, exact = timed(ours, exported)
            analyses["paperex (polars, exact)"].append(elapsed)
            elapsed, floats = timed(pandas_baseline, exported)
            analyses["pandas (float64)"].append(elapsed)
    s3_server.stop()

    report(arguments, exports, analyses, same, worst_notional_cents(exact, floats))


def report(
    arguments: argparse.Namespace,
    exports: dict[str, list[dict[str, Any]]],
    analyses: dict[str, list[float]],
    same: bool,
    cents: Any,
) -> None:
    rows = arguments.rows
    print(f"{rows:,} trades of one day, seed {arguments.seed}, {arguments.rounds} rounds")
    print(f"the exported day's exact figures equal the generated day's: {same}")
    header = f"{'export':<42}{'median s':>10}{'rows/s':>12}{'peak growth MB':>16}"
    print(header)
    print("-" * len(header))
    export_figures = {}
    for design, runs in exports.items():
        seconds = statistics.median(run["seconds"] for run in runs)
        growth = statistics.median(run["peak"] - run["before"] for run in runs)
        export_figures[design] = {
            "seconds": seconds,
            "rows_per_second": rows / seconds,
            "peak_growth_mb": growth,
            "max_peak_growth_mb": max(run["peak"] - run["before"] for run in runs),
        }
        print(f"{design:<42}{seconds:>10.2f}{rows / seconds:>12,.0f}{growth:>16,.0f}")
    ours_export, plain_export = export_figures.values()
    print(
        f"export ratio ours/straightforward: "
        f"{ours_export['rows_per_second'] / plain_export['rows_per_second']:.2f}x"
    )
    header = f"{'analysis':<42}{'median s':>10}{'rows/s':>12}"
    print(header)
    print("-" * len(header))
    analysis_rates = {}
    for name, values in analyses.items():
        analysis_rates[name] = rows / statistics.median(values)
        print(f"{name:<42}{statistics.median(values):>10.2f}{analysis_rates[name]:>12,.0f}")
    ours_rate, pandas_rate = analysis_rates.values()
    print(
        f"analysis ratio ours/pandas: {ours_rate / pandas_rate:.2f}x; pandas' float notional"
        f" is off by up to {cents:.4f} cents"
    )
    print(
        json.dumps(
            {
                "bench": "journal",
                "rows": rows,
                "export": {
                    name: {key: round(value, 3) for key, value in figures.items()}
                    for name, figures in export_figures.items()
                },
                "export_ratio": round(
                    ours_export["rows_per_second"] / plain_export["rows_per_second"], 3
                ),
                "analysis_rows_per_second": {
                    name: round(rate) for name, rate in analysis_rates.items()
                },
                "analysis_ratio_vs_pandas": round(ours_rate / pandas_rate, 3),
                "exported_figures_equal_generated": same,
            }
        )
    )


if __name__ == "__main__":
    main()
