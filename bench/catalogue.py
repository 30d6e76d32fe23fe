#!/usr/bin/env python
"""Benchmark the public 扶贫产品目录 and the 待销目录 export of a large county.

usage: DATABASE_URL=postgres://... python bench/catalogue.py [--entries 3000]
       [--trials 7]

Builds (once, idempotently) a county of 30 towns with 10 villages each, a
certified cooperative per village and `--entries` listed catalogue entries
spread over them, plus 30 in 公示; then times, through Django's test client
(no network), each public page and JSON list and the office's
products_for_sale export, and prints the median milliseconds and the number
of queries of each.
"""

import argparse
import datetime
import statistics
import time
from decimal import Decimal

from common import setup

TOWNS, VILLAGES = 30, 10
COUNTY = "基准县"


def build(entries: int) -> None:
    from django.utils import timezone

    from tests.factories import make_uscc
    from trace.choices import (
        CatalogueStatus,
        CertificationStatus,
        DeliveryMethod,
        ProducerKind,
        RegionLevel,
        Season,
    )
    from trace.models import CatalogueEntry, Certification, Producer, Region

    if Region.objects.filter(name=COUNTY).exists():
        return
    today = timezone.localdate()
    county = Region.objects.create(name=COUNTY, level=RegionLevel.COUNTY)
    producers = []
    for town_number in range(TOWNS):
        town = Region.objects.create(
            name=f"第{town_number}镇", level=RegionLevel.TOWN, parent=county
        )
        for village_number in range(VILLAGES):
            village = Region.objects.create(
                name=f"第{village_number}村", level=RegionLevel.VILLAGE, parent=town
            )
            producers.append(
                Producer(
                    name=f"{town.name}{village.name}合作社",
                    kind=ProducerKind.COOPERATIVE,
                    uscc=make_uscc(),
                    region=village,
                    contact_person="联系人",
                    contact_phone="0739-0000000",
                )
            )
    producers = Producer.objects.bulk_create(producers)
    Certification.objects.bulk_create(
        Certification(
            producer=producer,
            number=f"BENCH-{producer.pk}",
            issuer="基准县扶贫办",
            valid_from=today - datetime.timedelta(days=30),
            valid_until=today + datetime.timedelta(days=300),
            status=CertificationStatus.ACTIVE,
        )
        for producer in producers
    )
    deliveries, seasons = DeliveryMethod.values, Season.values
    rows = []
    for number in range(entries + 30):
        producer = producers[number % len(producers)]
        listed = number < entries
        rows.append(
            CatalogueEntry(
                producer=producer,
                region_id=producer.region_id,
                name=f"产品{number}",
                category=["水果", "茶叶", "大米", "禽蛋", "蔬菜"][number % 5],
                unit="斤",
                price=Decimal("3.5") + number % 40,
                delivery_method=deliveries[number % len(deliveries)],
                season=seasons[number % len(seasons)],
                planned_quantity=Decimal("100"),
                status=CatalogueStatus.LISTED if listed else CatalogueStatus.NOTICE,
                notice_starts_on=today - datetime.timedelta(days=20 if listed else 1),
                notice_ends_on=today - datetime.timedelta(days=14 if listed else -5),
                listed_on=today - datetime.timedelta(days=13) if listed else None,
            )
        )
    CatalogueEntry.objects.bulk_create(rows, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--trials", type=int, default=7)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from trace.choices import Role
    from trace.models import Region, UserRole

    build(args.entries)
    county = Region.objects.get(name=COUNTY)
    town = Region.objects.filter(parent=county).order_by("pk").first()
    admin, _ = get_user_model().objects.get_or_create(username="bench-admin")
    UserRole.objects.get_or_create(user=admin, defaults={"role": Role.ADMINISTRATOR})
    anonymous, office = Client(), Client()
    office.force_login(admin)
    pages = [
        ("catalogue page (30 a page)", anonymous, "/catalogue/"),
        ("catalogue page, one town", anonymous, f"/catalogue/?region={town.pk}"),
        ("catalogue JSON, 50 a page", anonymous, "/api/v1/catalogue/"),
        ("catalogue JSON, filtered", anonymous, "/api/v1/catalogue/?season=spring"),
        ("notices page", anonymous, "/catalogue/notices/"),
        ("township print list", anonymous, f"/catalogue/print/{town.pk}/"),
        (
            "products_for_sale JSON",
            office,
            f"/api/v1/reports/products_for_sale/?region={county.pk}",
        ),
    ]
    print(f"{args.entries} listed entries, {TOWNS * VILLAGES} producers")
    for name, client, url in pages:
        timings = []
        for _ in range(args.trials):
            cache.clear()  # anonymous throttles would trip on repeated runs
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, HTTP_HOST="127.0.0.1")
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{name:<30} {statistics.median(timings):8.1f} ms"
            f"  {len(captured):3d} queries  {len(response.content) / 1024:7.1f} KiB"
        )


if __name__ == "__main__":
    main()
