"""The workbench pages of 带贫真实 (issue 36): the 信息员's visit and the watch list.

"确保扶贫产品质量合格、价格公道、安全可靠、带贫真实" (seed 002, line 71): the
信息员 records the household's word on a payment, with the photographed
到户收益确认单; the 监督员 reads the 虚假带贫 watch list and closes a line
with a reason. Households appear by masked name only.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from tests.factories import make_user
from trace.choices import PaymentConfirmation, PaymentKind, Role, WatchReason
from trace.models import BenefitEvidence, WatchClosure
from trace.services.payments import (
    household_payment_add,
    household_payment_confirm_on_visit,
)

pytestmark = pytest.mark.django_db

PAYMENTS = "/w/village/payments/"
WATCH = "/w/watch/"


def pay(household, producer, amount, *, days_ago=1):
    payment, _ = household_payment_add(
        household=household,
        producer=producer,
        kind=PaymentKind.WAGE,
        amount=Decimal(amount),
        paid_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        recorded_by=None,
    )
    return payment


def slip_photo() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 50), (20, 90, 160)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "确认单.jpg"
    return buffer


def assert_no_personal_data(page: str, *households) -> None:
    for household in households:
        assert household.head_name not in page
        assert household.id_number() not in page


@pytest.fixture
def informant(world):
    return make_user("informant_gl", Role.INFORMANT, regions=[world.gulou_village])


def test_the_informant_confirms_a_payment_of_its_village_on_a_visit(
    world, informant, client
):
    older = pay(world.household_a, world.producer_a, "800", days_ago=9)
    newer = pay(world.household_a, world.producer_a, "1200", days_ago=2)
    elsewhere = pay(world.household_b, world.producer_b, "500")
    client.force_login(informant)

    village = client.get("/w/village/").content.decode()
    assert f'href="{PAYMENTS}"' in village

    listed = client.get(PAYMENTS).content.decode()
    assert listed.index(f'data-payment="{newer.pk}"') < listed.index(
        f'data-payment="{older.pk}"'
    )  # newest first
    assert f'data-payment="{elsewhere.pk}"' not in listed
    assert world.household_a.masked_name in listed
    assert_no_personal_data(listed, world.household_a, world.household_b)

    form = client.get(f"{PAYMENTS}{newer.pk}/")
    assert form.status_code == 200
    assert_no_personal_data(form.content.decode(), world.household_a)

    blank = client.post(f"{PAYMENTS}{newer.pk}/", {"agreed": "yes", "note": " "})
    assert blank.status_code == 400
    newer.refresh_from_db()
    assert newer.confirmation == PaymentConfirmation.UNCONFIRMED

    done = client.post(
        f"{PAYMENTS}{newer.pk}/",
        {"agreed": "yes", "note": "到户收益确认单已按手印", "photo": slip_photo()},
        follow=True,
    )
    assert done.status_code == 200
    assert "已记录本户确认" in done.content.decode()
    newer.refresh_from_db()
    assert newer.confirmation == PaymentConfirmation.CONFIRMED
    assert newer.confirmed_by == informant
    assert newer.confirmation_note == "到户收益确认单已按手印"
    evidence = BenefitEvidence.objects.get(payment=newer)
    assert evidence.caption == "到户收益确认单"
    # Answered: it leaves the list and cannot be answered again.
    assert f'data-payment="{newer.pk}"' not in done.content.decode()
    assert client.get(f"{PAYMENTS}{newer.pk}/").status_code == 404

    disputed = client.post(
        f"{PAYMENTS}{older.pk}/", {"agreed": "no", "note": "本户称只收到 500 元"}
    )
    assert disputed.status_code == 302
    older.refresh_from_db()
    assert older.confirmation == PaymentConfirmation.DISPUTED


def test_another_villages_payment_is_not_there_for_the_informant(
    world, informant, client
):
    elsewhere = pay(world.household_b, world.producer_b, "500")
    client.force_login(informant)
    assert client.get(f"{PAYMENTS}{elsewhere.pk}/").status_code == 404
    posted = client.post(
        f"{PAYMENTS}{elsewhere.pk}/", {"agreed": "yes", "note": "已按手印"}
    )
    assert posted.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.confirmation == PaymentConfirmation.UNCONFIRMED
    # Only the 信息员 has these pages.
    client.force_login(world.operator_a)
    assert client.get(PAYMENTS).status_code == 404


@pytest.fixture
def disputed(world):
    payment = pay(world.household_a, world.producer_a, "700")
    household_payment_confirm_on_visit(
        payment=payment, confirmed_by=world.admin, note="本户称未收到", agreed=False
    )
    return payment


def test_the_supervisor_reads_and_closes_a_watch_line(world, disputed, client):
    supervisor = make_user(
        "supervisor_gl", Role.SUPERVISOR, regions=[world.gulou_village.parent]
    )
    client.force_login(supervisor)
    page = client.get(WATCH)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'href="{WATCH}"' in body  # in the nav
    line = f'data-watch="{WatchReason.DISPUTED}-{disputed.pk}"'
    assert line in body
    assert str(WatchReason.DISPUTED.label) in body
    assert f'href="/api/v1/household-payments/{disputed.pk}/"' in body
    assert_no_personal_data(body, world.household_a, world.household_b)

    refused = client.post(
        WATCH, {"reason": WatchReason.DISPUTED, "record_id": disputed.pk, "note": ""}
    )
    assert refused.status_code == 400
    assert 'class="errorlist"' in refused.content.decode()
    assert not WatchClosure.objects.exists()

    closed = client.post(
        WATCH,
        {
            "reason": WatchReason.DISPUTED,
            "record_id": disputed.pk,
            "note": "已入户核实，款项已补发",
        },
        follow=True,
    )
    assert closed.status_code == 200
    assert "已处理该条关注" in closed.content.decode()
    closure = WatchClosure.objects.get()
    assert (closure.reason, closure.record_id, closure.closed_by) == (
        WatchReason.DISPUTED,
        disputed.pk,
        supervisor,
    )
    assert closure.note == "已入户核实，款项已补发"
    assert line not in closed.content.decode()


def test_the_watch_list_is_not_an_operators_or_another_townships(
    world, disputed, client
):
    client.force_login(world.operator_a)
    assert client.get(WATCH).status_code == 404
    assert f'href="{WATCH}"' not in client.get("/w/sales/").content.decode()
    other = make_user(
        "supervisor_sd", Role.SUPERVISOR, regions=[world.shaodong_village.parent]
    )
    client.force_login(other)
    assert (
        f'data-watch="disputed-{disputed.pk}"' not in client.get(WATCH).content.decode()
    )
    forged = client.post(
        WATCH, {"reason": WatchReason.DISPUTED, "record_id": disputed.pk, "note": "x"}
    )
    assert forged.status_code == 404
    assert not WatchClosure.objects.exists()
