"""`catalogue-entries` and `objections`: 申报 → 核查 → 审定 → 公示 → 目录 by role."""

import io

import pytest
from django.core.cache import cache
from django.test import Client
from PIL import ExifTags, Image

from tests.catalogue import end_notice, listed_entry, make_officers
from tests.factories import make_pdf, make_user
from trace.choices import CatalogueStatus, CatalogueStepKind, Role
from trace.models import CatalogueEntry, CatalogueEvidence, CatalogueObjection

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalogue-entries/"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officers(world):
    return make_officers(world)


def new_entry(client, world, **fields):
    payload = {
        "product_line": world.batch_a.product_line.pk,
        "name": "古楼云雾茶",
        "category": "茶叶",
        "unit": "盒",
        "price": "88.00",
        "delivery_method": "courier",
        "season": "spring",
        "planned_quantity": "300",
        "households": [world.household_a.pk],
        **fields,
    }
    return client.post(URL, payload, format="json")


def act(client, entry_id, verb, **data):
    return client.post(f"{URL}{entry_id}/{verb}/", data, format="json")


def test_the_procedure_walked_by_each_role(world, officers, client_for):
    operator = client_for(world.operator_a)
    supervisor = client_for(officers.supervisor)
    office = client_for(officers.office)
    informant = client_for(officers.informant)

    created = new_entry(operator, world)
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]
    assert created.json()["status"] == CatalogueStatus.DRAFT
    assert created.json()["producer"] == world.producer_a.pk  # defaulted
    assert created.json()["households_detail"][0]["masked_name"] == "王*明"

    # 申报: the operator's; the 监督员 and the office may not.
    assert act(supervisor, entry_id, "apply").status_code == 403
    assert act(office, entry_id, "apply").status_code == 403
    applied = act(operator, entry_id, "apply", statement="带动1户务工，年收入8000元")
    assert applied.status_code == 200 and applied.json()["status"] == "applied"

    # 核查: the township's 监督员 only.
    assert act(operator, entry_id, "check", passed=True).status_code == 403
    assert act(office, entry_id, "check", passed=True).status_code == 403
    assert act(informant, entry_id, "check", passed=True).status_code == 403
    eligibility = supervisor.get(f"{URL}{entry_id}/eligibility/").json()
    assert eligibility["qualifies"] and eligibility["policy_source"]
    checked = act(supervisor, entry_id, "check", passed=True)
    assert checked.status_code == 200 and checked.json()["status"] == "checked"

    # 审定: the county office only; approval starts the 公示.
    assert act(operator, entry_id, "approve").status_code == 403
    assert act(supervisor, entry_id, "approve").status_code == 403
    approved = act(office, entry_id, "approve", notice_days=5)
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "notice"

    # 公示: public, with objections from anyone.
    notices = client_for(None).get("/api/v1/catalogue/notices/").json()
    assert [item["id"] for item in notices] == [entry_id]
    assert client_for(None).get("/api/v1/catalogue/").json()["count"] == 0

    # 目录: the day after the 公示 ends.
    end_notice(CatalogueEntry.objects.get(pk=entry_id))
    listed = client_for(None).get("/api/v1/catalogue/").json()
    assert [item["id"] for item in listed["results"]] == [entry_id]
    assert listed["results"][0]["status"] == "listed"

    # The 信息员 keeps the monthly availability; others may not.
    month = {"month": "2026-12-01", "available": True, "quantity": "40"}
    assert act(operator, entry_id, "availability", **month).status_code == 403
    recorded = act(informant, entry_id, "availability", **month)
    assert recorded.status_code == 200, recorded.content

    steps = operator.get(f"{URL}{entry_id}/steps/").json()
    assert [step["kind"] for step in steps] == [
        CatalogueStepKind.APPLY,
        CatalogueStepKind.CHECK_PASSED,
        CatalogueStepKind.APPROVE,
    ]
    assert steps[1]["actor"] == officers.supervisor.pk
    assert steps[1]["policy_source"]

    # Withdrawal: the office (or the producer's operator); not the 监督员.
    assert act(supervisor, entry_id, "withdraw", reason="x").status_code == 403
    withdrawn = act(office, entry_id, "withdraw", reason="产品停产")
    assert withdrawn.json()["status"] == "withdrawn"
    assert client_for(None).get("/api/v1/catalogue/").json()["count"] == 0


def test_outside_ones_scope_an_entry_does_not_exist(world, officers, client_for):
    entry_id = new_entry(client_for(world.operator_a), world).json()["id"]
    act(client_for(world.operator_a), entry_id, "apply")
    for user in (officers.other_supervisor, officers.other_office, world.operator_b):
        client = client_for(user)
        assert client.get(f"{URL}{entry_id}/").status_code == 404
        assert act(client, entry_id, "check", passed=True).status_code == 404
        assert act(client, entry_id, "approve").status_code == 404
        assert entry_id not in [
            item["id"] for item in client.get(URL).json()["results"]
        ]
    assert client_for(None).get(URL).status_code in (401, 403)


def test_out_of_order_steps_are_a_400(world, officers, client_for):
    entry_id = new_entry(client_for(world.operator_a), world).json()["id"]
    response = act(client_for(officers.office), entry_id, "approve")
    assert response.status_code == 400
    assert "status" in response.json()
    response = act(client_for(officers.supervisor), entry_id, "check", passed=False)
    assert response.status_code == 400  # still a draft


def test_bad_input_gets_field_messages(world, client_for):
    operator = client_for(world.operator_a)
    response = new_entry(operator, world, price="-1", delivery_method="drone")
    assert response.status_code == 400
    assert {"price", "delivery_method"} <= set(response.json())
    response = new_entry(operator, world, households=[world.household_b.pk])
    assert response.status_code == 400 and "households" in response.json()
    response = new_entry(
        client_for(world.operator_b), world, producer=world.producer_a.pk
    )
    assert response.status_code == 400 and "producer" in response.json()


def test_objection_lodged_by_anyone_and_upheld_by_the_office(
    world, officers, client_for
):
    operator = client_for(world.operator_a)
    entry_id = new_entry(operator, world).json()["id"]
    act(operator, entry_id, "apply")
    act(client_for(officers.supervisor), entry_id, "check", passed=True)
    act(client_for(officers.office), entry_id, "approve")

    lodged = client_for(None).post(
        "/api/v1/objections/",
        {"entry": entry_id, "text": "该社没有带动贫困户", "name": "匿名群众"},
        format="json",
    )
    assert lodged.status_code == 201, lodged.content
    assert "匿名群众" not in lodged.content.decode()
    objection_id = lodged.json()["id"]
    # Only reviewers see objections; the objector's name never goes public.
    assert client_for(None).get("/api/v1/objections/").status_code in (401, 403)
    assert client_for(world.operator_a).get("/api/v1/objections/").json()["count"] == 0
    assert (
        client_for(officers.other_office).get("/api/v1/objections/").json()["count"]
        == 0
    )
    review_url = f"/api/v1/objections/{objection_id}/review/"
    denied = client_for(officers.supervisor).post(
        review_url, {"upheld": True, "note": "x"}, format="json"
    )
    assert denied.status_code == 404  # a 监督员 reviews none: not in their list
    reviewed = client_for(officers.office).post(
        review_url, {"upheld": True, "note": "经核实属实"}, format="json"
    )
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "upheld"
    entry = CatalogueEntry.objects.get(pk=entry_id)
    assert entry.status == CatalogueStatus.REJECTED
    end_notice(entry)
    assert client_for(None).get("/api/v1/catalogue/").json()["count"] == 0


def test_objection_to_an_entry_not_in_notice_is_refused(world, officers, client_for):
    entry = listed_entry(world, officers)
    response = client_for(None).post(
        "/api/v1/objections/", {"entry": entry.pk, "text": "异议"}, format="json"
    )
    assert response.status_code == 400 and "entry" in response.json()


def test_objections_are_rate_limited(world, officers, client_for, settings):
    settings.SUYUAN_OBJECTION_RATE = "2/hour"
    operator = client_for(world.operator_a)
    entry_id = new_entry(operator, world).json()["id"]
    act(operator, entry_id, "apply")
    act(client_for(officers.supervisor), entry_id, "check", passed=True)
    act(client_for(officers.office), entry_id, "approve")
    anonymous = client_for(None)
    codes = [
        anonymous.post(
            "/api/v1/objections/",
            {"entry": entry_id, "text": f"异议{n}"},
            format="json",
        ).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    # The HTML form shares the counter.
    page = anonymous.post(
        f"/catalogue/notices/{entry_id}/objection/",
        {"text": "再提一次"},
        format="multipart",
    )
    assert page.status_code == 429, page.content.decode()
    assert "再提一次" in page.content.decode()  # nothing typed is lost


def entry_in_notice(world, officers, client_for) -> int:
    operator = client_for(world.operator_a)
    entry_id = new_entry(operator, world).json()["id"]
    act(operator, entry_id, "apply")
    act(client_for(officers.supervisor), entry_id, "check", passed=True)
    act(client_for(officers.office), entry_id, "approve")
    return entry_id


def test_objections_are_limited_per_entry_from_all_addresses(
    world, officers, client_for, settings
):
    """Issue 34: 100 objections from 20 addresses were all accepted."""
    settings.SUYUAN_OBJECTION_RATE = "2/hour"  # per address
    settings.SUYUAN_OBJECTION_ENTRY_RATE = "5/day"  # per entry
    entry_id = entry_in_notice(world, officers, client_for)
    other_id = entry_in_notice(world, officers, client_for)
    codes = [
        client_for(None)
        .post(
            "/api/v1/objections/",
            {"entry": entry_id, "text": "价格偏高"},
            format="json",
            REMOTE_ADDR=f"10.0.6.{n}",
        )
        .status_code
        for n in range(7)
    ]
    assert codes == [201] * 5 + [429] * 2
    assert CatalogueObjection.objects.filter(entry_id=entry_id).count() == 5
    # The HTML form counts against the same entry.
    page = client_for(None).post(
        f"/catalogue/notices/{entry_id}/objection/",
        {"text": "再提一次"},
        format="multipart",
        REMOTE_ADDR="10.0.6.99",
    )
    assert page.status_code == 429 and "再提一次" in page.content.decode()
    # Another entry has its own count.
    other = client_for(None).post(
        "/api/v1/objections/",
        {"entry": other_id, "text": "价格偏高"},
        format="json",
        REMOTE_ADDR="10.0.6.100",
    )
    assert other.status_code == 201


def test_the_office_dismisses_duplicate_objections_in_one_action(
    world, officers, client_for
):
    entry_id = entry_in_notice(world, officers, client_for)
    ids = [
        client_for(None)
        .post(
            "/api/v1/objections/",
            {"entry": entry_id, "text": "价格偏高"},
            format="json",
            REMOTE_ADDR=f"10.0.7.{n}",
        )
        .json()["id"]
        for n in range(3)
    ]
    body = {"objections": ids, "note": "同一内容重复提交，经核实价格合理"}
    # Outside its region the office sees none of them; the 监督员 decides none.
    outside = client_for(officers.other_office).post(
        "/api/v1/objections/dismiss/", body, format="json"
    )
    assert outside.status_code == 400 and "objections" in outside.json()
    supervisor = client_for(officers.supervisor).post(
        "/api/v1/objections/dismiss/", body, format="json"
    )
    assert supervisor.status_code in (400, 403)
    assert set(
        CatalogueObjection.objects.filter(pk__in=ids).values_list("status", flat=True)
    ) == {"pending"}

    dismissed = client_for(officers.office).post(
        "/api/v1/objections/dismiss/", body, format="json"
    )
    assert dismissed.status_code == 200, dismissed.content
    assert [item["status"] for item in dismissed.json()] == ["dismissed"] * 3
    assert CatalogueEntry.objects.get(pk=entry_id).status == CatalogueStatus.NOTICE
    # All or none: a second try (already reviewed) changes nothing.
    again = client_for(officers.office).post(
        "/api/v1/objections/dismiss/", body, format="json"
    )
    assert again.status_code == 400


def test_the_objection_form_refuses_control_characters(world, officers, client_for):
    entry_id = entry_in_notice(world, officers, client_for)
    page = client_for(None).post(
        f"/catalogue/notices/{entry_id}/objection/",
        {"text": "价格\u202e偏高"},
        format="multipart",
    )
    assert page.status_code == 400
    assert "不能包含控制字符" in page.content.decode()
    assert not CatalogueObjection.objects.exists()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 120, 0))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (27.0, 3.0, 36.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_photos_are_cleaned_and_public_once_listed(world, officers, client_for):
    entry = listed_entry(world, officers)
    upload = io.BytesIO(jpeg_with_gps())
    upload.name = "tea.jpg"
    response = client_for(world.operator_a).post(
        f"{URL}{entry.pk}/photos/",
        {"file": upload, "caption": "春茶"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    [photo_id] = response.json()["photos"]
    served = client_for(None).get(f"/catalogue/photos/{photo_id}")
    assert served.status_code == 200
    body = b"".join(served.streaming_content)
    exif = Image.open(io.BytesIO(body)).getexif()
    assert ExifTags.Base.Make not in exif
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    fake = io.BytesIO(b"not an image")
    fake.name = "x.jpg"
    refused = client_for(world.operator_a).post(
        f"{URL}{entry.pk}/photos/", {"file": fake}, format="multipart"
    )
    assert refused.status_code == 400 and "file" in refused.json()


def test_schema_names_the_catalogue_endpoints(world, client_for):
    paths = client_for(None).get("/api/schema/", {"format": "json"}).json()["paths"]
    for expected in (
        "/api/v1/catalogue-entries/{id}/apply/",
        "/api/v1/catalogue-entries/{id}/check/",
        "/api/v1/catalogue-entries/{id}/approve/",
        "/api/v1/catalogue-entries/{id}/withdraw/",
        "/api/v1/catalogue-entries/{id}/evidence/",
        "/api/v1/catalogue-entries/{id}/evidence/{evidence_id}/",
        "/api/v1/objections/",
        "/api/v1/catalogue/",
    ):
        assert expected in paths


def evidence_pdf() -> bytes:
    return make_pdf()


def upload_evidence(client, entry_id, data: bytes, name: str = "带贫协议.pdf"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        f"{URL}{entry_id}/evidence/",
        {"file": file, "caption": "带贫协议"},
        format="multipart",
    )


def stored_files(media_root) -> list:
    folder = media_root / "catalogue-evidence"
    return [path for path in folder.rglob("*") if path.is_file()]


def test_application_evidence_refuses_bad_files_and_writes_nothing(
    world, client_for, settings, media_root
):
    operator = client_for(world.operator_a)
    entry_id = new_entry(operator, world).json()["id"]

    wrong = upload_evidence(operator, entry_id, b"<html>x</html>", "协议.jpg")
    assert wrong.status_code == 400
    assert "照片或 PDF" in wrong.json()["file"][0]
    fake_pdf = upload_evidence(operator, entry_id, b"MZ\x90\x00", "协议.pdf")
    assert fake_pdf.status_code == 400 and "file" in fake_pdf.json()
    settings.SUYUAN_MAX_UPLOAD_BYTES = 200
    big = upload_evidence(operator, entry_id, evidence_pdf() + b"\0" * 400)
    assert big.status_code == 400 and "文件过大" in big.json()["file"][0]
    missing = operator.post(f"{URL}{entry_id}/evidence/", {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()

    assert CatalogueEvidence.objects.count() == 0
    assert stored_files(media_root) == []
    assert operator.get(f"{URL}{entry_id}/").json()["evidence"] == []


def test_application_evidence_served_only_to_whom_works_on_the_entry(
    world, officers, client_for, media_root
):
    operator = client_for(world.operator_a)
    entry_id = new_entry(operator, world).json()["id"]
    created = upload_evidence(operator, entry_id, evidence_pdf())
    assert created.status_code == 201, created.content
    evidence = created.json()
    url = f"{URL}{entry_id}/evidence/{evidence['id']}/"
    assert evidence["url"] == url
    assert evidence["content_type"] == "application/pdf"
    assert evidence["size"] == len(evidence_pdf())

    # The entry lists it: caption, type, size, download URL, no storage path.
    listed = operator.get(f"{URL}{entry_id}/")
    assert [item["caption"] for item in listed.json()["evidence"]] == ["带贫协议"]
    assert "catalogue-evidence/" not in listed.content.decode()
    assert "file" not in listed.json()["evidence"][0]

    for user in (
        world.operator_a,
        officers.informant,
        officers.supervisor,
        officers.office,
        world.admin,
    ):
        download = client_for(user).get(url)
        assert download.status_code == 200, user
        assert download["Content-Type"] == "application/pdf"
        assert download["Cache-Control"] == "private, no-store"
        assert b"".join(download.streaming_content) == evidence_pdf()
    for user in (world.operator_b, officers.other_supervisor, officers.other_office):
        assert client_for(user).get(url).status_code == 404, user
        # Nor may they add to it: outside their scope the entry does not exist.
        refused = upload_evidence(client_for(user), entry_id, evidence_pdf())
        assert refused.status_code == 404
    # Anonymous is asked to log in, like everywhere under /api/v1/ but the
    # public catalogue: no file, and nothing said about the entry.
    assert client_for(None).get(url).status_code in (401, 403)
    # Another entry's id in the path does not reach the file.
    other_id = new_entry(operator, world, name="古楼红茶").json()["id"]
    assert (
        operator.get(f"{URL}{other_id}/evidence/{evidence['id']}/").status_code == 404
    )


def test_application_evidence_is_not_served_to_other_roles_of_the_region(
    world, officers, client_for
):
    """Issue 34: the region's technician, purchase point and inspector see
    the entry's region but do not work on its application."""
    operator = client_for(world.operator_a)
    entry_id = new_entry(operator, world).json()["id"]
    evidence = upload_evidence(operator, entry_id, evidence_pdf()).json()
    url = f"{URL}{entry_id}/evidence/{evidence['id']}/"
    gulou_town = world.gulou_village.parent
    outsiders = (
        make_user("technician_gl", Role.TECHNICIAN, regions=[gulou_town]),
        make_user("point_gl", Role.PURCHASE_POINT, regions=[world.gulou_village]),
        world.inspector,  # 洞口县
    )
    for user in outsiders:
        assert client_for(user).get(url).status_code == 404, user
    # The workbench's page of the document answers the same.
    browser = Client()
    browser.force_login(outsiders[0])
    page = browser.get(f"/w/catalogue/{entry_id}/evidence/{evidence['id']}/")
    assert page.status_code == 404
    # Those who work on it still read it.
    assert client_for(officers.supervisor).get(url).status_code == 200


def test_evidence_is_added_by_applicants_until_checked(world, officers, client_for):
    operator = client_for(world.operator_a)
    entry_id = new_entry(operator, world).json()["id"]
    # The 监督员 reads the evidence but does not supply it.
    refused = upload_evidence(client_for(officers.supervisor), entry_id, evidence_pdf())
    assert refused.status_code == 400 and "申报材料" in refused.json()["file"][0]
    informant = upload_evidence(
        client_for(officers.informant), entry_id, evidence_pdf()
    )
    assert informant.status_code == 201
    act(operator, entry_id, "apply", statement="带动1户务工")
    assert upload_evidence(operator, entry_id, evidence_pdf()).status_code == 201
    act(client_for(officers.supervisor), entry_id, "check", passed=True)
    late = upload_evidence(operator, entry_id, evidence_pdf())
    assert late.status_code == 400 and "审定前" in late.json()["file"][0]
    assert CatalogueEvidence.objects.filter(entry_id=entry_id).count() == 2
