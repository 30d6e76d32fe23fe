from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from stdnum.cn import uscc

from trace import access, services
from trace.choices import BatchStatus, CertificationReviewStatus, Role
from trace.models import (
    Batch,
    CertificationReview,
    Household,
    Producer,
    ProductLine,
    Sale,
    UserRole,
)
from trace.validators import normalize_gtin, validate_gs1_lot

DEMO_USERS = ["admin", "operator", "operator2", "inspector"]


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
        assert Client().login(username=username, password="suyuan-demo"), username
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
        assert services.producer_eligibility(producer=producer).qualifies == (
            producer.name not in under_review
        )
        assert services.certification_is_active(producer=producer)
    for line in ProductLine.objects.exclude(gtin=None):
        assert normalize_gtin(line.gtin) == line.gtin
    assert ProductLine.objects.filter(gtin=None).exists()
    for batch in Batch.objects.all():
        validate_gs1_lot(batch.lot_code)
        assert not services.product_line_refusal(
            producer=batch.producer, product_line=batch.product_line
        )
        assert not services.origin_refusal(
            product_line=batch.product_line, origin=batch.origin
        )
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
    assert client.login(username="admin", password="suyuan-demo")
    response = client.get(f"/admin/trace/{model}/")
    assert response.status_code == 200
    assert "雪峰蜜橘" in response.content.decode()
