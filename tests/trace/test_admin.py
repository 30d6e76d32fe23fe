import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    BatchFactory,
    CertificationFactory,
    ProductLineFactory,
    UserFactory,
    make_id_number,
)
from trace.choices import BatchStatus, CertificationReviewStatus, CertificationStatus
from trace.models import (
    Batch,
    BatchStatusChange,
    Brand,
    CertificationPolicy,
    CertificationReview,
    Household,
    Producer,
    ProductLine,
)
from trace.personal_data import mask_id_number
from trace.services.batches import (
    batch_hold,
    batch_transition_as_consequence,
)
from trace.services.catalogue import catalogue_entry_apply
from trace.services.events import sale_record, trace_event_record
from trace.services.registry import product_line_create

TRACE_MODELS = sorted(
    model._meta.model_name
    for model in admin.site._registry
    if model._meta.app_label == "trace"
)
AUDIT_MODELS = ["batchstatuschange", "traceevent", "sale"]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def browser(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def household_form(village, **overrides) -> dict:
    data = {
        "village": village.pk,
        "head_name": "赵大山",
        "id_number": make_id_number(),
        "phone": "13900000000",
        "members": "3",
        "registered_year": "2016",
        "_save": "保存",
    }
    data.update(overrides)
    return data


def test_every_trace_model_is_registered():
    assert set(TRACE_MODELS) == {
        "region",
        "producer",
        "certification",
        "certificationpolicy",
        "certificationreview",
        "household",
        "benefitlink",
        "brand",
        "productline",
        "brandlicense",
        "outlet",
        "batch",
        "batchstatuschange",
        "traceevent",
        "sale",
        "slowsellingmark",
        "userrole",
        "catalogueentry",
    }


@pytest.mark.parametrize("model", TRACE_MODELS)
def test_changelist_renders(browser, world, model):
    assert browser.get(f"/admin/trace/{model}/").status_code == 200


@pytest.mark.parametrize(
    "model",
    [
        model
        for model in TRACE_MODELS
        if model not in ("batchstatuschange", "catalogueentry", "certificationreview")
    ],
)
def test_add_page_renders(browser, world, model):
    assert browser.get(f"/admin/trace/{model}/add/").status_code == 200


def test_catalogue_entries_are_read_only_with_their_trail(browser, world):
    from tests.catalogue import draft_entry

    entry = draft_entry(world)
    catalogue_entry_apply(
        entry=entry, applied_by=world.operator_a, statement="带动1户务工"
    )
    assert browser.get("/admin/trace/catalogueentry/add/").status_code == 403
    page = browser.get(f"/admin/trace/catalogueentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert "带动1户务工" in page.content.decode()
    response = browser.post(
        f"/admin/trace/catalogueentry/{entry.pk}/change/", {"name": "改名"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.name == "古楼云雾茶"


def test_status_changes_are_written_only_by_batch_transition(browser, world):
    assert browser.get("/admin/trace/batchstatuschange/add/").status_code == 403


@pytest.mark.parametrize("model", AUDIT_MODELS)
def test_audit_records_cannot_be_deleted(browser, world, superuser, model):
    batch = batch_hold(batch=world.batch_a, changed_by=superuser, reason="抽检不合格")
    batch = batch_transition_as_consequence(
        batch=batch,
        to_status=BatchStatus.RELEASED,
        changed_by=superuser,
        reason="复检合格",
        lifting_hold=True,
    )
    trace_event_record(
        batch=batch,
        recorded_by=superuser,
        kind="harvest",
        occurred_at=datetime.datetime.combine(
            batch.harvest_date, datetime.time(8), tzinfo=datetime.UTC
        ),
    )
    sale_record(
        batch=batch,
        recorded_by=superuser,
        buyer="洞口县人民医院",
        channel="hospital",
        quantity=Decimal("2"),
        unit=batch.unit,
        amount=Decimal("200"),
        sold_at=datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC),
    )
    model_class = next(m for m in admin.site._registry if m._meta.model_name == model)
    row = model_class.objects.first()
    assert browser.get(f"/admin/trace/{model}/{row.pk}/delete/").status_code == 403
    assert browser.get(f"/admin/trace/{model}/{row.pk}/change/").status_code == 200
    assert model_class.objects.filter(pk=row.pk).exists()


def test_trace_event_add_keeps_the_events_in_order(browser, world, superuser):
    batch = world.batch_a
    shipped_on = batch.harvest_date + datetime.timedelta(days=1)
    trace_event_record(
        batch=batch,
        recorded_by=superuser,
        kind="ship",
        occurred_at=datetime.datetime.combine(
            shipped_on, datetime.time(12), tzinfo=timezone.get_current_timezone()
        ),
    )
    response = browser.post(
        "/admin/trace/traceevent/add/",
        {
            "batch": batch.pk,
            "kind": "pack",
            "occurred_at_0": shipped_on.isoformat(),
            "occurred_at_1": "15:00:00",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    assert (
        f"该批次已于 {shipped_on.isoformat()} 12:00 发货，"
        "不能再登记发货前的环节（包装）。"
    ) in response.content.decode()
    assert list(batch.trace_events.values_list("kind", flat=True)) == ["ship"]


def test_household_screens_never_show_the_id_number_or_the_name_in_lists(
    browser, world
):
    household = world.household_a
    number = household.id_number()

    changelist = browser.get("/admin/trace/household/").content.decode()
    assert number not in changelist
    assert "王小明" not in changelist
    assert "王*明" in changelist
    assert mask_id_number(number) in changelist

    change = browser.get(
        f"/admin/trace/household/{household.pk}/change/"
    ).content.decode()
    assert number not in change
    assert mask_id_number(number) in change
    assert "id_number_encrypted" not in change
    assert household.id_number_encrypted not in change
    assert household.id_number_index not in change


def test_adding_a_household_with_an_invalid_id_number_shows_the_error(browser, world):
    before = Household.objects.count()
    valid = make_id_number()
    invalid = valid[:17] + (
        "1" if valid[17] == "0" else "0"
    )  # wrong GB 11643 check character
    response = browser.post(
        "/admin/trace/household/add/",
        household_form(world.gulou_village, id_number=invalid),
    )
    assert response.status_code == 200
    assert "身份证号码无效" in response.content.decode()
    assert invalid not in response.content.decode()  # not echoed back
    assert Household.objects.count() == before


def test_adding_a_household_with_a_registered_id_number_is_refused(browser, world):
    before = Household.objects.count()
    response = browser.post(
        "/admin/trace/household/add/",
        household_form(world.gulou_village, id_number=world.household_a.id_number()),
    )
    assert response.status_code == 200
    assert "该身份证号码已登记" in response.content.decode()
    assert Household.objects.count() == before


def test_adding_a_household_requires_an_id_number(browser, world):
    before = Household.objects.count()
    response = browser.post(
        "/admin/trace/household/add/", household_form(world.gulou_village, id_number="")
    )
    assert response.status_code == 200
    assert "请填写身份证号码" in response.content.decode()
    assert Household.objects.count() == before


def test_adding_a_household_stores_the_id_number_encrypted(browser, world):
    number = make_id_number()
    response = browser.post(
        "/admin/trace/household/add/",
        household_form(world.gulou_village, id_number=number),
    )
    assert response.status_code == 302
    household = Household.objects.get(head_name="赵大山")
    stored = (
        Household.objects.filter(pk=household.pk)
        .values_list("id_number_encrypted", "id_number_index")
        .get()
    )
    assert all(number not in column for column in stored)
    assert household.id_number() == number
    assert not Household.objects.filter(
        id_number_encrypted__contains=number[-8:]
    ).exists()


def test_changing_a_household_without_an_id_number_keeps_it(browser, world):
    household = world.household_a
    number = household.id_number()
    page = browser.get(
        f"/admin/trace/household/{household.pk}/change/"
    ).content.decode()
    assert 'name="id_number"' in page and 'value="' + number not in page
    response = browser.post(
        f"/admin/trace/household/{household.pk}/change/",
        household_form(
            world.gulou_village, head_name="王小明", id_number="", members="5"
        ),
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.members == 5
    assert household.id_number() == number


def test_household_consent_action_records_who(browser, world, superuser):
    household = world.household_a
    response = browser.post(
        "/admin/trace/household/",
        {"action": "record_consent", "_selected_action": [household.pk]},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.public_name_consent_by == superuser


def test_producer_with_invalid_credit_code_shows_the_error(browser, world):
    response = browser.post(
        "/admin/trace/producer/add/",
        {
            "name": "测试合作社",
            "kind": "cooperative",
            "uscc": "91430525MA4L00000X",
            "region": world.gulou_village.pk,
            "certifications-TOTAL_FORMS": "0",
            "certifications-INITIAL_FORMS": "0",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码无效" in response.content.decode()
    assert not Producer.objects.filter(name="测试合作社").exists()


def test_certification_add_checks_the_qualification_rule(browser, world):
    producer = Producer.objects.create(
        name="无带贫主体", kind="cooperative", region=world.gulou_village
    )
    response = browser.post(
        "/admin/trace/certification/add/",
        {
            "producer": producer.pk,
            "number": "HN-DK-TEST-1",
            "issuer": "洞口县扶贫开发办公室",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    assert "不符合认定条件" in response.content.decode()
    assert not producer.certifications.exists()


def test_certification_suspend_asks_for_a_reason(browser, world, superuser):
    certification = world.producer_a.certifications.get()
    url = "/admin/trace/certification/"
    selection = {"action": "suspend", "_selected_action": [certification.pk]}
    page = browser.post(url, selection)
    assert page.status_code == 200
    assert "原因" in page.content.decode()
    response = browser.post(
        url, {**selection, "apply": "yes", "reason": "抽检不合格，暂停认定"}
    )
    assert response.status_code == 302
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.SUSPENDED
    assert certification.status_reason == "抽检不合格，暂停认定"
    assert certification.status_changed_by == superuser


def test_batch_add_goes_through_batch_create(browser, world, superuser):
    line = ProductLineFactory(name="土鸡蛋", unit="盒")
    data = {
        "producer": world.producer_a.pk,
        "product_line": line.pk,
        "lot_code": "TJD2026X1",
        "name": "土鸡蛋",
        "origin": world.gulou_village.pk,
        "harvest_date": "2026-01-02",
        "quantity": "100",
        "unit": "盒",
        "contributions-TOTAL_FORMS": "1",
        "contributions-INITIAL_FORMS": "0",
        "contributions-0-household": world.household_a.pk,
        "contributions-0-quantity": "20",
        "contributions-0-amount_paid": "300",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "_save": "保存",
    }
    response = browser.post("/admin/trace/batch/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = Batch.objects.get(lot_code="TJD2026X1")
    assert batch.status == BatchStatus.DRAFT
    assert batch.created_by == superuser
    assert [c.household for c in batch.contributions.all()] == [world.household_a]

    # A household without a benefit link with the producer is refused.
    data.update(
        lot_code="TJD2026X2", **{"contributions-0-household": world.household_b.pk}
    )
    response = browser.post("/admin/trace/batch/add/", data)
    assert response.status_code == 200
    assert "必须与该主体有利益联结" in response.content.decode()
    assert not Batch.objects.filter(lot_code="TJD2026X2").exists()


def test_batch_add_of_uncertified_producer_shows_the_error(browser, world):
    world.producer_a.certifications.update(status=CertificationStatus.REVOKED)
    response = browser.post(
        "/admin/trace/batch/add/",
        {
            "producer": world.producer_a.pk,
            "product_line": world.batch_a.product_line.pk,
            "lot_code": "GL2026Z",
            "origin": world.gulou_village.pk,
            "harvest_date": "2026-01-02",
            "quantity": "10",
            "unit": "盒",
            "contributions-TOTAL_FORMS": "0",
            "contributions-INITIAL_FORMS": "0",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    assert "没有有效的扶贫产品认定" in response.content.decode()
    assert not Batch.objects.filter(lot_code="GL2026Z").exists()


def test_batch_status_is_read_only_and_changes_through_actions(
    browser, world, superuser
):
    draft = BatchFactory(
        producer=world.producer_a,
        product_line=world.batch_a.product_line,
        lot_code="GL2026D",
        status=BatchStatus.DRAFT,
    )
    page = browser.get(f"/admin/trace/batch/{draft.pk}/change/").content.decode()
    assert 'name="status"' not in page
    response = browser.post(
        "/admin/trace/batch/", {"action": "release", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == BatchStatus.RELEASED
    change = BatchStatusChange.objects.get(batch=draft)
    assert (change.to_status, change.actor) == (BatchStatus.RELEASED, superuser)

    hold = {
        "action": "hold",
        "_selected_action": [draft.pk],
        "apply": "yes",
        "reason": "快检阳性",
    }
    assert browser.post("/admin/trace/batch/", hold).status_code == 302
    draft.refresh_from_db()
    assert draft.status == BatchStatus.ON_HOLD


def test_released_batch_change_page_is_read_only(browser, world):
    page = browser.get(
        f"/admin/trace/batch/{world.batch_a.pk}/change/"
    ).content.decode()
    assert page.count('name="lot_code"') == 0
    assert "GL2026A" in page


def test_every_change_page_of_the_world_renders(browser, world):
    CertificationFactory(producer=world.producer_b, number="EXTRA-1")
    for obj in [
        world.household_a,
        world.batch_a,
        world.producer_a,
        world.dongkou,
        world.gulou_village,
    ]:
        url = reverse(f"admin:trace_{obj._meta.model_name}_change", args=[obj.pk])
        assert browser.get(url).status_code == 200, url


def test_draft_batch_change_goes_through_batch_update(browser, world):
    draft = BatchFactory(
        producer=world.producer_a,
        product_line=world.batch_a.product_line,
        lot_code="GL2026E",
        status=BatchStatus.DRAFT,
        created_by=world.operator_a,
    )
    data = {
        "product_line": draft.product_line.pk,
        "lot_code": "GL2026A",  # taken by world.batch_a
        "name": "秋茶",
        "origin": world.gulou_village.pk,
        "harvest_date": "2026-01-02",
        "quantity": "10",
        "unit": "盒",
        "contributions-TOTAL_FORMS": "0",
        "contributions-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "_save": "保存",
    }
    url = f"/admin/trace/batch/{draft.pk}/change/"
    response = browser.post(url, data)
    assert response.status_code == 200
    assert "已有相同批次号" in response.content.decode()
    response = browser.post(url, {**data, "lot_code": "GL2026F"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.lot_code, draft.name, draft.status) == ("GL2026F", "秋茶", "draft")


def test_brand_license_grant_refuses_lines_of_another_brand(browser, world):
    from tests.factories import BrandFactory

    brand, other = BrandFactory(name="雪峰蜜橘"), BrandFactory(name="洞乡源味")
    line = ProductLineFactory(brand=other, name="五彩米")
    data = {
        "brand": brand.pk,
        "producer": world.producer_a.pk,
        "product_lines": [line.pk],
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "_save": "保存",
    }
    response = browser.post("/admin/trace/brandlicense/add/", data)
    assert response.status_code == 200
    assert "只能授权该品牌下的产品线" in response.content.decode()
    assert not brand.licenses.exists()
    response = browser.post(
        "/admin/trace/brandlicense/add/", {**data, "brand": other.pk}
    )
    assert response.status_code == 302
    assert list(other.licenses.get().product_lines.all()) == [line]


# 认定 policies and the review queue.


def policy_form(region, **overrides) -> dict:
    data = {
        "region": region.pk,
        "eligible_producer_kinds": ["enterprise", "cooperative"],
        "qualifying_benefit_kinds": ["employment"],
        "min_annual_income": "6000",
        "min_households": "1",
        "source_document": "邵东市消费扶贫工作（seeds/001，第 112–118 行）",
        "source_clause": "凡是带动 1 名以上贫困户务工、且年收入不低于 6000 元的企业（专业合作社）",
        "note": "",
        "_save": "保存",
    }
    return data | overrides


def test_policy_kinds_are_chosen_with_checkboxes(browser, world):
    page = browser.get("/admin/trace/certificationpolicy/add/").content.decode()
    assert 'type="checkbox" name="eligible_producer_kinds" value="family_farm"' in page
    assert 'type="checkbox" name="qualifying_benefit_kinds" value="land_lease"' in page
    response = browser.post(
        "/admin/trace/certificationpolicy/add/", policy_form(world.dongkou)
    )
    assert response.status_code == 302
    policy = CertificationPolicy.objects.get(region=world.dongkou)
    assert policy.eligible_producer_kinds == ["enterprise", "cooperative"]
    assert policy.qualifying_benefit_kinds == ["employment"]


def test_a_policy_needs_at_least_one_kind(browser, world):
    response = browser.post(
        "/admin/trace/certificationpolicy/add/",
        policy_form(world.dongkou, qualifying_benefit_kinds=[]),
    )
    assert response.status_code == 200
    assert not CertificationPolicy.objects.exists()


def test_certification_refusal_cites_the_policy_source(browser, world):
    # world.producer_a is a cooperative with one 8,000-yuan employment link.
    browser.post("/admin/trace/certificationpolicy/add/", policy_form(world.dongkou))
    world.producer_a.kind = "family_farm"
    world.producer_a.save()
    response = browser.post(
        "/admin/trace/certification/add/",
        {
            "producer": world.producer_a.pk,
            "number": "HN-DK-TEST-2",
            "issuer": "洞口县扶贫开发办公室",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "_save": "保存",
        },
    )
    page = response.content.decode()
    assert "家庭农场不在本地区可认定的主体类型之内" in page
    # The document and its clause, not the file the project found it in.
    assert "依据：邵东市消费扶贫工作：“凡是带动 1 名以上贫困户务工" in page
    assert "seeds/" not in page


def test_certification_change_page_cites_the_policy(browser, world):
    certification = world.producer_a.certifications.get()
    page = browser.get(
        f"/admin/trace/certification/{certification.pk}/change/"
    ).content.decode()
    assert "认定依据" in page
    assert "系统默认标准（本地区未设认定政策）" in page
    assert "目前符合" in page


def test_editing_validity_in_the_admin_sends_a_lapsed_producer_to_review(
    browser, world
):
    certification = world.producer_a.certifications.get()
    world.producer_a.benefit_links.update(annual_income=Decimal("100"))
    response = browser.post(
        f"/admin/trace/certification/{certification.pk}/change/",
        {
            "issuer": certification.issuer,
            "valid_from": certification.valid_from.isoformat(),
            "valid_until": "2030-12-31",
            "_save": "保存",
        },
    )
    assert response.status_code == 302
    review = CertificationReview.objects.get()
    assert review.trigger == "认定有效期修改"
    assert review.status == CertificationReviewStatus.OPEN


def test_ending_a_link_in_the_admin_opens_a_review_the_admin_resolves(
    browser, world, superuser
):
    link = world.producer_a.benefit_links.get()
    response = browser.post(
        f"/admin/trace/benefitlink/{link.pk}/change/",
        {
            "producer": link.producer_id,
            "household": link.household_id,
            "kind": link.kind,
            "since": link.since.isoformat(),
            "ended_on": datetime.date.today().isoformat(),
            "annual_income": str(link.annual_income),
            "_save": "保存",
        },
    )
    assert response.status_code == 302
    review = CertificationReview.objects.get()
    page = browser.get("/admin/trace/certificationreview/").content.decode()
    assert "利益联结结束" in page and world.producer_a.name in page
    selection = {"action": "revoke", "_selected_action": [review.pk]}
    response = browser.post(
        "/admin/trace/certificationreview/",
        {**selection, "apply": "yes", "reason": "带贫关系已终止"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == CertificationReviewStatus.REVOKED
    assert review.resolved_by == superuser
    certification = world.producer_a.certifications.get()
    assert certification.status == CertificationStatus.REVOKED


def test_reviews_cannot_be_added_or_deleted_in_the_admin(browser, world):
    assert browser.get("/admin/trace/certificationreview/add/").status_code == 403


# 地理标志 origin: the admin goes through batch_create too.


def test_gi_line_without_protected_region_is_refused_in_the_admin(browser, world):
    response = browser.post(
        "/admin/trace/productline/add/",
        {
            "name": "洞口雪峰蜜橘",
            "geographical_indication": "on",
            "unit": "箱",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    assert "地理标志产品线必须登记保护地域" in response.content.decode()
    assert not ProductLine.objects.filter(name="洞口雪峰蜜橘").exists()


def test_gi_batch_from_outside_its_region_is_refused_in_the_admin(browser, world):
    line = product_line_create(
        created_by=world.admin,
        name="邵东黄花菜",
        geographical_indication=True,
        unit="袋",
        protected_regions=[world.shaodong_village.parent],
    )
    response = browser.post(
        "/admin/trace/batch/add/",
        {
            "producer": world.producer_a.pk,
            "product_line": line.pk,
            "lot_code": "HHC2026X",
            "origin": world.gulou_village.pk,
            "harvest_date": "2026-01-02",
            "quantity": "10",
            "unit": "袋",
            "contributions-TOTAL_FORMS": "0",
            "contributions-INITIAL_FORMS": "0",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    assert "地理标志产品的产地必须在其保护地域" in response.content.decode()
    assert not Batch.objects.filter(lot_code="HHC2026X").exists()


def test_the_admin_holds_its_forms_to_the_input_policy(browser, world):
    """Issue 34: the same rule as the API and the workbench."""
    response = browser.post(
        "/admin/trace/brand/add/", {"name": "洞乡\u202e源味", "kind": "regional_public"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["name"] == [
        "不能包含控制字符或双向文本控制符，请删除后重新填写。"
    ]
    assert not Brand.objects.filter(name__contains="源味").exists()
