"""A batch's history as a GS1 EPCIS 2.0 JSON-LD document.

One ObjectEvent per trace event (bizStep from trace.choices.BIZ_STEPS), one
per signed, current inspection (bizStep `inspecting`, each result item a
sensorReport), one per hold, recall or release after a hold (`holding`,
disposition `recalled` …) and one per print job (bizStep `commissioning` of
the printed serials as an epcList of GS1 Digital Link URIs). The document validates
against GS1's EPCIS-JSON-Schema.json (../shared/standards/epcis/).

Decisions:
- The lot is the EPC class: `https://id.gs1.org/01/{GTIN-14}/10/{lot}` with a
  GTIN, else the batch's own URI under SUYUAN_PUBLIC_BASE_URL (lot codes are
  unique only within a product line). Serials likewise use id.gs1.org with a
  GTIN and the label's `/t/{serial}` URL without.
- Locations are our regions' API URIs; the harvest event also carries the
  lot master data (ilmd: harvest date, origin, producer) and is an ADD, since
  EPCIS allows ilmd only there.
- Units: weights map to UN/CEFACT codes (斤 converted to KGM); count units
  (箱, 盒, 袋 …) have no uom, so the quantity counts instances and the
  Chinese unit travels as the extension field `suyuan:unit`.
- Extension fields live in the `suyuan:` namespace declared in @context.
- A print job lists at most SUYUAN_EPCIS_MAX_EPCS serials (default 10,000);
  beyond that the event says `suyuan:epcListTruncated` and
  `suyuan:epcCount` (the full list is the print job's own business, and a
  multi-megabyte JSON document helps no EPCIS repository).
"""

import datetime
import uuid
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from inspections.choices import AnalyteKind, Verdict
from inspections.models import Inspection
from labels.choices import LabelStatus
from labels.codes import label_url, lot_url
from labels.models import Label, PrintJob
from trace.choices import (
    BIZ_STEPS,
    BatchStatus,
    ReferenceDocumentType,
    TraceEventKind,
)
from trace.models import Batch, BatchStatusChange, Region, TraceEvent

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
NAMESPACE = "urn:suyuan:epcis:"
PREFIX = "suyuan"
GS1_RESOLVER = "https://id.gs1.org"
SCHEMA_VERSION = "2.0"
DEFAULT_MAX_EPCS = 10_000

# CBV 2.0 business steps; anything else goes out as an extension URI.
CBV_BIZ_STEPS = {
    "commissioning",
    "packing",
    "shipping",
    "receiving",
    "retail_selling",
    "inspecting",
    "holding",
    "destroying",
}
DISPOSITIONS = {
    TraceEventKind.HARVEST: "active",
    TraceEventKind.PACK: "in_progress",
    TraceEventKind.SHIP: "in_transit",
    TraceEventKind.RECEIVE: "in_progress",
    TraceEventKind.SELL: "retail_sold",
    TraceEventKind.TRANSFORM: "in_progress",
}
# Holds, recalls and releases after a hold (CBV: holding; recalled).
STATUS_DISPOSITIONS = {
    BatchStatus.ON_HOLD: ("holding", "non_sellable_other"),
    BatchStatus.RECALLED: ("holding", "recalled"),
}
VERDICT_DISPOSITIONS = {Verdict.PASS: "conformant", Verdict.FAIL: "non_conformant"}
# CBV business transaction types of our reference documents.
TRANSACTION_TYPES = {
    ReferenceDocumentType.INVOICE: "inv",
    ReferenceDocumentType.BILL_OF_LADING: "bol",
    ReferenceDocumentType.PURCHASE_ORDER: "po",
    ReferenceDocumentType.CERTIFICATE: "cert",
    ReferenceDocumentType.PRODUCTION_LOG: "prodorder",
}
# UN/CEFACT Recommendation 20 codes: (code, factor to that unit).
WEIGHT_UNITS = {
    "kg": ("KGM", Decimal(1)),
    "公斤": ("KGM", Decimal(1)),
    "千克": ("KGM", Decimal(1)),
    "斤": ("KGM", Decimal("0.5")),
    "g": ("GRM", Decimal(1)),
    "克": ("GRM", Decimal(1)),
    "t": ("TNE", Decimal(1)),
    "吨": ("TNE", Decimal(1)),
    "l": ("LTR", Decimal(1)),
    "升": ("LTR", Decimal(1)),
}
# Result units of inspections: percent, mass fractions.
RESULT_UNITS = {"%": "P1", "mg/kg": "NA", "μg/kg": "J33", "ug/kg": "J33"}


def _base_url() -> str:
    return settings.SUYUAN_PUBLIC_BASE_URL.rstrip("/")


def _ext(name: str) -> str:
    return f"{PREFIX}:{name}"


def _urn(*parts: str) -> str:
    return NAMESPACE + ":".join(quote(str(part), safe="") for part in parts)


def lot_uri(batch: Batch) -> str:
    """Return the EPC class URI of a batch (GTIN + lot, or the batch's own URI)."""
    gtin = batch.product_line.gtin
    if gtin:
        return lot_url(gtin=gtin, lot=batch.lot_code, base_url=GS1_RESOLVER)
    return f"{_base_url()}/api/v1/batches/{batch.pk}/"


def region_uri(region: Region) -> str:
    return f"{_base_url()}/api/v1/regions/{region.pk}/"


def _time(moment: datetime.datetime) -> tuple[str, str]:
    """Return the ISO time with offset and the offset alone (+08:00)."""
    local = timezone.localtime(moment)
    offset = local.strftime("%z")
    return local.isoformat(), f"{offset[:3]}:{offset[3:]}"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def quantity_element(*, batch: Batch, quantity: Decimal, unit: str) -> dict:
    """Return a quantityList element and, for count units, the unit extension."""
    element = {"epcClass": lot_uri(batch)}
    weight = WEIGHT_UNITS.get(unit.strip().lower()) or WEIGHT_UNITS.get(unit.strip())
    if weight is not None:
        code, factor = weight
        element["quantity"] = _number(quantity * factor)
        element["uom"] = code
    else:
        element["quantity"] = _number(quantity)
    return element


def _event_id(kind: str, pk: int) -> str:
    # Stable across exports, so a repository recognises a re-sent event.
    name = f"{_base_url()}/{kind}/{pk}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _biz_step(kind: str) -> str:
    step = BIZ_STEPS.get(kind, "")
    return step if step in CBV_BIZ_STEPS else _urn("bizstep", step or kind)


def _ilmd(batch: Batch) -> dict:
    return {
        _ext("harvestDate"): batch.harvest_date.isoformat(),
        _ext("lotCode"): batch.lot_code,
        _ext("productName"): str(batch.product_line),
        _ext("origin"): batch.origin.full_name,
        _ext("producer"): batch.producer.name,
        _ext("batchQuantity"): _number(batch.quantity),
        _ext("batchUnit"): batch.unit,
    }


def trace_event_document(*, batch: Batch, event: TraceEvent) -> dict:
    """Return the ObjectEvent of one trace event."""
    event_time, offset = _time(event.occurred_at)
    is_harvest = event.kind == TraceEventKind.HARVEST
    document = {
        "type": "ObjectEvent",
        "eventTime": event_time,
        "eventTimeZoneOffset": offset,
        "eventID": _event_id("trace-events", event.pk),
        "action": "ADD" if is_harvest else "OBSERVE",
        "bizStep": _biz_step(event.kind),
        "disposition": DISPOSITIONS.get(event.kind, "active"),
    }
    location = event.location or (batch.origin if is_harvest else None)
    if location is not None:
        document["readPoint"] = {"id": region_uri(location)}
        document["bizLocation"] = {"id": region_uri(location)}
    if event.reference_document_number:
        transaction = {
            "bizTransaction": _urn(
                "document",
                event.reference_document_type or "other",
                event.reference_document_number,
            )
        }
        if event.reference_document_type in TRANSACTION_TYPES:
            transaction["type"] = TRANSACTION_TYPES[event.reference_document_type]
        document["bizTransactionList"] = [transaction]
    quantity, unit = event.quantity, event.unit or batch.unit
    if quantity is None and is_harvest:
        quantity, unit = batch.quantity, batch.unit
    document["quantityList"] = [
        quantity_element(batch=batch, quantity=quantity, unit=unit)
        if quantity is not None
        else {"epcClass": lot_uri(batch)}
    ]
    if is_harvest:
        document["ilmd"] = _ilmd(batch)
    document[_ext("eventKind")] = event.kind
    if quantity is not None:
        document[_ext("unit")] = unit
    if event.place:
        document[_ext("place")] = event.place
    if event.actor:
        document[_ext("actor")] = event.actor
    return document


def _sensor_report(result) -> dict:
    report = {_ext("item"): result.item}
    if result.kind == AnalyteKind.QUALITATIVE:
        report["type"] = _urn("measurement", "qualitative")
        report["stringValue"] = result.outcome
    else:
        report["type"] = "Dimensionless"
        report["value"] = _number(result.measured_value)
        uom = RESULT_UNITS.get(result.unit.strip())
        if uom:
            report["uom"] = uom
        elif result.unit:
            report[_ext("unit")] = result.unit
        if result.limit is not None:
            report[_ext("limit")] = _number(result.limit)
    if result.method:
        report[_ext("method")] = result.method
    report[_ext("verdict")] = result.verdict
    return report


def inspection_event_document(*, batch: Batch, inspection: Inspection) -> dict:
    """Return the ObjectEvent of one signed inspection, its results as sensor reports."""
    event_time, offset = _time(inspection.sampled_at)
    place = inspection.region or (
        inspection.outlet.region if inspection.outlet_id else batch.origin
    )
    document = {
        "type": "ObjectEvent",
        "eventTime": event_time,
        "eventTimeZoneOffset": offset,
        "eventID": _event_id("inspections", inspection.pk),
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "readPoint": {"id": region_uri(place)},
        "quantityList": [
            quantity_element(
                batch=batch,
                quantity=inspection.sample_size,
                unit=inspection.sample_unit,
            )
            if inspection.sample_size is not None
            else {"epcClass": lot_uri(batch)}
        ],
        "sensorElementList": [
            {
                "sensorMetadata": {"time": _time(inspection.sampled_at)[0]},
                "sensorReport": [
                    _sensor_report(result) for result in inspection.results.all()
                ],
            }
        ],
    }
    if inspection.verdict in VERDICT_DISPOSITIONS:
        document["disposition"] = VERDICT_DISPOSITIONS[inspection.verdict]
    document[_ext("inspectionKind")] = inspection.kind
    document[_ext("verdict")] = inspection.verdict
    if inspection.organisation:
        document[_ext("organisation")] = inspection.organisation
    return document


def status_change_document(*, batch: Batch, change: BatchStatusChange) -> dict | None:
    """Return the ObjectEvent of a hold, a recall or a release after either.

    The first release of a draft is not a supply-chain event and gives None.
    The reason stays out: it is free text, and the export travels further.
    """
    if change.to_status in STATUS_DISPOSITIONS:
        biz_step, disposition = STATUS_DISPOSITIONS[change.to_status]
    elif change.to_status == BatchStatus.RELEASED and change.from_status in (
        STATUS_DISPOSITIONS
    ):
        biz_step, disposition = None, "sellable_accessible"
    else:
        return None
    event_time, offset = _time(change.changed_at)
    document = {
        "type": "ObjectEvent",
        "eventTime": event_time,
        "eventTimeZoneOffset": offset,
        "eventID": _event_id("batch-status-changes", change.pk),
        "action": "OBSERVE",
        "disposition": disposition,
        "quantityList": [{"epcClass": lot_uri(batch)}],
        _ext("status"): change.to_status,
    }
    if biz_step:
        document["bizStep"] = biz_step
    return document


def label_event_documents(
    *, batch: Batch, max_epcs: int
) -> list[tuple[datetime.datetime, dict]]:
    """Return (time, event) of one commissioning event per print job.

    Each lists the job's active serials as GS1 Digital Link URIs, at most
    `max_epcs` of them (see the module docstring).
    """
    gtin = batch.product_line.gtin
    base_url = GS1_RESOLVER if gtin else _base_url()
    documents = []
    for print_job in PrintJob.objects.filter(batch=batch).order_by("created_at", "id"):
        active = Label.objects.filter(
            print_job=print_job, status=LabelStatus.ACTIVE
        ).order_by("sequence")
        serials = list(active.values_list("serial", flat=True)[:max_epcs])
        if not serials:
            continue
        event_time, offset = _time(print_job.created_at)
        document = {
            "type": "ObjectEvent",
            "eventTime": event_time,
            "eventTimeZoneOffset": offset,
            "eventID": _event_id("print-jobs", print_job.pk),
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "epcList": [
                label_url(
                    serial=serial, gtin=gtin, lot=batch.lot_code, base_url=base_url
                )
                for serial in serials
            ],
        }
        if len(serials) == max_epcs:
            total = active.count()
            if total > max_epcs:
                document[_ext("epcListTruncated")] = True
                document[_ext("epcCount")] = total
        document[_ext("printJob")] = print_job.pk
        documents.append((print_job.created_at, document))
    return documents


def batch_epcis_document(*, batch: Batch) -> dict:
    """Return the EPCIS 2.0 document of a batch's events, oldest first."""
    batch = Batch.objects.select_related(
        "product_line", "producer", "origin__parent__parent__parent__parent"
    ).get(pk=batch.pk)
    max_epcs = int(getattr(settings, "SUYUAN_EPCIS_MAX_EPCS", DEFAULT_MAX_EPCS))
    timed = [
        (event.occurred_at, trace_event_document(batch=batch, event=event))
        for event in TraceEvent.objects.filter(batch=batch)
        .select_related("location")
        .order_by("occurred_at", "id")
    ]
    inspections = (
        Inspection.objects.filter(
            batch=batch, signed_at__isnull=False, superseded_by__isnull=True
        )
        .select_related("region", "outlet__region")
        .prefetch_related("results")
        .order_by("sampled_at", "id")
    )
    timed += [
        (
            inspection.sampled_at,
            inspection_event_document(batch=batch, inspection=inspection),
        )
        for inspection in inspections
    ]
    for change in BatchStatusChange.objects.filter(batch=batch).order_by("id"):
        document = status_change_document(batch=batch, change=change)
        if document is not None:
            timed.append((change.changed_at, document))
    timed += label_event_documents(batch=batch, max_epcs=max_epcs)
    # Stable sort: events at the same moment keep trace, inspection, label order.
    events = [document for _moment, document in sorted(timed, key=lambda x: x[0])]
    return {
        "@context": [EPCIS_CONTEXT, {PREFIX: NAMESPACE}],
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _time(timezone.now())[0],
        "epcisBody": {"eventList": events},
    }
