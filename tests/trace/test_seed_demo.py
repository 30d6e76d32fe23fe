import datetime
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from stdnum.cn import uscc

from trace import access
from trace.choices import BatchStatus, CertificationReviewStatus, Role
from trace.demo.batches import BATCHES
from trace.demo.lots import demo_batch
from trace.models import (
    Batch,
    CertificationReview,
    Household,
    Producer,
    ProductLine,
    Sale,
    UserRole,
)
from trace.selectors.batches import origin_refusal, product_line_refusal
from trace.selectors.certification import certification_is_active, producer_eligibility
from trace.validators import normalize_gtin, validate_gs1_lot

DEMO_USERS = [
    "admin",
    "operator",
    "operator2",
    "inspector",
    "informant",
    "informant2",
    "supervisor",
    "technician",
    "purchase_point",
    "office",
    "office_city",
    "office_province",
]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict]]:
    """Return every row of every trace table (m2m included) and the users."""
    models = list(apps.get_app_config("trace").get_models())
    models += [
        field.remote_field.through
        for model in models
        for field in model._meta.local_many_to_many
    ]
    rows = {
        model._meta.db_table: list(model.objects.order_by("pk").values())
        for model in models
    }
    rows["users"] = list(get_user_model().objects.order_by("pk").values())
    return rows


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_rows():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first


@pytest.mark.django_db
def test_seed_demo_fills_every_trace_table():
    seed()
    empty = [table for table, rows in snapshot().items() if not rows]
    assert empty == []


@pytest.mark.django_db
def test_seed_demo_prints_the_credentials():
    output = seed()
    for username in DEMO_USERS:
        assert username in output
    assert "suyuan-demo" in output


@pytest.mark.django_db
def test_demo_users_log_in_with_their_roles():
    seed()
    for username in DEMO_USERS:
        # Through the login page: django-axes counts logins there (a bare
        # Client.login() would pass authenticate() no request).
        response = Client().post(
            "/login/", {"username": username, "password": "suyuan-demo"}
        )
        assert response.status_code == 302, username
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=DEMO_USERS)
    }
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert access.is_administrator(users["admin"])
    assert not any(
        users[name].is_staff for name in ("operator", "operator2", "inspector")
    )
    operator, operator2 = (
        UserRole.objects.get(user=users[name]) for name in ("operator", "operator2")
    )
    assert operator.role == operator2.role == Role.OPERATOR
    assert operator.producer_id != operator2.producer_id
    inspector = UserRole.objects.get(user=users["inspector"])
    assert inspector.role == Role.INSPECTOR
    assert [region.name for region in inspector.regions.all()] == ["洞口县"]


@pytest.mark.django_db
def test_demo_data_is_well_formed():
    seed()
    under_review = set(
        CertificationReview.objects.filter(
            status=CertificationReviewStatus.OPEN
        ).values_list("producer__name", flat=True)
    )
    # The demo's one open review: the peach cooperative's only 务工 link ended.
    assert under_review == {"邵东市梧桐村黄桃专业合作社"}
    for producer in Producer.objects.all():
        assert uscc.is_valid(producer.uscc)
        assert producer_eligibility(producer=producer).qualifies == (
            producer.name not in under_review
        )
        assert certification_is_active(producer=producer)
    for line in ProductLine.objects.exclude(gtin=None):
        assert normalize_gtin(line.gtin) == line.gtin
    assert ProductLine.objects.filter(gtin=None).exists()
    for batch in Batch.objects.all():
        validate_gs1_lot(batch.lot_code)
        assert not product_line_refusal(
            producer=batch.producer, product_line=batch.product_line
        )
        assert not origin_refusal(product_line=batch.product_line, origin=batch.origin)
    assert Batch.objects.filter(status=BatchStatus.RELEASED).count() >= 5
    assert Household.objects.exclude(public_name_consent_at=None).exists()
    assert Sale.objects.filter(outlet__name__contains="832").exists()


@pytest.mark.django_db
def test_demo_household_id_numbers_are_stored_encrypted():
    seed()
    for household in Household.objects.all():
        number = household.id_number()
        assert len(number) == 18
        assert number not in household.id_number_encrypted


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["brand", "batch"])
def test_admin_changelists_show_the_demo_brand(model):
    seed()
    client = Client()
    logged_in = client.post(
        "/admin/login/", {"username": "admin", "password": "suyuan-demo"}
    )
    assert logged_in.status_code == 302
    response = client.get(f"/admin/trace/{model}/")
    assert response.status_code == 200
    assert "雪峰蜜橘" in response.content.decode()


@pytest.mark.django_db
def test_the_four_officers_and_offices_have_names_phones_and_their_regions():
    seed()
    bindings = {
        binding.user.username: binding
        for binding in UserRole.objects.select_related("user", "outlet")
    }
    assert all(bindings[name].real_name and bindings[name].phone for name in DEMO_USERS)
    scopes = {
        name: (bindings[name].role, [r.name for r in bindings[name].regions.all()])
        for name in DEMO_USERS[4:]
    }
    assert scopes == {
        "informant": (Role.INFORMANT, ["古楼村"]),
        "informant2": (Role.INFORMANT, ["茶铺村"]),
        "supervisor": (Role.SUPERVISOR, ["古楼乡"]),
        "technician": (Role.TECHNICIAN, ["古楼乡"]),
        "purchase_point": (Role.PURCHASE_POINT, ["古楼村"]),
        "office": (Role.OFFICE, ["洞口县"]),
        "office_city": (Role.OFFICE, ["邵阳市"]),
        "office_province": (Role.OFFICE, ["湖南省"]),
    }
    assert bindings["purchase_point"].outlet.kind == "purchase_point"


@pytest.mark.django_db
def test_demo_periods_follow_the_seed_documents_deadlines():
    from reports.models import ReportPeriod, Submission

    seed()
    today = timezone.localdate()
    yunyang = ReportPeriod.objects.filter(
        form_key="township_sales", region__name="云阳县"
    ).order_by("starts_on")
    # Quarterly by the 30th of the quarter's last month; none already over.
    assert yunyang and all(
        p.due_on.month % 3 == 0 and p.due_on.day == 30 and p.ends_on >= today
        for p in yunyang
    )
    assert {p.recipient for p in yunyang} == {"县商务委"}
    datonghu = ReportPeriod.objects.filter(region__name="大通湖区").order_by(
        "starts_on"
    )
    assert datonghu[0].starts_on == today.replace(day=1)
    assert all(
        p.due_on.month == p.starts_on.month and p.due_on.day in (28, 29)
        for p in datonghu
    )
    campaign = ReportPeriod.objects.get(form_key="campaign_statistics")
    assert (campaign.submitter_level, campaign.due_on.month, campaign.due_on.day) == (
        "city",
        10,
        9,
    )
    assert "002_" in campaign.source
    submitted = Submission.objects.get(region__name="古楼乡")
    assert (submitted.status, submitted.filler_name) == ("submitted", "肖丽娟")


@pytest.mark.django_db
def test_demo_lot_codes_carry_their_harvest_year():
    """Seeded on 20 January, a batch picked 30 days earlier is a 2025 lot and
    one picked 12 days earlier a 2026 lot (issue 39)."""
    with time_machine.travel(datetime.datetime(2026, 1, 20, 4, tzinfo=datetime.UTC)):
        seed()
    batches = {item.lot_code: demo_batch(item.lot_code) for item in BATCHES}
    assert len(batches) == len(BATCHES)
    for template, batch in batches.items():
        assert batch.lot_code == template.format(year=batch.harvest_date.year)
    assert batches["XFMJ{year}A01"].lot_code == "XFMJ2025A01"
    assert batches["XFMJ{year}A02"].lot_code == "XFMJ2026A02"


@pytest.mark.django_db
def test_seeding_again_finds_a_lot_seeded_in_an_earlier_year():
    seed()
    orange = demo_batch("XFMJ{year}A01")
    # A database seeded a year ago: its lot names that year's harvest.
    Batch.objects.filter(pk=orange.pk).update(lot_code="XFMJ2019A01")
    count = Batch.objects.count()
    seed()
    assert Batch.objects.count() == count
    assert demo_batch("XFMJ{year}A01").pk == orange.pk
    assert Batch.objects.get(pk=orange.pk).lot_code == "XFMJ2019A01"
