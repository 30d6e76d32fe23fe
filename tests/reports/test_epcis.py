"""EPCIS 2.0 export: valid against GS1's schema, faithful to the batch's events."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings

from inspections.choices import InspectionKind
from inspections.services.inspections import inspection_sign
from reports.epcis import batch_epcis_document, lot_uri, quantity_element
from tests.inspections.factories import qualitative, quantitative, record_inspection
from tests.reports.factories import TraceEventFactory, local
from trace.choices import BIZ_STEPS, ReferenceDocumentType, TraceEventKind
from trace.models import ProductLine

EPCIS_DIR = Path(settings.BASE_DIR).parent / "shared" / "standards" / "epcis"


def epcis_validator() -> jsonschema.Draft7Validator:
    """Return a validator of GS1's EPCIS 2.0 JSON schema."""
    schema = json.loads((EPCIS_DIR / "EPCIS-JSON-Schema.json").read_text("utf-8"))
    # With a format checker, "uri" and "date-time" are really checked
    # (rfc3986-validator, rfc3339-validator), not just "a string".
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


@pytest.fixture(scope="module")
def validator():
    return epcis_validator()


def assert_valid(validator, document):
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]
    assert errors == []


@pytest.fixture
def history(world):
    batch = world.batch_a
    harvest = TraceEventFactory(
        batch=batch,
        kind=TraceEventKind.HARVEST,
        occurred_at=local(2026, 8, 20, 8),
        location=world.gulou_village,
        quantity=Decimal("250.5"),
        unit="kg",
    )
    pack = TraceEventFactory(
        batch=batch,
        kind=TraceEventKind.PACK,
        occurred_at=local(2026, 8, 21),
        quantity=Decimal("120"),
        unit="盒",
    )
    ship = TraceEventFactory(
        batch=batch,
        kind=TraceEventKind.SHIP,
        occurred_at=local(2026, 8, 22, 15),
        location=world.dongkou,
        quantity=Decimal("100"),
        unit="斤",
        reference_document_type=ReferenceDocumentType.BILL_OF_LADING,
        reference_document_number="湘运-2026/0815",
    )
    transform = TraceEventFactory(
        batch=batch, kind=TraceEventKind.TRANSFORM, occurred_at=local(2026, 8, 23)
    )
    sell = TraceEventFactory(
        batch=batch,
        kind=TraceEventKind.SELL,
        occurred_at=local(2026, 8, 24),
        quantity=Decimal("3"),
        unit="盒",
    )
    return [harvest, pack, ship, transform, sell]


def trace_events(document):
    return [
        event
        for event in document["epcisBody"]["eventList"]
        if "suyuan:eventKind" in event
    ]


def test_export_is_valid_epcis_2(world, history, validator):
    document = batch_epcis_document(batch=world.batch_a)
    assert document["type"] == "EPCISDocument"
    assert document["schemaVersion"] == "2.0"
    assert_valid(validator, document)


def test_export_round_trips_the_trace_events(world, history):
    events = trace_events(batch_epcis_document(batch=world.batch_a))
    assert len(events) == len(history)
    assert [event["bizStep"] for event in events] == [
        BIZ_STEPS[TraceEventKind.HARVEST],
        "packing",
        "shipping",
        "urn:suyuan:epcis:bizstep:transforming",  # not a CBV step
        "retail_selling",
    ]
    assert [
        datetime.datetime.fromisoformat(event["eventTime"]) for event in events
    ] == [event.occurred_at for event in history]
    assert {event["eventTimeZoneOffset"] for event in events} == {"+08:00"}
    harvest, pack, ship, transform, sell = (
        event["quantityList"][0] for event in events
    )
    assert (harvest["quantity"], harvest["uom"]) == (250.5, "KGM")
    assert (pack["quantity"], "uom" in pack) == (120, False)
    assert events[1]["suyuan:unit"] == "盒"
    assert (ship["quantity"], ship["uom"]) == (50, "KGM")  # 100 斤
    assert "quantity" not in transform
    assert sell["quantity"] == 3


def test_harvest_adds_the_lot_with_its_master_data(world, history):
    harvest = trace_events(batch_epcis_document(batch=world.batch_a))[0]
    assert harvest["action"] == "ADD"
    assert harvest["ilmd"]["suyuan:harvestDate"] == str(world.batch_a.harvest_date)
    assert harvest["ilmd"]["suyuan:lotCode"] == "GL2026A"
    assert harvest["bizLocation"]["id"].endswith(
        f"/api/v1/regions/{world.gulou_village.pk}/"
    )
    for event in trace_events(batch_epcis_document(batch=world.batch_a))[1:]:
        assert event["action"] == "OBSERVE"
        assert "ilmd" not in event


def test_reference_document_is_a_business_transaction(world, history, validator):
    ship = trace_events(batch_epcis_document(batch=world.batch_a))[2]
    [transaction] = ship["bizTransactionList"]
    assert transaction["type"] == "bol"
    assert transaction["bizTransaction"].startswith("urn:suyuan:epcis:document:")


def test_epc_class_is_a_digital_link_with_a_gtin(world):
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(
        gtin="06901234567892"
    )
    world.batch_a.refresh_from_db()
    assert lot_uri(world.batch_a) == "https://id.gs1.org/01/06901234567892/10/GL2026A"


def test_epc_class_without_gtin_is_the_batch_uri(world, settings):
    settings.SUYUAN_PUBLIC_BASE_URL = "https://suyuan.example.cn"
    assert (
        lot_uri(world.batch_b)
        == f"https://suyuan.example.cn/api/v1/batches/{world.batch_b.pk}/"
    )


def test_unknown_units_count_instances(world):
    element = quantity_element(batch=world.batch_a, quantity=Decimal("2.5"), unit="筐")
    assert element == {"epcClass": lot_uri(world.batch_a), "quantity": 2.5}


def test_signed_inspections_become_sensor_reports(world, history, validator):
    signed = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[
            quantitative("0.02", limit="0.05"),
            {
                "item": "有机磷（酶抑制率）",
                "method": "GB/T 5009.199-2003",
                "measured_value": Decimal("12.5"),
                "unit": "%",
            },
            qualitative("pass"),
        ],
        sample_size=Decimal("2"),
        sample_unit="kg",
    )
    inspection_sign(inspection=signed, signed_by=world.inspector)
    record_inspection(batch=world.batch_a, user=world.inspector)  # not signed
    document = batch_epcis_document(batch=world.batch_a)
    assert_valid(validator, document)
    [event] = [
        event
        for event in document["epcisBody"]["eventList"]
        if event["bizStep"] == "inspecting"
    ]
    assert event["disposition"] == "conformant"
    assert event["quantityList"][0] == {
        "epcClass": lot_uri(world.batch_a),
        "quantity": 2,
        "uom": "KGM",
    }
    residue, enzyme, label = event["sensorElementList"][0]["sensorReport"]
    assert (residue["value"], residue["uom"], residue["suyuan:limit"]) == (
        0.02,
        "NA",
        0.05,
    )
    assert (enzyme["value"], enzyme["uom"]) == (12.5, "P1")
    assert label["stringValue"] == "pass"
    assert label["type"] == "urn:suyuan:epcis:measurement:qualitative"
    assert residue["suyuan:verdict"] == "pass"
    assert "value" not in label


def test_empty_batch_is_a_valid_document(world, validator):
    document = batch_epcis_document(batch=world.batch_b)
    assert document["epcisBody"]["eventList"] == []
    assert_valid(validator, document)


def print_labels(world, count):
    from labels.services import print_job_create

    return print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=count,
        requested_by=world.operator_a,
        enqueue=False,
    )


def label_events(document):
    return [
        event
        for event in document["epcisBody"]["eventList"]
        if event["bizStep"] == "commissioning" and "epcList" in event
    ]


def test_printed_serials_are_the_epc_list(world, validator):
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(
        gtin="06901234567892"
    )
    job = print_labels(world, 3)
    document = batch_epcis_document(batch=world.batch_a)
    assert_valid(validator, document)
    [event] = label_events(document)
    serials = job.labels.order_by("sequence").values_list("serial", flat=True)
    assert event["epcList"] == [
        f"https://id.gs1.org/01/06901234567892/10/GL2026A/21/{serial}"
        for serial in serials
    ]
    assert event["action"] == "ADD"


def void_events(document):
    return [
        event
        for event in document["epcisBody"]["eventList"]
        if event.get("bizStep") == "decommissioning"
    ]


def test_commissioning_lists_void_labels_too_and_huge_jobs_capped(
    world, validator, settings
):
    from labels.services import labels_void

    settings.SUYUAN_PUBLIC_BASE_URL = "https://suyuan.example.cn"
    settings.SUYUAN_EPCIS_MAX_EPCS = 4
    job = print_labels(world, 6)
    first = job.labels.get(sequence=1)
    labels_void(voided_by=world.operator_a, label=first, reason="卡纸")
    document = batch_epcis_document(batch=world.batch_a)
    assert_valid(validator, document)
    [event] = label_events(document)
    assert len(event["epcList"]) == 4
    assert event["epcList"][0] == f"https://suyuan.example.cn/t/{first.serial}"
    assert all(
        uri.startswith("https://suyuan.example.cn/t/") for uri in event["epcList"]
    )
    assert event["suyuan:epcListTruncated"] is True
    assert event["suyuan:epcCount"] == 6
    [void] = void_events(document)
    assert void["epcList"] == [f"https://suyuan.example.cn/t/{first.serial}"]


def test_each_void_is_one_decommissioning_event_of_its_labels(world, validator):
    from labels.services import labels_void

    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(
        gtin="06901234567892"
    )
    job = print_labels(world, 4)
    other = print_labels(world, 2)
    labels = list(job.labels.order_by("sequence"))
    labels_void(
        voided_by=world.operator_a,
        serials=[labels[2].serial, labels[0].serial],
        reason="破损",
    )
    first = batch_epcis_document(batch=world.batch_a)
    labels_void(voided_by=world.operator_a, print_job=other, reason="整页重印")
    labels_void(voided_by=world.operator_a, print_job=job, reason="again")
    document = batch_epcis_document(batch=world.batch_a)
    assert_valid(validator, document)
    voids = void_events(document)
    assert voids[0] == void_events(first)[0]
    assert [(e["action"], e["disposition"]) for e in voids] == [
        ("DELETE", "inactive")
    ] * 3

    def serials(event):
        return [uri.rsplit("/", 1)[1] for uri in event["epcList"]]

    assert [serials(event) for event in voids] == [
        [labels[0].serial, labels[2].serial],
        list(other.labels.order_by("sequence").values_list("serial", flat=True)),
        [labels[1].serial, labels[3].serial],
    ]
    assert voids[0]["epcList"][0].startswith("https://id.gs1.org/01/06901234567892/")
    assert len({event["eventID"] for event in voids}) == 3
    # The print jobs' commissioning events still list all they issued.
    assert [len(event["epcList"]) for event in label_events(document)] == [4, 2]


def test_one_void_across_batches_is_an_event_in_each(world):
    from labels.services import labels_void, print_job_create

    job_a = print_labels(world, 2)
    job_b = print_job_create(
        batch=world.batch_b,
        template="a4-3x8",
        count=2,
        requested_by=world.operator_b,
        enqueue=False,
    )
    serial_a = job_a.labels.get(sequence=1).serial
    serial_b = job_b.labels.get(sequence=2).serial
    labels_void(voided_by=world.admin, serials=[serial_a, serial_b], reason="抽查")
    [void_a] = void_events(batch_epcis_document(batch=world.batch_a))
    [void_b] = void_events(batch_epcis_document(batch=world.batch_b))
    assert void_a["epcList"][0].endswith(serial_a) and len(void_a["epcList"]) == 1
    assert void_b["epcList"][0].endswith(serial_b) and len(void_b["epcList"]) == 1
    assert void_a["eventID"] != void_b["eventID"]


def test_correction_of_a_signed_inspection_is_a_new_event(world, validator):
    from inspections.services.inspections import inspection_supersede

    original = record_inspection(
        batch=world.batch_a, user=world.inspector, items=[quantitative("0.02")]
    )
    inspection_sign(inspection=original, signed_by=world.inspector)
    [before] = batch_epcis_document(batch=world.batch_a)["epcisBody"]["eventList"]
    correction, _created = inspection_supersede(
        original=original,
        created_by=world.inspector,
        items=[quantitative("0.03")],
        sampled_at=original.sampled_at,
    )
    inspection_sign(inspection=correction, signed_by=world.inspector)
    document = batch_epcis_document(batch=world.batch_a)
    assert_valid(validator, document)
    inspected = [
        event
        for event in document["epcisBody"]["eventList"]
        if event.get("bizStep") == "inspecting"
    ]
    assert inspected[0] == before
    assert inspected[1]["suyuan:supersedes"] == before["eventID"]
    assert inspected[1]["sensorElementList"][0]["sensorReport"][0]["value"] == 0.03


def test_events_name_registers_by_uri_and_master_data_names_them(
    world, history, validator, settings
):
    settings.SUYUAN_PUBLIC_BASE_URL = "https://suyuan.example.cn"
    document = batch_epcis_document(batch=world.batch_a)
    assert_valid(validator, document)
    api = "https://suyuan.example.cn/api/v1"
    ilmd = trace_events(document)[0]["ilmd"]
    assert ilmd["suyuan:productLine"] == (
        f"{api}/product-lines/{world.batch_a.product_line_id}/"
    )
    assert ilmd["suyuan:producer"] == f"{api}/producers/{world.producer_a.pk}/"
    assert ilmd["suyuan:origin"] == f"{api}/regions/{world.gulou_village.pk}/"
    assert "古楼茶业" not in json.dumps(ilmd, ensure_ascii=False)
    body = json.dumps(document["epcisBody"], ensure_ascii=False)
    assert "古楼云雾茶" not in body and "湖南省" not in body
    lot, locations = document["epcisHeader"]["epcisMasterData"]["vocabularyList"]
    assert lot["type"] == "urn:epcglobal:epcis:vtype:EPCClass"
    [element] = lot["vocabularyElementList"]
    assert element["id"] == lot_uri(world.batch_a)
    assert {a["id"]: a["attribute"] for a in element["attributes"]} == {
        "suyuan:lotCode": "GL2026A",
        "suyuan:productName": world.batch_a.product_line.title,
        "suyuan:producerName": "洞口县古楼茶业专业合作社",
    }
    names = {
        element["id"]: element["attributes"][0]["attribute"]
        for element in locations["vocabularyElementList"]
    }
    assert names == {
        f"{api}/regions/{world.gulou_village.pk}/": "湖南省 邵阳市 洞口县 古楼乡 古楼村",
        f"{api}/regions/{world.dongkou.pk}/": "湖南省 邵阳市 洞口县",
    }


def test_hold_and_release_are_events(world, validator):
    from inspections.services.holds import batch_hold_release_sign
    from trace.services.batches import batch_hold

    batch_hold(batch=world.batch_a, changed_by=world.inspector, reason="抽检")
    batch_hold_release_sign(
        batch=world.batch_a, released_by=world.inspector, reason="复检合格"
    )
    document = batch_epcis_document(batch=world.batch_a)
    assert_valid(validator, document)
    events = document["epcisBody"]["eventList"]
    assert [(e.get("bizStep"), e["disposition"]) for e in events] == [
        ("holding", "non_sellable_other"),
        (None, "sellable_accessible"),
    ]
    assert "抽检" not in json.dumps(document, ensure_ascii=False)


def test_batch_without_gtin_exports_valid_http_identifiers(
    world, history, validator, settings, client
):
    """No GTIN: no GS1 key, so the lot and its labels use our own HTTP URIs."""
    settings.SUYUAN_PUBLIC_BASE_URL = "http://testserver"
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(gtin=None)
    world.batch_a.refresh_from_db()
    job = print_labels(world, 2)
    document = batch_epcis_document(batch=world.batch_a)
    assert_valid(validator, document)
    text = json.dumps(document)
    assert "urn:epc:" not in text and "id.gs1.org" not in text
    [event] = label_events(document)
    serials = job.labels.order_by("sequence").values_list("serial", flat=True)
    assert event["epcList"] == [f"http://testserver/t/{serial}" for serial in serials]
    # Each EPC is the label's public page.
    assert (
        client.get(event["epcList"][0].removeprefix("http://testserver")).status_code
        == 200
    )
    classes = {
        element["epcClass"]
        for event in document["epcisBody"]["eventList"]
        for element in event.get("quantityList", [])
    }
    assert classes == {f"http://testserver/api/v1/batches/{world.batch_a.pk}/"}
