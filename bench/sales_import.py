#!/usr/bin/env python
"""Time a platform export of 100,000 orders through the import: dry run, commit.

usage: python bench/sales_import.py [--rows 100000] [--database-url URL]

Without a URL it builds a throwaway SQLite database in /tmp (migrated from
scratch); give a PostgreSQL one of your own (never the CI's) for the
production figure. Prints the seconds of the dry run and of the commit, and
the rows per second of each; the jobs run as the Celery task would, inline.
"""

import argparse
import datetime
import io
import os
import tempfile
import time
from decimal import Decimal

from common import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or (
        "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench_import.sqlite3")
    )
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SUYUAN_MEDIA_ROOT", tempfile.mkdtemp())
    setup(database_url=url)
    import tablib
    from django.core.management import call_command
    from django.utils import timezone

    from trace.choices import BatchStatus, ProducerKind, RegionLevel, Role
    from trace.models import (
        Batch,
        Brand,
        Certification,
        Producer,
        ProductLine,
        Region,
        SalesImport,
        UserRole,
    )
    from trace.services.imports import (
        sales_import_commit,
        sales_import_create,
    )

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    province = Region.objects.create(name="湖南省", level=RegionLevel.PROVINCE)
    county = Region.objects.create(
        name="洞口县", level=RegionLevel.COUNTY, parent=province
    )
    village = Region.objects.create(
        name="古楼村", level=RegionLevel.VILLAGE, parent=county
    )
    producer = Producer.objects.create(
        name="洞口县古楼茶业专业合作社", kind=ProducerKind.COOPERATIVE, region=village
    )
    today = timezone.localdate()
    Certification.objects.create(
        producer=producer,
        number="BENCH-1",
        issuer="洞口县扶贫办",
        valid_from=today - datetime.timedelta(days=300),
        valid_until=today + datetime.timedelta(days=300),
    )
    brand = Brand.objects.create(name="洞乡源味", kind="regional_public")
    line = ProductLine.objects.create(brand=brand, name="古楼云雾茶", unit="盒")
    Batch.objects.create(
        producer=producer,
        product_line=line,
        lot_code="BENCH2026",
        origin=village,
        harvest_date=today - datetime.timedelta(days=30),
        quantity=Decimal(args.rows * 10),
        unit="盒",
        status=BatchStatus.RELEASED,
    )
    user = get_user_model().objects.create(username="bench")
    UserRole.objects.create(user=user, role=Role.ADMINISTRATOR)

    data = tablib.Dataset(
        headers=["订单编号", "下单时间", "商品名称", "购买数量", "实付金额"]
    )
    for n in range(args.rows):
        name = "神秘山货" if n % 50 == 0 else "古楼云雾茶"
        data.append([f"832-{n:08d}", "2026-11-20 10:30:00", name, "2", "88.00"])
    content = data.export("csv").encode()
    columns = {
        "order_number": "订单编号",
        "sold_at": "下单时间",
        "product": "商品名称",
        "quantity": "购买数量",
        "amount": "实付金额",
    }
    started = time.perf_counter()  # the dry run runs on upload (eager Celery)
    job = sales_import_create(
        platform="扶贫832",
        file=io.BytesIO(content),
        name="orders.csv",
        columns=columns,
        uploaded_by=user,
    )
    checked = uploaded = time.perf_counter()
    SalesImport.objects.filter(pk=job.pk).update(status="committing")
    sales_import_commit(sales_import_id=job.pk)
    committed = time.perf_counter()
    from trace.models import Sale

    print(f"database: {url.split(':')[0]}; rows: {args.rows:,}")
    print(f"upload and dry run: {uploaded - started:.1f} s")
    print(
        f"commit: {committed - checked:.1f} s "
        f"({Sale.objects.count() / (committed - checked):,.0f} sales/s); "
        f"sales recorded: {Sale.objects.count():,}"
    )


if __name__ == "__main__":
    main()
