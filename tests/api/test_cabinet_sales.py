"""智能专柜 push: signed batches, one sale per transaction, the label says 专柜."""

import json
import time

import pytest
from django.test import Client

from labels import services as label_services
from labels.cabinets import cabinet_device_issue, cabinet_signature
from labels.models import Label, LabelSale
from tests.reports.factories import OutletFactory
from trace.choices import OutletKind, SaleSource
from trace.models import Sale

pytestmark = pytest.mark.django_db
URL = "/api/v1/cabinet-sales/"


@pytest.fixture(autouse=True)
def fresh_throttles(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cabinet-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def device(world):
    cabinet = OutletFactory(
        name="洞口县汽车站消费扶贫专柜",
        kind=OutletKind.SMART_CABINET,
        region=world.dongkou,
        unit_count=2,
        joined_social_poverty_network=True,
    )
    return cabinet_device_issue(
        outlet=cabinet, key_id="DK-STATION-01", created_by=world.admin
    )


@pytest.fixture
def labels(world):
    job = label_services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=3,
        requested_by=world.operator_a,
        enqueue=False,
    )
    return list(Label.objects.filter(print_job=job).order_by("sequence"))


def signed_post(device, payload, *, secret=None, timestamp=None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = cabinet_signature(
        secret=secret or device.secret,
        timestamp=stamp,
        method="POST",
        path=URL,
        body=body,
    )
    return Client().post(
        URL,
        body,
        content_type="application/json",
        HTTP_X_SUYUAN_DEVICE=device.key_id,
        HTTP_X_SUYUAN_TIMESTAMP=stamp,
        HTTP_X_SUYUAN_SIGNATURE=signature,
    )


def offline_batch(labels):
    """Three sales the cabinet kept while offline: two scanned labels."""
    return {
        "transactions": [
            {
                "id": f"TX-{n}",
                "serial": label.serial,
                "quantity": "1",
                "amount": "58.00",
                "sold_at": f"2026-11-2{n}T09:0{n}:00+08:00",
            }
            for n, label in enumerate(labels[:2], start=1)
        ]
        + [
            {
                "id": "TX-3",
                "batch": labels[0].batch_id,
                "quantity": "2",
                "amount": "116.00",
                "sold_at": "2026-11-23T18:00:00+08:00",
            }
        ]
    }


def test_a_signed_batch_posted_twice_gives_one_sale_per_transaction(
    world, device, labels
):
    first = signed_post(device, offline_batch(labels))
    assert first.status_code == 200, first.json()
    assert [r["status"] for r in first.json()["results"]] == ["created"] * 3
    again = signed_post(device, offline_batch(labels))
    assert again.status_code == 200
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert [r["sale"] for r in again.json()["results"]] == [
        r["sale"] for r in first.json()["results"]
    ]
    sales = Sale.objects.filter(source=SaleSource.CABINET)
    assert sales.count() == 3
    assert set(sales.values_list("channel", "outlet__name")) == {
        ("smart_cabinet", "洞口县汽车站消费扶贫专柜")
    }
    assert set(sales.values_list("source_key", flat=True)) == {
        "DK-STATION-01:TX-1",
        "DK-STATION-01:TX-2",
        "DK-STATION-01:TX-3",
    }
    assert LabelSale.objects.filter(label__in=labels[:2]).count() == 2


def test_a_bad_signature_or_an_old_timestamp_is_refused(world, device, labels):
    wrong_key = signed_post(device, offline_batch(labels), secret="0" * 64)
    assert wrong_key.status_code == 401
    assert wrong_key.json() == {"detail": "签名不正确。"}
    old = signed_post(device, offline_batch(labels), timestamp=int(time.time()) - 301)
    assert old.status_code == 401
    assert old.json() == {"detail": "请求时间超出允许范围，请校准设备时钟后重发。"}
    ahead = signed_post(device, offline_batch(labels), timestamp=int(time.time()) + 301)
    assert ahead.status_code == 401
    just_inside = signed_post(
        device, offline_batch(labels), timestamp=int(time.time()) - 290
    )
    assert just_inside.status_code == 200
    # A body changed after signing no longer matches its signature.
    body = json.dumps(offline_batch(labels)).encode()
    stamp = str(int(time.time()))
    signature = cabinet_signature(
        secret=device.secret, timestamp=stamp, method="POST", path=URL, body=body
    )
    tampered = Client().post(
        URL,
        body.replace(b"58.00", b"5.00"),
        content_type="application/json",
        HTTP_X_SUYUAN_DEVICE=device.key_id,
        HTTP_X_SUYUAN_TIMESTAMP=stamp,
        HTTP_X_SUYUAN_SIGNATURE=signature,
    )
    assert tampered.status_code == 401
    assert Sale.objects.count() == 3  # only the one inside the window
    device.active = False
    device.save()
    assert signed_post(device, offline_batch(labels)).status_code == 401


def test_the_labels_page_says_where_it_was_sold_never_a_buyer(world, device, labels):
    signed_post(device, offline_batch(labels))
    page = Client().get(f"/t/{labels[0].serial}", REMOTE_ADDR="10.9.0.1")
    assert page.status_code == 200
    html = page.content.decode()
    assert "售出地点" in html
    assert "专柜 洞口县汽车站消费扶贫专柜（洞口县）" in html
    assert "智能专柜顾客" not in html
    unsold = Client().get(f"/t/{labels[2].serial}", REMOTE_ADDR="10.9.0.2")
    assert "售出地点" not in unsold.content.decode()


def test_a_label_sold_once_is_not_sold_again_and_errors_are_per_transaction(
    world, device, labels
):
    signed_post(device, offline_batch(labels))
    resold = signed_post(
        device,
        {
            "transactions": [
                {
                    "id": "TX-9",
                    "serial": labels[0].serial,
                    "quantity": "1",
                    "amount": "58.00",
                    "sold_at": "2026-11-24T09:00:00+08:00",
                },
                {
                    "id": "TX-10",
                    "serial": labels[2].serial,
                    "quantity": "1",
                    "amount": "58.00",
                    "sold_at": "2026-11-24T09:05:00+08:00",
                },
            ]
        },
    )
    results = resold.json()["results"]
    assert results[0] == {
        "id": "TX-9",
        "status": "refused",
        "errors": {"serial": ["该标签已售出。"]},
    }
    assert results[1]["status"] == "created"


def test_a_malformed_batch_is_a_400(world, device):
    response = signed_post(device, {"transactions": [{"id": "X", "quantity": "a"}]})
    assert response.status_code == 400
    assert "quantity" in json.dumps(response.json())
    assert not Sale.objects.exists()
