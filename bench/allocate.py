#!/usr/bin/env python
"""Benchmark serial allocation on PostgreSQL: labels_allocate against bulk_create.

usage: DATABASE_URL=postgres://... python bench/allocate.py [--count 100000] [--trials 3]

Each trial allocates `count` serials for a fresh print job, once with the
production path (labels.services.labels_allocate: COPY on PostgreSQL) and
once with plain chunked `bulk_create` of the same rows (the previous code),
alternating so both see the same machine load. Serial generation is inside
both timings. Then two jobs of `count` serials are allocated at once on one
batch, from two threads with their own connections, and checked for
duplicates. Prints rows/s of each and the ratio.
"""

import argparse
import threading
import time

from common import median, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    setup()
    from django.db import connection, transaction

    from labels import codes, services
    from labels.models import Label, PrintJob
    from tests.factories import BatchFactory

    assert connection.vendor == "postgresql", "allocation bench needs PostgreSQL"
    batch = BatchFactory()

    def new_job() -> PrintJob:
        return PrintJob.objects.create(batch=batch, count=args.count)

    def production() -> float:
        job = new_job()
        started = time.perf_counter()
        with transaction.atomic():
            services.labels_allocate(print_job=job)
        return time.perf_counter() - started

    def bulk_create() -> float:
        job = new_job()
        started = time.perf_counter()
        with transaction.atomic():
            created = 0
            while created < job.count:
                size = min(services.ALLOCATION_CHUNK, job.count - created)
                services._labels_insert_bulk_create(
                    print_job=job,
                    first_sequence=created + 1,
                    serials=codes.serials_new(size),
                )
                created += size
        return time.perf_counter() - started

    times = {"copy (labels_allocate)": [], "bulk_create": []}
    for trial in range(args.trials):
        for name, run in (
            ("bulk_create", bulk_create),
            ("copy (labels_allocate)", production),
        ):
            seconds = run()
            times[name].append(seconds)
            print(
                f"trial {trial + 1} {name:>24}: {seconds:6.2f} s "
                f"{args.count / seconds:9,.0f} rows/s",
                flush=True,
            )

    # Two jobs at once on one batch: the unique index must keep them disjoint.
    jobs, errors = [new_job(), new_job()], []

    def allocate(job: PrintJob) -> None:
        try:
            with transaction.atomic():
                services.labels_allocate(print_job=job)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(job,)) for job in jobs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    both = time.perf_counter() - started
    serials = Label.objects.filter(print_job__in=jobs).values_list("serial", flat=True)
    total, distinct = serials.count(), serials.distinct().count()

    copy, bulk = median(times["copy (labels_allocate)"]), median(times["bulk_create"])
    print()
    print("| method | median s | rows/s |")
    print("|---|---|---|")
    print(f"| bulk_create (baseline) | {bulk:.2f} | {args.count / bulk:,.0f} |")
    print(f"| labels_allocate (COPY) | {copy:.2f} | {args.count / copy:,.0f} |")
    print()
    print(
        f"ratio COPY / bulk_create rows per second: {bulk / copy:.2f}x (target >= 2.5x)"
    )
    print(
        f"two concurrent jobs of {args.count:,}: {both:.2f} s, errors {len(errors)}, "
        f"{total:,} labels, {distinct:,} distinct serials, "
        f"duplicates {total - distinct}"
    )
    # Leave the benchmark database as it was. One DELETE: through the ORM
    # each of the 800,000 labels would first get its own history row.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Label._meta.db_table} WHERE batch_id = %s", [batch.pk]
        )
    PrintJob.objects.filter(batch=batch).delete()


if __name__ == "__main__":
    main()
