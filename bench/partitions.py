#!/usr/bin/env python
"""Scan events partitioned by month against the same rows in one plain table.

usage: DATABASE_URL=postgres://... python bench/partitions.py [--scans 5000000] [--trials 5]

Needs a migrated database with labels (bench/load.py, or `manage.py
seed_demo`). Makes the monthly partitions of the last --months months
(pg_partman), writes --scans scan events spread evenly over them with
INSERT … SELECT generate_series (server-side, as COPY would), copies them
into an unpartitioned table with the same indexes, and times on both: one
month's count (a form's), one label's scans in one month (the dashboard's)
and one label's scans of all time (the recall trace's). Prints bytes per
scan event (rows and indexes) and which partitions each plan reads. The
bench rows are deleted afterwards unless --keep.
"""

import argparse
import re
import statistics
import time

from common import setup

PLAIN = "bench_scanevent_plain"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scans", type=int, default=5_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    setup()
    from django.db import connection

    cursor = connection.cursor()

    def one(query: str, params=()):
        cursor.execute(query, params)
        return cursor.fetchone()

    cursor.execute("SET timezone = 'Asia/Shanghai'")
    (labels,) = one("SELECT count(*) FROM labels_label")
    if not labels:
        raise SystemExit("no labels: run bench/load.py or manage.py seed_demo first")
    # As text: Django reads a timestamp as if the session were in UTC.
    (start,) = one(
        "SELECT (date_trunc('month', now()) - make_interval(months => %s))::text",
        [args.months - 1],
    )
    # The past months, as the migration makes them for old scans: months of
    # the county's time zone, computed in the server (bench set-up only).
    cursor.execute(
        """
        DO $$ DECLARE month timestamptz; BEGIN
          PERFORM set_config('timezone', 'Asia/Shanghai', true);
          FOR month IN SELECT generate_series(
              date_trunc('month', now()) - make_interval(months => %s),
              date_trunc('month', now()), '1 month') LOOP
            IF to_regclass('public.labels_scanevent_p' || to_char(month, 'YYYY_MM')) IS NULL THEN
              EXECUTE format('CREATE TABLE %I PARTITION OF labels_scanevent'
                             ' FOR VALUES FROM (%L) TO (%L)',
                             'labels_scanevent_p' || to_char(month, 'YYYY_MM'),
                             month, month + interval '1 month');
            END IF;
          END LOOP;
        END $$
        """.replace("%s", str(int(args.months - 1)))
    )
    (before,) = one("SELECT max(id) FROM labels_scanevent")
    began = time.perf_counter()
    # Labels by rank (ids need not be dense); times evenly over the months.
    cursor.execute(
        """
        WITH ranked AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rank
                        FROM labels_label)
        INSERT INTO labels_scanevent (label_id, scanned_at, client_hash, user_agent, city)
        SELECT ranked.id,
               %(start)s::timestamptz + (n::float8 / %(scans)s) * (now() - %(start)s::timestamptz),
               md5(n::text),
               'Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 MicroMessenger/8.0',
               (ARRAY['长沙市','邵阳市','怀化市','湘西州'])[1 + n %% 4]
        FROM generate_series(0, %(scans)s - 1) AS n
        JOIN ranked ON ranked.rank = n %% %(labels)s
        """,
        {"start": start, "scans": args.scans, "labels": labels},
    )
    written = time.perf_counter() - began
    print(
        f"{args.scans:,} scan events over {args.months} months on {labels:,} labels:"
        f" written in {written:.1f} s ({args.scans / written:,.0f}/s)"
    )
    began = time.perf_counter()
    cursor.execute(f"DROP TABLE IF EXISTS {PLAIN}")
    cursor.execute(f"CREATE TABLE {PLAIN} AS SELECT * FROM labels_scanevent")
    cursor.execute(f"ALTER TABLE {PLAIN} ADD PRIMARY KEY (id)")
    cursor.execute(f"CREATE INDEX ON {PLAIN} (label_id, scanned_at)")
    cursor.execute(f"ANALYZE labels_scanevent; ANALYZE {PLAIN}")
    print(f"plain copy with its indexes: {time.perf_counter() - began:.1f} s")

    (total,) = one("SELECT count(*) FROM labels_scanevent")
    (partitioned_bytes,) = one(
        "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits"
        " WHERE inhparent = 'labels_scanevent'::regclass"
    )
    (plain_bytes,) = one("SELECT pg_total_relation_size(%s)", [PLAIN])
    print(
        f"{total:,} rows; bytes per scan event (rows + indexes):"
        f" partitioned {partitioned_bytes / total:.0f}, plain {plain_bytes / total:.0f}"
    )

    (month,) = one("SELECT (date_trunc('month', now()) - interval '2 months')::text")
    (busy_label,) = one("SELECT id FROM labels_label ORDER BY id LIMIT 1")
    queries = {
        "one month's count": (
            "SELECT count(*) FROM {t} WHERE scanned_at >= %s"
            " AND scanned_at < %s::timestamptz + interval '1 month'",
            [month, month],
        ),
        "one label, one month": (
            "SELECT count(*), count(DISTINCT city) FROM {t} WHERE label_id = %s"
            " AND scanned_at >= %s AND scanned_at < %s::timestamptz + interval '1 month'",
            [busy_label, month, month],
        ),
        "one label, all months": (
            "SELECT city, count(*) FROM {t} WHERE label_id = %s GROUP BY city",
            [busy_label],
        ),
    }
    print("| query | partitioned ms (median) | plain ms (median) | partitions read |")
    print("|---|---|---|---|")
    for name, (query, params) in queries.items():
        timings = {}
        for table in ("labels_scanevent", PLAIN):
            sql = query.format(t=table)
            cursor.execute(sql, params)  # warm
            runs = []
            for _ in range(args.trials):
                began = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                runs.append((time.perf_counter() - began) * 1000)
            timings[table] = statistics.median(runs)
        cursor.execute("EXPLAIN " + query.format(t="labels_scanevent"), params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        read = sorted(set(re.findall(r"labels_scanevent_(p\d{4}_\d{2}|default)", plan)))
        print(
            f"| {name} | {timings['labels_scanevent']:.1f} | {timings[PLAIN]:.1f} |"
            f" {len(read)}: {', '.join(read)} |"
        )

    cursor.execute(f"DROP TABLE {PLAIN}")
    if not args.keep:
        cursor.execute("DELETE FROM labels_scanevent WHERE id > %s", [before or 0])


if __name__ == "__main__":
    main()
