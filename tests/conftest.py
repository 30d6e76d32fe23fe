"""Shared fixtures: a small county with two producers, one user per role, API clients."""

import os
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    BatchFactory,
    BenefitLinkFactory,
    CertificationFactory,
    HouseholdFactory,
    ProducerFactory,
    ProductLineFactory,
    RegionFactory,
    make_administrator,
    make_inspector,
    make_operator,
)
from tests.reports.cycle import cycle  # noqa: F401 (the reporting cycle's fixture)
from trace.choices import ProducerKind, RegionLevel

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(message: str) -> NoReturn:
    """Skip a test for what this machine lacks; under CI=true fail it instead."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


# The Redis database tests put the cache (and the scan buffer) in; flushed around each test.
TEST_CACHE_URL = os.environ.get("SUYUAN_TEST_CACHE_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_cache(settings):
    """The cache in Redis (TEST_CACHE_URL), empty before and after the test."""
    import redis

    client = redis.Redis.from_url(TEST_CACHE_URL)
    try:
        client.flushdb()
    except redis.ConnectionError:
        missing(f"Redis is not reachable at {TEST_CACHE_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_CACHE_URL,
        }
    }
    yield client
    client.flushdb()


@pytest.fixture
def redis_gate(redis_cache, settings):
    """Production shape: the cache in Redis, scans buffered in the same Redis."""
    settings.SUYUAN_SCAN_WRITE_MODE = "buffered"
    return redis_cache


def leaks_in(body: str, fragment: str) -> bool:
    """Return whether a personal fragment appears in a response body.

    Digits count only as a whole run: a 4-digit sequence must not match
    inside a longer number (a timestamp's microseconds, an id), which made
    the privacy tests fail about once in a few hundred runs with random ID numbers.
    """
    if not fragment:
        return False
    if fragment.isdigit():
        return re.search(rf"(?<!\d){fragment}(?!\d)", body) is not None
    return fragment in body


def require_tool(name: str) -> str:
    """Return the path of a system tool; skip without it, fail in CI."""
    path = shutil.which(name)
    if path is None:
        missing(f"system tool {name!r} is not installed (Debian: see .ci/run)")
    return path


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Hash test passwords cheaply; PBKDF2 would dominate the suite's time."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class World:
    """A county where operator A and operator B run different producers."""

    hunan: object
    dongkou: object
    gulou_village: object
    shaodong_village: object
    producer_a: object
    producer_b: object
    household_a: object
    household_b: object
    batch_a: object
    batch_b: object
    admin: object
    operator_a: object
    operator_b: object
    inspector: object


@pytest.fixture
def world(db) -> World:
    hunan = RegionFactory(name="湖南省", level=RegionLevel.PROVINCE, code="430000")
    shaoyang = RegionFactory(
        name="邵阳市", level=RegionLevel.CITY, parent=hunan, code="430500"
    )
    dongkou = RegionFactory(
        name="洞口县", level=RegionLevel.COUNTY, parent=shaoyang, code="430525"
    )
    gulou = RegionFactory(name="古楼乡", level=RegionLevel.TOWN, parent=dongkou)
    gulou_village = RegionFactory(
        name="古楼村", level=RegionLevel.VILLAGE, parent=gulou
    )
    shaodong = RegionFactory(
        name="邵东市", level=RegionLevel.COUNTY, parent=shaoyang, code="430582"
    )
    shaodong_town = RegionFactory(
        name="廉桥镇", level=RegionLevel.TOWN, parent=shaodong
    )
    shaodong_village = RegionFactory(
        name="廉桥村", level=RegionLevel.VILLAGE, parent=shaodong_town
    )

    producer_a = ProducerFactory(name="洞口县古楼茶业专业合作社", region=gulou_village)
    producer_b = ProducerFactory(
        name="邵东市廉桥药材有限公司",
        kind=ProducerKind.ENTERPRISE,
        region=shaodong_village,
    )
    household_a = HouseholdFactory(village=gulou_village, head_name="王小明")
    household_b = HouseholdFactory(village=shaodong_village, head_name="李春花")
    BenefitLinkFactory(
        producer=producer_a, household=household_a, annual_income=Decimal("8000")
    )
    BenefitLinkFactory(
        producer=producer_b, household=household_b, annual_income=Decimal("7200")
    )
    CertificationFactory(producer=producer_a)
    CertificationFactory(producer=producer_b)
    tea = ProductLineFactory(name="古楼云雾茶", unit="盒")
    herb = ProductLineFactory(name="玉竹", unit="袋")
    batch_a = BatchFactory(
        producer=producer_a, product_line=tea, origin=gulou_village, lot_code="GL2026A"
    )
    batch_b = BatchFactory(
        producer=producer_b,
        product_line=herb,
        origin=shaodong_village,
        lot_code="LQ2026A",
    )
    return World(
        hunan=hunan,
        dongkou=dongkou,
        gulou_village=gulou_village,
        shaodong_village=shaodong_village,
        producer_a=producer_a,
        producer_b=producer_b,
        household_a=household_a,
        household_b=household_b,
        batch_a=batch_a,
        batch_b=batch_b,
        admin=make_administrator("office"),
        operator_a=make_operator("operator_a", producer_a),
        operator_b=make_operator("operator_b", producer_b),
        inspector=make_inspector("inspector_dk", [dongkou]),
    )


@pytest.fixture
def client_for():
    """Return an authenticated API client for a user (anonymous for None)."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    executable = require_tool("chromium")
    try:
        from playwright import sync_api
    except ImportError:  # pinned in requirements.txt: missing means a broken venv
        missing("the Python package playwright is not installed")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls
    # of the test itself are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def examples(db) -> dict:
    """The example analyte catalogue (示例数据), by short name."""
    from inspections.services.analytes import analyte_seed_examples

    by_name = {analyte.name: analyte for analyte in analyte_seed_examples()}
    return {
        "enzyme": by_name["有机磷和氨基甲酸酯类农药（酶抑制率）"],
        "dichlorvos": by_name["敌敌畏"],
        "carbofuran": by_name["克百威"],
        "lead": by_name["铅（以 Pb 计）"],
        "appearance": by_name["感官（外观）"],
    }
