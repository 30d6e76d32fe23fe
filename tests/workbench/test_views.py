"""Workbench pages through Django's test client: valid, invalid, out of scope."""

import datetime
import io
import re
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from inspections.choices import Verdict
from inspections.models import Analyte, Inspection
from inspections.services.analytes import analyte_seed_examples
from labels.choices import PrintJobStatus
from labels.models import PrintJob
from labels.services import print_job_create
from reports.models import Certificate
from tests.factories import (
    BatchFactory,
    CertificationFactory,
    ProductLineFactory,
    make_gtin13,
)
from trace.choices import BatchStatus, CertificationStatus, Role
from trace.demo.users import USERS as DEMO_USERS
from trace.models import Batch, Certification, CertificationReview, Sale
from trace.services.batches import batch_hold
from trace.services.households import benefit_link_end
from workbench.models import PrinterSettings

pytestmark = pytest.mark.django_db

ENZYME = "有机磷和氨基甲酸酯类农药（酶抑制率）"


@pytest.fixture
def analytes(db):
    analyte_seed_examples()
    return {analyte.name: analyte for analyte in Analyte.objects.all()}


def page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def html(response) -> str:
    return response.content.decode()


# Login and the landing page.


def test_landing_links_login_api_docs_and_admin(client):
    text = html(client.get("/"))
    for link in ('href="/login/"', 'href="/api/docs/"', 'href="/admin/"'):
        assert link in text


def test_landing_has_a_door_for_buyers_and_names_every_kind_of_user(client):
    page = html(client.get("/"))
    assert 'href="/catalogue/"' in page
    for user in (
        "合作社",
        "市场监管",
        "信息员",
        "监督员",
        "技术指导员",
        "收购点",
        "扶贫办",
    ):
        assert user in page, user
    assert "采购" in page


def test_login_hint_lists_every_demo_account_by_role(client):
    page = html(client.get("/login/"))
    for role in Role:
        if role == Role.ADMINISTRATOR or any(u.role == role for u in DEMO_USERS):
            assert f"{role.label}：" in page, role
    for user in DEMO_USERS:
        assert user.username in page


def test_workbench_requires_login(client):
    response = client.get("/w/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/w/")


def test_login_page_in_chinese_and_wrong_password_says_so(client, world):
    assert "登录工作台" in html(client.get("/login/"))
    response = client.post("/login/", {"username": "operator_a", "password": "x"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in html(response)
    assert 'value="operator_a"' in html(response)  # nothing typed is lost


def test_login_leads_to_the_workbench(client, world):
    response = client.post(
        "/login/", {"username": "operator_a", "password": "pw-suyuan-test"}
    )
    assert response.status_code == 302 and response["Location"] == "/w/"


# Operator home.


def test_operator_home_shows_certification_and_batches_by_status(client, world):
    BatchFactory(
        producer=world.producer_a,
        origin=world.gulou_village,
        lot_code="DRAFT01",
        status=BatchStatus.DRAFT,
    )
    response = page(client, world.operator_a, "/w/")
    text = html(response)
    certification = Certification.objects.get(producer=world.producer_a)
    assert certification.number in text
    assert "GL2026A" in text and "DRAFT01" in text
    assert "LQ2026A" not in text  # operator B's batch
    assert "到期" not in text


def test_operator_home_warns_thirty_days_before_expiry(client, world):
    Certification.objects.filter(producer=world.producer_a).update(
        valid_until=timezone.localdate() + datetime.timedelta(days=20)
    )
    text = html(page(client, world.operator_a, "/w/"))
    assert "到期（还有 20 天）" in text


def test_operator_home_warns_without_active_certification(client, world):
    Certification.objects.filter(producer=world.producer_a).update(
        status=CertificationStatus.SUSPENDED
    )
    assert "暂停" in html(page(client, world.operator_a, "/w/"))


def test_inspector_home_is_the_list_to_inspect(client, world):
    response = page(client, world.inspector, "/w/")
    assert response.status_code == 302 and response["Location"] == "/w/inspect/"


def test_administrator_home_links_admin_and_dashboard(client, world):
    text = html(page(client, world.admin, "/w/"))
    assert "/reports/dashboard/" in text and "/admin/" in text


# Registering a batch.


def batch_data(world, **overrides):
    data = {
        "product_line": world.batch_a.product_line.pk,
        "lot_code": "GL2026B",
        "name": "秋茶",
        "origin": world.gulou_village.pk,
        "harvest_date": "2026-10-01",
        "quantity": "120",
        "unit": "盒",
        "contrib-TOTAL_FORMS": "3",
        "contrib-INITIAL_FORMS": "0",
        "contrib-MIN_NUM_FORMS": "0",
        "contrib-MAX_NUM_FORMS": "50",
        "contrib-0-household": world.household_a.pk,
        "contrib-0-quantity": "40",
        "contrib-0-amount_paid": "800",
    }
    data.update(overrides)
    return data


def test_batch_form_offers_villages_grouped_by_town_and_masked_households(
    client, world
):
    text = html(page(client, world.operator_a, "/w/batches/new/"))
    assert '<optgroup label="湖南省 邵阳市 洞口县 古楼乡">' in text
    assert "古楼村" in text and "廉桥村" not in text  # the producer's county only
    assert "王*明（古楼村）" in text
    assert "王小明" not in text and "李*花" not in text


def test_batch_register_saves_a_draft_with_contributions(client, world):
    client.force_login(world.operator_a)
    response = client.post("/w/batches/new/", batch_data(world))
    batch = Batch.objects.get(lot_code="GL2026B")
    assert response.status_code == 302
    assert response["Location"] == f"/w/batches/{batch.pk}/"
    assert batch.status == BatchStatus.DRAFT
    assert batch.producer == world.producer_a and batch.created_by == world.operator_a
    contribution = batch.contributions.get()
    assert contribution.household == world.household_a
    assert contribution.amount_paid == Decimal("800")


def test_batch_register_rejects_a_chinese_lot_code_with_a_suggestion(client, world):
    client.force_login(world.operator_a)
    response = client.post(
        "/w/batches/new/", batch_data(world, lot_code="秋茶 gl-2026 b")
    )
    text = html(response)
    assert response.status_code == 200
    assert "批次号须为" in text and "建议改为：GL-2026B" in text
    assert 'value="秋茶 gl-2026 b"' in text and 'value="秋茶"' in text
    assert not Batch.objects.filter(name="秋茶").exists()


def test_batch_register_shows_service_errors_next_to_the_field(client, world):
    client.force_login(world.operator_a)
    response = client.post("/w/batches/new/", batch_data(world, lot_code="GL2026A"))
    assert "该产品线已有相同批次号的批次" in html(response)
    assert 'id="id_lot_code-errors"' in html(response)


def test_batch_register_refuses_a_household_of_another_producer(client, world):
    client.force_login(world.operator_a)
    data = batch_data(world, **{"contrib-0-household": world.household_b.pk})
    response = client.post("/w/batches/new/", data)
    assert "选择一个有效的选项" in html(response)
    assert not Batch.objects.filter(lot_code="GL2026B").exists()


def test_batch_register_without_certification_says_why(client, world):
    Certification.objects.filter(producer=world.producer_a).update(
        status=CertificationStatus.REVOKED
    )
    client.force_login(world.operator_a)
    response = client.post("/w/batches/new/", batch_data(world))
    assert "没有有效的扶贫产品认定" in html(response)


def test_batch_register_is_for_operators_only(client, world):
    assert page(client, world.inspector, "/w/batches/new/").status_code == 404


# The batch page and releasing.


def test_batch_page_out_of_scope_is_404(client, world):
    assert (
        page(client, world.operator_a, f"/w/batches/{world.batch_b.pk}/").status_code
        == 404
    )
    assert (
        page(client, world.inspector, f"/w/batches/{world.batch_b.pk}/").status_code
        == 404
    )


def test_release_a_draft_from_its_page(client, world):
    draft = BatchFactory(
        producer=world.producer_a,
        origin=world.gulou_village,
        lot_code="DRAFT02",
        status=BatchStatus.DRAFT,
    )
    text = html(page(client, world.operator_a, f"/w/batches/{draft.pk}/"))
    assert "放行批次" in text
    response = client.post(f"/w/batches/{draft.pk}/release/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == BatchStatus.RELEASED


def test_release_failure_is_shown_on_the_batch_page(client, world):
    draft = BatchFactory(
        producer=world.producer_a,
        origin=world.gulou_village,
        lot_code="DRAFT03",
        status=BatchStatus.DRAFT,
    )
    Certification.objects.filter(producer=world.producer_a).update(
        status=CertificationStatus.SUSPENDED
    )
    client.force_login(world.operator_a)
    response = client.post(f"/w/batches/{draft.pk}/release/")
    assert response.status_code == 400
    assert "批次不能放行" in html(response)


def test_release_of_another_producers_batch_is_404(client, world):
    client.force_login(world.operator_a)
    assert client.post(f"/w/batches/{world.batch_b.pk}/release/").status_code == 404


# Sales and the benefit ledger.


def sale_data(world, **overrides):
    data = {
        "batch": world.batch_a.pk,
        "buyer": "洞口县第一中学食堂",
        "channel": "school",
        "quantity": "10",
        "unit": world.batch_a.unit,
        "amount": "1280.00",
        "sold_at": "2026-10-05T10:30",
    }
    data.update(overrides)
    return data


def test_record_a_sale(client, world):
    client.force_login(world.operator_a)
    response = client.post("/w/sales/", sale_data(world))
    assert response.status_code == 302
    sale = Sale.objects.get()
    assert sale.seller == world.producer_a and sale.recorded_by == world.operator_a
    assert "洞口县第一中学食堂" in html(client.get(response["Location"]))


def test_sale_with_zero_quantity_is_refused_next_to_the_field(client, world):
    client.force_login(world.operator_a)
    response = client.post("/w/sales/", sale_data(world, quantity="0"))
    assert "数量必须大于 0" in html(response)
    assert 'value="洞口县第一中学食堂"' in html(response)
    assert not Sale.objects.exists()


def test_sale_of_another_producers_batch_is_not_a_choice(client, world):
    client.force_login(world.operator_a)
    response = client.post("/w/sales/", sale_data(world, batch=world.batch_b.pk))
    assert "选择一个有效的选项" in html(response)


def test_benefit_ledger_shows_masked_households_only(client, world):
    text = html(page(client, world.operator_a, "/w/benefits/"))
    assert "王*明" in text and "8000.00" in text
    assert "王小明" not in text and "李*花" not in text


def test_sales_and_benefits_are_for_operators(client, world):
    assert page(client, world.inspector, "/w/sales/").status_code == 404
    assert page(client, world.inspector, "/w/benefits/").status_code == 404


# The inspector's list and logging a check.


def test_inspect_list_puts_held_and_unchecked_batches_first(client, world, analytes):
    checked = BatchFactory(
        producer=world.producer_a, origin=world.gulou_village, lot_code="CHECKED1"
    )
    client.force_login(world.inspector)
    client.post("/w/inspect/new/", inspection_data(checked, analytes, value="10"))
    held = BatchFactory(
        producer=world.producer_a,
        origin=world.gulou_village,
        lot_code="HELD1",
        status=BatchStatus.ON_HOLD,
    )
    text = html(client.get("/w/inspect/"))
    assert text.index("HELD1") < text.index("GL2026A") < text.index("CHECKED1")
    assert "LQ2026A" not in text  # 邵东 is not the inspector's region
    assert held.pk


def inspection_data(batch, analytes, *, value="62", key=None, **overrides):
    data = {
        "idempotency_key": key or str(uuid.uuid4()),
        "batch": batch.pk,
        "kind": "rapid_test",
        "sampled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "sample_size": "1",
        "sample_unit": "kg",
        "notes": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "30",
        "items-0-analyte": analytes[ENZYME].pk,
        "items-0-measured_value": value,
        "items-0-outcome": "",
    }
    data.update(overrides)
    return data


def test_inspection_form_shows_the_limits_of_the_catalogue(client, world, analytes):
    text = html(page(client, world.inspector, "/w/inspect/new/"))
    assert "铅（以 Pb 计）（GB 5009.12） · 限量 水果 ≤ 0.1 mg/kg" in text
    assert 'capture="environment"' in text and 'accept="image/*"' in text
    assert 'name="idempotency_key"' in text


def test_failing_rapid_test_holds_the_batch_and_asks_for_a_lab_test(
    client, world, analytes
):
    client.force_login(world.inspector)
    response = client.post("/w/inspect/new/", inspection_data(world.batch_a, analytes))
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/w/inspections/{inspection.pk}/?saved=1"
    assert inspection.verdict == Verdict.SUSPECT
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.ON_HOLD
    text = html(client.get(response["Location"]))
    assert "检测记录已保存" in text
    assert "批次已暂停销售" in text and "需要实验室检测" in text


def test_a_lab_test_of_another_analyte_leaves_the_hold_and_says_what_is_outstanding(
    client, world, analytes
):
    client.force_login(world.inspector)
    client.post("/w/inspect/new/", inspection_data(world.batch_a, analytes))
    lead = inspection_data(
        world.batch_a,
        analytes,
        kind="lab_test",
        **{
            "items-0-analyte": analytes["铅（以 Pb 计）"].pk,
            "items-0-measured_value": "0.02",
        },
    )
    response = client.post("/w/inspect/new/", lead, follow=True)
    text = html(response)
    assert "检测记录已保存" in text
    assert 'id="hold-outstanding"' in text
    assert "尚待实验室检测排除：有机磷和氨基甲酸酯类农药" in text
    assert "已解除暂停" not in text
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.ON_HOLD

    covering = inspection_data(
        world.batch_a,
        analytes,
        kind="lab_test",
        **{"items-0-analyte": analytes["敌敌畏"].pk, "items-0-measured_value": "0.01"},
    )
    text = html(client.post("/w/inspect/new/", covering, follow=True))
    assert 'id="hold-lifted"' in text and "已解除暂停" in text
    assert "敌敌畏 0.01 mg/kg ≤ 0.2 mg/kg" in text  # the evidence
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.RELEASED
    # The batch's history keeps who, when and on what evidence.
    history = html(client.get(f"/w/batches/{world.batch_a.pk}/"))
    assert "inspector_dk" in history and "敌敌畏 0.01 mg/kg" in history


def test_the_page_says_when_no_lab_result_can_cover_a_cause_for_the_category(
    client, world, analytes
):
    line = world.batch_a.product_line
    client.force_login(world.inspector)
    client.post("/w/inspect/new/", inspection_data(world.batch_a, analytes))
    assert 'id="hold-no-limit"' not in html(
        client.get(f"/w/batches/{world.batch_a.pk}/")
    )
    line.category = "蛋类"  # the example catalogue has pesticide limits for 水果 only
    line.save(update_fields=["category"])
    text = html(client.get(f"/w/batches/{world.batch_a.pk}/"))
    assert 'id="hold-no-limit"' in text
    assert "蛋类" in text and "请管理员在检测项目目录中补充限量" in text


def test_an_inspector_signs_the_release_of_a_hand_made_hold(client, world):
    batch_hold(batch=world.batch_a, changed_by=world.admin, reason="群众举报")
    client.force_login(world.inspector)
    url = f"/w/batches/{world.batch_a.pk}/"
    assert "签字解除暂停" in html(client.get(url))
    refused = client.post(f"{url}release/", {"reason": " "})
    assert refused.status_code == 400
    assert "签字解除暂停必须说明理由" in html(refused)
    response = client.post(f"{url}release/", {"reason": "经核实举报不实"})
    assert response.status_code == 302
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.RELEASED
    assert "经核实举报不实" in html(client.get(url))


def test_an_operator_is_offered_no_release_of_a_hold(client, world):
    batch_hold(batch=world.batch_a, changed_by=world.admin, reason="群众举报")
    text = html(page(client, world.operator_a, f"/w/batches/{world.batch_a.pk}/"))
    assert "签字解除暂停" not in text
    assert "只能由负责该地区的检测员签字" in text


def test_the_same_key_records_once(client, world, analytes):
    client.force_login(world.inspector)
    data = inspection_data(world.batch_a, analytes)
    first = client.post("/w/inspect/new/", data)
    second = client.post("/w/inspect/new/", data)
    assert Inspection.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_same_key_for_a_different_record_is_refused(client, world, analytes):
    client.force_login(world.inspector)
    key = str(uuid.uuid4())
    client.post("/w/inspect/new/", inspection_data(world.batch_a, analytes, key=key))
    response = client.post(
        "/w/inspect/new/", inspection_data(world.batch_a, analytes, key=key, value="3")
    )
    assert response.status_code == 400
    assert "请刷新页面后重新填写" in html(response)
    assert Inspection.objects.count() == 1


def test_page_script_gets_json_and_a_replay_is_200(client, world, analytes):
    client.force_login(world.inspector)
    data = inspection_data(world.batch_a, analytes)
    headers = {"HTTP_X_WORKBENCH_FETCH": "1"}
    first = client.post("/w/inspect/new/", data, **headers)
    again = client.post("/w/inspect/new/", data, **headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["saved"] and first.json()["batch_status"] == "暂停销售"
    assert again.json()["url"] == first.json()["url"]
    assert Inspection.objects.count() == 1


def test_page_script_gets_field_errors_as_json(client, world, analytes):
    client.force_login(world.inspector)
    response = client.post(
        "/w/inspect/new/",
        inspection_data(world.batch_a, analytes, **{"items-0-measured_value": ""}),
        HTTP_X_WORKBENCH_FETCH="1",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["items-0-measured_value"][0]["message"] == "请填写检测值。"


def test_inspection_without_items_keeps_what_was_typed(client, world, analytes):
    client.force_login(world.inspector)
    data = inspection_data(
        world.batch_a,
        analytes,
        notes="果园东侧取样",
        **{"items-0-analyte": "", "items-0-measured_value": ""},
    )
    response = client.post("/w/inspect/new/", data)
    assert response.status_code == 400
    text = html(response)
    assert "至少填写一项检测结果" in text and "果园东侧取样" in text
    assert data["idempotency_key"] in text
    assert not Inspection.objects.exists()


def test_a_value_without_an_item_asks_for_the_item(client, world, analytes):
    client.force_login(world.inspector)
    data = inspection_data(world.batch_a, analytes, **{"items-0-analyte": ""})
    response = client.post("/w/inspect/new/", data)
    assert 'id="id_items-0-analyte-errors"' in html(response)
    assert "请选择检测项目。" in html(response)


def test_inspection_of_a_batch_outside_the_regions_is_not_a_choice(
    client, world, analytes
):
    client.force_login(world.inspector)
    response = client.post("/w/inspect/new/", inspection_data(world.batch_b, analytes))
    assert "选择一个有效的选项" in html(response)
    assert not Inspection.objects.exists()


def test_photo_and_signature_are_saved_with_the_check(client, world, analytes):
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(image, "JPEG")
    image.seek(0)
    image.name = "photo.jpg"
    client.force_login(world.inspector)
    data = inspection_data(world.batch_a, analytes, value="12", sign="on")
    response = client.post("/w/inspect/new/", {**data, "photos": image})
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert inspection.signed_at is not None and inspection.verdict == Verdict.PASS
    assert inspection.attachments.count() == 1
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.RELEASED


def test_the_check_page_shows_its_photo_with_debug_off_and_only_in_scope(
    client, world, analytes, settings
):
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(image, "JPEG")
    image.seek(0)
    image.name = "photo.jpg"
    client.force_login(world.inspector)
    data = inspection_data(world.batch_a, analytes, value="12", sign="on")
    client.post("/w/inspect/new/", {**data, "photos": image})
    inspection = Inspection.objects.get()
    attachment = inspection.attachments.get()
    settings.DEBUG = False
    text = html(client.get(f"/w/inspections/{inspection.pk}/"))
    base = f"/w/inspections/{inspection.pk}/attachments/{attachment.pk}"
    assert f'src="{base}/thumbnail/"' in text and f'href="{base}/file/"' in text
    response = client.get(f"{base}/thumbnail/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size
    assert client.get(f"{base}/file/").status_code == 200
    assert client.get(f"{base}/other/").status_code == 404
    client.force_login(world.operator_b)
    assert client.get(f"{base}/file/").status_code == 404


def test_a_file_that_is_no_photo_is_refused_and_nothing_is_saved(
    client, world, analytes
):
    fake = io.BytesIO(b"not an image at all")
    fake.name = "photo.jpg"
    client.force_login(world.inspector)
    data = inspection_data(world.batch_a, analytes)
    response = client.post("/w/inspect/new/", {**data, "photos": fake})
    assert response.status_code == 400
    assert 'id="id_photos-errors"' in html(response)
    assert not Inspection.objects.exists()
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.RELEASED


def test_inspection_pages_are_for_inspectors(client, world):
    assert page(client, world.operator_a, "/w/inspect/").status_code == 404
    assert page(client, world.operator_a, "/w/inspect/new/").status_code == 404


def test_inspection_page_out_of_scope_is_404(client, world, analytes):
    client.force_login(world.inspector)
    client.post("/w/inspect/new/", inspection_data(world.batch_a, analytes))
    inspection = Inspection.objects.get()
    assert (
        page(client, world.operator_b, f"/w/inspections/{inspection.pk}/").status_code
        == 404
    )
    # The producer sees the checks of its own batches.
    assert (
        page(client, world.operator_a, f"/w/inspections/{inspection.pk}/").status_code
        == 200
    )


def test_certification_factory_default_is_far_from_expiry(world):
    # Guards the "no warning" assertion above against a changed factory default.
    assert CertificationFactory.build().valid_until > timezone.localdate() + (
        datetime.timedelta(days=30)
    )


# Printing labels.


def print_data(world, **overrides):
    data = {
        "batch": world.batch_a.pk,
        "template": "a4-3x8",
        "count": "24",
        "start_position": "4",
        "offset_x_mm": "1.5",
        "offset_y_mm": "-0.5",
    }
    data.update(overrides)
    return data


def test_print_form_draws_the_sheet_and_remembers_offsets(
    client, world, django_capture_on_commit_callbacks
):
    text = html(page(client, world.operator_a, f"/w/print/?batch={world.batch_a.pk}"))
    assert text.count('class="slot') >= 24 and 'data-position="24"' in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/w/print/", print_data(world))
    job = PrintJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/w/print/{job.pk}/"
    assert (job.count, job.start_position, job.offset_x_mm) == (24, 4, Decimal("1.5"))
    assert job.status == PrintJobStatus.DONE
    remembered = PrinterSettings.objects.get(user=world.operator_a)
    assert remembered.offset_y_mm == Decimal("-0.5")
    assert 'value="1.5"' in html(client.get("/w/print/"))  # used next time


def test_print_job_page_progress_and_pdf(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.operator_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/w/print/", print_data(world))
    job = PrintJob.objects.get()
    assert "下载标签 PDF" in html(client.get(f"/w/print/{job.pk}/"))
    progress = client.get(f"/w/print/{job.pk}/progress.json").json()
    assert progress["finished"] and progress["percent"] == 100
    assert progress["pdf_url"] == f"/w/print/{job.pk}/pdf/"
    pdf = client.get(progress["pdf_url"])
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "GL2026A" in html(client.get("/w/"))  # the home page lists the job


def test_queued_job_page_polls_and_refreshes_without_script(client, world):
    client.force_login(world.operator_a)
    client.post("/w/print/", print_data(world))  # on_commit never runs here
    job = PrintJob.objects.get()
    text = html(client.get(f"/w/print/{job.pk}/"))
    assert 'http-equiv="refresh"' in text and "progress.json" in text
    assert client.get(f"/w/print/{job.pk}/pdf/").status_code == 404
    assert not client.get(f"/w/print/{job.pk}/progress.json").json()["finished"]


def test_print_start_beyond_the_sheet_is_refused_next_to_the_field(client, world):
    client.force_login(world.operator_a)
    response = client.post("/w/print/", print_data(world, start_position="30"))
    assert "每页只有 24 枚" in html(response)
    assert 'id="id_start_position-errors"' in html(response)
    assert not PrintJob.objects.exists()


def test_print_of_a_draft_is_not_a_choice(client, world):
    draft = BatchFactory(
        producer=world.producer_a,
        origin=world.gulou_village,
        lot_code="DRAFT04",
        status=BatchStatus.DRAFT,
    )
    client.force_login(world.operator_a)
    response = client.post("/w/print/", print_data(world, batch=draft.pk))
    assert "选择一个有效的选项" in html(response)


def test_print_without_certification_says_why(client, world):
    Certification.objects.filter(producer=world.producer_a).update(
        status=CertificationStatus.SUSPENDED
    )
    client.force_login(world.operator_a)
    response = client.post("/w/print/", print_data(world))
    assert "不能打印标签" in html(response)
    assert not PrintJob.objects.exists()


def test_print_jobs_of_another_producer_are_404(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.operator_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/w/print/", print_data(world))
    job = PrintJob.objects.get()
    client.force_login(world.operator_b)
    for url in ("", "progress.json", "pdf/"):
        assert client.get(f"/w/print/{job.pk}/{url}").status_code == 404
    response = client.post("/w/print/", print_data(world))  # batch_a: not theirs
    assert "选择一个有效的选项" in html(response)


def test_inspector_follows_a_print_job_but_gets_no_sheet(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.operator_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/w/print/", print_data(world))
    job = PrintJob.objects.get()
    client.force_login(world.inspector)  # 洞口县: batch_a's region
    progress = client.get(f"/w/print/{job.pk}/progress.json").json()
    assert progress["finished"] and "pdf_url" not in progress
    assert client.get(f"/w/print/{job.pk}/pdf/").status_code == 404


def test_calibration_sheet_is_a_one_page_pdf(client, world):
    client.force_login(world.operator_a)
    response = client.get(
        "/w/print/calibration/",
        {"template": "a4-3x8", "offset_x_mm": "1", "offset_y_mm": "0"},
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    bad = client.get("/w/print/calibration/", {"template": "nope"})
    assert bad.status_code == 400


def test_print_pages_are_for_operators(client, world):
    assert page(client, world.inspector, "/w/print/").status_code == 404
    assert page(client, world.inspector, "/w/print/calibration/").status_code == 404


def test_inspection_by_scanned_serial(client, world, analytes):
    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=2,
        requested_by=world.operator_a,
        enqueue=False,
    )
    serial = job.labels.first().serial
    client.force_login(world.inspector)
    data = {**inspection_data(world.batch_a, analytes), "batch": ""}
    data["serial"] = serial.lower()
    response = client.post("/w/inspect/new/", data)
    assert response.status_code == 302
    assert Inspection.objects.get().batch == world.batch_a


def test_inspection_by_unknown_or_out_of_scope_serial(client, world, analytes):
    job = print_job_create(
        batch=world.batch_b,
        template="a4-3x8",
        count=1,
        requested_by=world.operator_b,
        enqueue=False,
    )
    client.force_login(world.inspector)
    for serial in (job.labels.first().serial, "NOT-A-SERIAL"):
        data = {**inspection_data(world.batch_a, analytes), "batch": ""}
        data["serial"] = serial
        response = client.post("/w/inspect/new/", data)
        assert "未找到该标签" in html(response)
    assert not Inspection.objects.exists()


def test_demo_scan_shows_the_first_active_label_without_counting(client, world):
    assert "还没有打印过标签" in html(client.get("/w/demo-scan/"))
    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=1,
        requested_by=world.operator_a,
        enqueue=False,
    )
    label = job.labels.first()
    for _ in range(25):
        response = client.get("/w/demo-scan/")
    page = html(response)
    assert label.serial in page and "正品 · 已认证" in page
    label.refresh_from_db()
    assert label.scan_count == 0 and label.suspicious_since is None
    assert 'href="/w/demo-scan/"' in html(client.get("/"))


# What a newcomer tripped over (issue 25).


def test_after_a_sale_the_next_form_keeps_the_channel(client, world):
    client.force_login(world.operator_a)
    response = client.post("/w/sales/", sale_data(world, channel="hospital"))
    assert response.status_code == 302
    form = client.get(response["Location"]).context["form"]
    assert form["channel"].value() == "hospital"
    forged = client.get("/w/sales/?channel=nonsense").context["form"]
    assert forged["channel"].value() in (None, "")


def test_a_failed_submit_after_a_save_does_not_say_saved(client, world):
    client.force_login(world.operator_a)
    saved = client.post("/w/sales/", sale_data(world))
    assert "已保存。" in html(client.get(saved["Location"]))
    # The form posts back to /w/sales/?saved=1&channel=…; this one fails.
    failed = client.post(saved["Location"], sale_data(world, quantity="0"))
    assert failed.status_code == 400
    assert "数量必须大于 0" in html(failed)
    assert "已保存。" not in html(failed)


def _label_of(batch, user):
    job = print_job_create(
        batch=batch, template="a4-3x8", count=1, requested_by=user, enqueue=False
    )
    return job.labels.get().serial


def test_serial_lookup_answers_the_batch_in_scope_only(client, world):
    serial_a = _label_of(world.batch_a, world.operator_a)
    serial_b = _label_of(world.batch_b, world.operator_b)
    client.force_login(world.inspector)
    url = "/w/inspect/serial.json"
    answer = client.get(url, {"serial": serial_a.lower()})
    assert answer.status_code == 200
    assert answer.json() == {"batch": world.batch_a.pk, "label": "古楼云雾茶 GL2026A"}
    pasted = client.get(url, {"serial": f"https://example.cn/t/{serial_a}"})
    assert pasted.json()["batch"] == world.batch_a.pk
    outside = client.get(url, {"serial": serial_b})  # 邵东: not the inspector's
    unknown = client.get(url, {"serial": "0" * 20})
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    client.force_login(world.operator_a)
    assert client.get(url, {"serial": serial_a}).status_code == 404


def test_without_script_a_typed_serial_fills_the_batch_on_submit(
    client, world, analytes
):
    serial = _label_of(world.batch_a, world.operator_a)
    client.force_login(world.inspector)
    data = inspection_data(world.batch_a, analytes, serial=serial)
    data["batch"] = ""
    data["items-0-measured_value"] = ""  # another error: the page comes back
    response = client.post("/w/inspect/new/", data)
    assert response.status_code == 400
    assert response.context["form"]["batch"].value() == str(world.batch_a.pk)
    assert f'<option value="{world.batch_a.pk}" selected>' in html(response)


def test_enzyme_option_hint_and_rule_say_the_same(client, world, analytes):
    text = html(page(client, world.inspector, "/w/inspect/new/"))
    rule = "抑制率 ≥ 50% 为阳性"
    option = next(
        line for line in text.splitlines() if ENZYME in line and "<option" in line
    )
    assert rule in option and "≤" not in option.split(ENZYME)[1]
    hint = text[text.index('id="enzyme-hint"') :]
    assert rule in hint[: hint.index("</small>")]
    client.force_login(world.inspector)
    client.post("/w/inspect/new/", inspection_data(world.batch_a, analytes, value="50"))
    assert Inspection.objects.get().verdict == Verdict.SUSPECT  # 50 % is positive


def test_batch_page_issues_then_links_the_certificate(client, world):
    client.force_login(world.operator_a)
    url = f"/w/batches/{world.batch_a.pk}/"
    text = html(client.get(url))
    assert 'id="certificate-issue"' in text and 'id="certificate-link"' not in text
    assert not Certificate.objects.exists()  # showing the page issued nothing
    response = client.post(f"/w/batches/{world.batch_a.pk}/certificate/")
    certificate = Certificate.objects.get()
    api = f"/api/v1/batches/{world.batch_a.pk}/certificate/"
    assert response.status_code == 302 and response["Location"] == api
    assert client.get(api)["Content-Type"] == "application/pdf"
    text = html(client.get(url))
    assert f'href="{api}"' in text and certificate.number in text
    assert 'id="certificate-issue"' not in text


def test_print_job_page_links_one_certificate_per_sheet(client, world):
    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=30,
        requested_by=world.operator_a,
        enqueue=False,
    )
    client.force_login(world.operator_a)
    assert 'id="certificate-issue"' in html(client.get(f"/w/print/{job.pk}/"))
    response = client.post(
        f"/w/batches/{world.batch_a.pk}/certificate/", {"print_job": job.pk}
    )
    api = f"/api/v1/batches/{world.batch_a.pk}/certificate/?print_job={job.pk}"
    assert response["Location"] == api
    pdf = client.get(api).content
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 2  # 30 labels, 2 sheets
    assert f'href="{api}"' in html(client.get(f"/w/print/{job.pk}/"))


def test_inspector_sees_a_certificate_but_cannot_issue_one(client, world):
    client.force_login(world.inspector)
    text = html(client.get(f"/w/batches/{world.batch_a.pk}/"))
    assert 'id="certificate-issue"' not in text
    response = client.post(f"/w/batches/{world.batch_a.pk}/certificate/")
    assert response.status_code == 400
    assert "只有本主体操作员或管理员可以开具合格证" in html(response)
    assert not Certificate.objects.exists()
    client.force_login(world.operator_b)  # another producer: the batch is not there
    response = client.post(f"/w/batches/{world.batch_a.pk}/certificate/")
    assert response.status_code == 404


# Rules of issue 20 through the workbench: guarded sales, entitled lines, reviews.


def test_an_oversell_is_a_400_next_to_the_quantity_and_nothing_is_written(
    client, world
):
    Batch.objects.filter(pk=world.batch_a.pk).update(quantity=30)
    client.force_login(world.operator_a)
    response = client.post("/w/sales/", sale_data(world, quantity="1000"))
    assert response.status_code == 400
    assert "超出该批次剩余数量：剩余 30" in html(response)
    assert 'value="洞口县第一中学食堂"' in html(response)
    assert not Sale.objects.exists()


def test_a_sale_after_revocation_is_a_400(client, world):
    Certification.objects.filter(producer=world.producer_a).update(
        status=CertificationStatus.REVOKED
    )
    client.force_login(world.operator_a)
    response = client.post("/w/sales/", sale_data(world, quantity="1"))
    assert response.status_code == 400
    assert "认定不在有效期内或已暂停、撤销" in html(response)
    assert not Sale.objects.exists()


def test_another_producers_line_is_not_offered_nor_accepted(client, world):
    owned = ProductLineFactory(name="大通湖大闸蟹", producer=world.producer_b)
    client.force_login(world.operator_a)
    form = html(client.get("/w/batches/new/"))
    assert "大通湖大闸蟹" not in form and "古楼云雾茶" in form
    response = client.post(
        "/w/batches/new/",
        {
            "product_line": owned.pk,
            "lot_code": "DTH2026W",
            "origin": world.gulou_village.pk,
            "harvest_date": "2026-10-01",
            "quantity": "10",
            "unit": "只",
            "contrib-TOTAL_FORMS": "0",
            "contrib-INITIAL_FORMS": "0",
        },
    )
    assert "选择一个有效的选项" in html(response)
    assert not Batch.objects.filter(lot_code="DTH2026W").exists()


def test_a_gi_batch_from_outside_its_region_is_refused_next_to_the_origin(
    client, world
):
    line = world.batch_a.product_line
    line.geographical_indication = True
    line.save()
    line.protected_regions.set([world.shaodong_village])
    client.force_login(world.operator_a)
    response = client.post(
        "/w/batches/new/",
        {
            "product_line": line.pk,
            "lot_code": "GL2026GI",
            "origin": world.gulou_village.pk,
            "harvest_date": "2026-10-01",
            "quantity": "10",
            "unit": "盒",
            "contrib-TOTAL_FORMS": "0",
            "contrib-INITIAL_FORMS": "0",
        },
    )
    assert "地理标志产品的产地必须在其保护地域（廉桥村）之内" in html(response)
    assert not Batch.objects.filter(lot_code="GL2026GI").exists()


def test_the_review_queue_is_the_administrators(client, world):
    link = world.producer_a.benefit_links.get()
    benefit_link_end(
        benefit_link=link, ended_on=datetime.date.today(), changed_by=world.admin
    )
    review = CertificationReview.objects.get()
    assert page(client, world.operator_a, "/w/reviews/").status_code == 404
    text = html(page(client, world.admin, "/w/reviews/"))
    assert world.producer_a.name in text and "利益联结结束" in text
    response = client.post(
        "/w/reviews/", {"review": review.pk, "action": "dismiss", "reason": ""}
    )
    assert response.status_code == 400
    assert "请说明维持认定的理由" in html(response)
    response = client.post(
        "/w/reviews/",
        {"review": review.pk, "action": "revoke", "reason": "带贫关系终止"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "revoked"
    assert "没有待复核的认定" in html(client.get("/w/reviews/"))


def test_the_print_screen_warns_about_a_gtin_for_the_batch_chosen(client, world):
    world.batch_a.product_line.gtin = None  # 古楼云雾茶: no GTIN
    world.batch_a.product_line.save()
    with_gtin = BatchFactory(
        producer=world.producer_a,
        product_line=ProductLineFactory(name="雪峰蜜橘", gtin="0" + make_gtin13()),
        origin=world.gulou_village,
        status=BatchStatus.RELEASED,
    )
    client.force_login(world.operator_a)
    chosen = html(client.get(f"/w/print/?batch={with_gtin.pk}"))
    assert re.search(r'id="no-gtin"[^>]* hidden>', chosen)  # 雪峰蜜橘 has one
    other = html(client.get(f"/w/print/?batch={world.batch_a.pk}"))
    assert not re.search(r'id="no-gtin"[^>]* hidden>', other)
    assert "data-no-gtin-name>古楼云雾茶<" in other


def test_print_screen_says_which_products_lack_a_gtin_and_what_it_costs(
    client, world, django_capture_on_commit_callbacks
):
    world.batch_a.product_line.gtin = None
    world.batch_a.product_line.save()
    text = html(page(client, world.operator_a, "/w/print/"))
    assert 'id="no-gtin"' in text and world.batch_a.product_line.name in text
    assert "GS1" in text and "/t/" in text
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/w/print/", print_data(world, link_form="compressed"))
    job = PrintJob.objects.get()
    assert job.link_form == "compressed"  # chosen, but no GTIN: /t/ all the same
    assert "该产品没有 GTIN" in html(client.get(f"/w/print/{job.pk}/"))
    world.batch_a.product_line.gtin = "0" + make_gtin13()
    world.batch_a.product_line.save()
    assert 'id="no-gtin"' not in html(client.get("/w/print/"))
