"""A batch's history as a GS1 EPCIS 2.0 JSON-LD document.

One ObjectEvent per trace event (bizStep from trace.choices.BIZ_STEPS), one
per signed inspection (bizStep `inspecting`, each result item a
sensorReport), one per hold, recall or release after a hold (`holding`,
disposition `recalled` …), one per print job (bizStep `commissioning` of
the printed serials as an epcList of GS1 Digital Link URIs) and one per
voiding of labels (bizStep `decommissioning`, action DELETE, disposition
`inactive`). The document validates against GS1's EPCIS-JSON-Schema.json
(../shared/standards/epcis/).

What was exported stays true: an eventID (a UUID named by the row the event
comes from, so a repository recognises a re-sent event) always names the
same content. An event says only what its row recorded when it happened and
what cannot change after (a released batch's lot, quantity and unit, a
signed inspection, a status change); a later change is a new event, never an
edit of an earlier one:
- a print job's commissioning event lists every serial it issued, void ones
  too; each voiding is its own decommissioning event (labels.LabelVoid);
- a corrected inspection keeps its event, and the correction's event names
  it (`suyuan:supersedes`): EPCIS's own errorDeclaration would re-send the
  first event under its eventID with different content;
- names that registers may change (product line, producer, regions,
  outlets) stay out of events, which carry their URIs; the names travel as
  master data in the header (epcisHeader.epcisMasterData), which describes
  the present and may change.

Decisions:
- The lot is the EPC class: `https://id.gs1.org/01/{GTIN-14}/10/{lot}` with a
  GTIN, else the batch's own URI under SUYUAN_PUBLIC_BASE_URL (lot codes are
  unique only within a product line). Serials likewise use id.gs1.org with a
  GTIN and the label's `/t/{serial}` URL without.
- Locations are our regions' API URIs (an inspection at an outlet: the
  outlet's); the harvest event also carries the lot master data (ilmd:
  harvest date, lot, quantity, and the URIs of the product line, producer
  and origin) and is an ADD, since EPCIS allows ilmd only there.
- Units: weights map to UN/CEFACT codes (斤 converted to KGM); count units
  (箱, 盒, 袋 …) have no uom, so the quantity counts instances and the
  Chinese unit travels as the extension field `suyuan:unit`.
- Extension fields live in the `suyuan:` namespace declared in @context.
- A print job or a voiding lists at most SUYUAN_EPCIS_MAX_EPCS serials
  (default 10,000); beyond that the event says `suyuan:epcListTruncated` and
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
from labels.codes import label_url, lot_url
from labels.models import Label, LabelVoid, PrintJob
from trace.choices import (
    BIZ_STEPS,
    BatchStatus,
    ReferenceDocumentType,
    TraceEventKind,
)
from trace.models import Batch, BatchStatusChange, Outlet, Region, TraceEvent

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
NAMESPACE = "urn:suyuan:epcis:"
PREFIX = "suyuan"
GS1_RESOLVER = "https://id.gs1.org"
SCHEMA_VERSION = "2.0"
DEFAULT_MAX_EPCS = 10_000

# CBV 2.0 business steps; anything else goes out as an extension URI.
CBV_BIZ_STEPS = {
    "commissioning",
    "decommissioning",
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


def _resource_uri(resource: str, pk: int) -> str:
    return f"{_base_url()}/api/v1/{resource}/{pk}/"


def region_uri(region: Region | int) -> str:
    """Return a region's API URI, the location identifier of our events."""
    return _resource_uri("regions", getattr(region, "pk", region))


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
    # A released batch is fixed (trace.services.batches.batch_update), and
    # only a released batch has events; names live in the master data.
    return {
        _ext("harvestDate"): batch.harvest_date.isoformat(),
        _ext("lotCode"): batch.lot_code,
        _ext("productLine"): _resource_uri("product-lines", batch.product_line_id),
        _ext("origin"): region_uri(batch.origin_id),
        _ext("producer"): _resource_uri("producers", batch.producer_id),
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
    location = event.location_id or (batch.origin_id if is_harvest else None)
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


def _inspection_place(*, batch: Batch, inspection: Inspection) -> str:
    # An outlet's region may be corrected later; the outlet stays the outlet.
    if inspection.outlet_id:
        return _resource_uri("outlets", inspection.outlet_id)
    return region_uri(inspection.region_id or batch.origin_id)


def inspection_event_document(*, batch: Batch, inspection: Inspection) -> dict:
    """Return the ObjectEvent of one signed inspection, its results as sensor reports.

    A correction names the event of the signed inspection it supersedes,
    which stays as it was.
    """
    event_time, offset = _time(inspection.sampled_at)
    document = {
        "type": "ObjectEvent",
        "eventTime": event_time,
        "eventTimeZoneOffset": offset,
        "eventID": _event_id("inspections", inspection.pk),
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "readPoint": {"id": _inspection_place(batch=batch, inspection=inspection)},
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
    original = inspection.supersedes
    if original is not None and original.signed_at is not None:
        document[_ext("supersedes")] = _event_id("inspections", original.pk)
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
    event_time, offset = _time(change.at)
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


def _epc_list(*, batch: Batch, labels, max_epcs: int) -> dict:
    """Return the epcList of labels in print order, capped at `max_epcs`."""
    gtin = batch.product_line.gtin
    base_url = GS1_RESOLVER if gtin else _base_url()
    ordered = labels.order_by("print_job_id", "sequence")
    serials = list(ordered.values_list("serial", flat=True)[:max_epcs])
    fields = {
        "epcList": [
            label_url(serial=serial, gtin=gtin, lot=batch.lot_code, base_url=base_url)
            for serial in serials
        ]
    }
    if len(serials) == max_epcs:
        total = ordered.count()
        if total > max_epcs:
            fields[_ext("epcListTruncated")] = True
            fields[_ext("epcCount")] = total
    return fields


def label_event_documents(
    *, batch: Batch, max_epcs: int
) -> list[tuple[datetime.datetime, dict]]:
    """Return (time, event) of one commissioning event per print job.

    Each lists every serial the job issued, void ones included (a void is an
    event of its own), as GS1 Digital Link URIs, at most `max_epcs` of them
    (see the module docstring).
    """
    documents = []
    for print_job in PrintJob.objects.filter(batch=batch).order_by("created_at", "id"):
        epcs = _epc_list(
            batch=batch,
            labels=Label.objects.filter(print_job=print_job),
            max_epcs=max_epcs,
        )
        if not epcs["epcList"]:
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
            **epcs,
            _ext("printJob"): print_job.pk,
        }
        documents.append((print_job.created_at, document))
    return documents


def label_void_documents(
    *, batch: Batch, max_epcs: int
) -> list[tuple[datetime.datetime, dict]]:
    """Return (time, event) of one decommissioning event per voiding of labels.

    CBV 2.0: bizStep `decommissioning` with action DELETE ends the serials'
    life in the supply chain; disposition `inactive`. The reason stays out:
    it is free text, and the export travels further.
    """
    documents = []
    for void in LabelVoid.objects.filter(batch=batch).order_by("voided_at", "id"):
        epcs = _epc_list(batch=batch, labels=void.labels.all(), max_epcs=max_epcs)
        if not epcs["epcList"]:
            continue
        event_time, offset = _time(void.voided_at)
        document = {
            "type": "ObjectEvent",
            "eventTime": event_time,
            "eventTimeZoneOffset": offset,
            "eventID": _event_id("label-voids", void.pk),
            "action": "DELETE",
            "bizStep": "decommissioning",
            "disposition": "inactive",
            **epcs,
            _ext("labelVoid"): void.pk,
        }
        documents.append((void.voided_at, document))
    return documents


def _region_names(region_ids: set[int]) -> dict[int, str]:
    """Return the full names of regions (e.g. 湖南省 邵阳市 洞口县) in two queries."""
    regions = Region.objects.filter(pk__in=region_ids).only("pk", "lineage")
    lineages = {region.pk: region.lineage for region in regions}
    ancestor_ids = {
        int(part)
        for lineage in lineages.values()
        for part in lineage.strip("/").split("/")
        if part
    }
    names = dict(Region.objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))
    return {
        pk: " ".join(names[int(part)] for part in lineage.strip("/").split("/") if part)
        for pk, lineage in lineages.items()
    }


def master_data(*, batch: Batch, region_ids: set[int], outlet_ids: set[int]) -> dict:
    """Return the epcisHeader: today's names of the lot and the locations.

    Master data describes the present and may change between exports; the
    events name things only by URI, so they never do.
    """
    name = "urn:epcglobal:cbv:mda#name"
    locations = [
        {"id": region_uri(pk), "attributes": [{"id": name, "attribute": full_name}]}
        for pk, full_name in sorted(_region_names(region_ids).items())
    ]
    locations += [
        {
            "id": _resource_uri("outlets", pk),
            "attributes": [{"id": name, "attribute": outlet_name}],
        }
        for pk, outlet_name in sorted(
            Outlet.objects.filter(pk__in=outlet_ids).values_list("pk", "name")
        )
    ]
    lot = {
        "id": lot_uri(batch),
        "attributes": [
            {"id": _ext("lotCode"), "attribute": batch.lot_code},
            {"id": _ext("productName"), "attribute": batch.product_line.title},
            {"id": _ext("producerName"), "attribute": batch.producer.name},
        ],
    }
    vocabularies = [
        {"type": "urn:epcglobal:epcis:vtype:EPCClass", "vocabularyElementList": [lot]}
    ]
    if locations:
        vocabularies.append(
            {
                "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                "vocabularyElementList": locations,
            }
        )
    return {"epcisMasterData": {"vocabularyList": vocabularies}}


def batch_epcis_document(*, batch: Batch) -> dict:
    """Return the EPCIS 2.0 document of a batch's events, oldest first."""
    batch = Batch.objects.select_related("product_line__brand", "producer").get(
        pk=batch.pk
    )
    max_epcs = int(getattr(settings, "SUYUAN_EPCIS_MAX_EPCS", DEFAULT_MAX_EPCS))
    trace_events = list(
        TraceEvent.objects.filter(batch=batch).order_by("occurred_at", "id")
    )
    timed = [
        (event.occurred_at, trace_event_document(batch=batch, event=event))
        for event in trace_events
    ]
    # Superseded ones too: what was signed was exported, and stays.
    inspections = list(
        Inspection.objects.filter(batch=batch, signed_at__isnull=False)
        .select_related("supersedes")
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
            timed.append((change.at, document))
    timed += label_event_documents(batch=batch, max_epcs=max_epcs)
    timed += label_void_documents(batch=batch, max_epcs=max_epcs)
    # Stable sort: events at the same moment keep trace, inspection, status,
    # print, void order.
    events = [document for _moment, document in sorted(timed, key=lambda x: x[0])]
    region_ids = {batch.origin_id}
    region_ids |= {event.location_id for event in trace_events if event.location_id}
    region_ids |= {
        inspection.region_id
        for inspection in inspections
        if inspection.region_id and not inspection.outlet_id
    }
    outlet_ids = {
        inspection.outlet_id for inspection in inspections if inspection.outlet_id
    }
    return {
        "@context": [EPCIS_CONTEXT, {PREFIX: NAMESPACE}],
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _time(timezone.now())[0],
        "epcisHeader": master_data(
            batch=batch, region_ids=region_ids, outlet_ids=outlet_ids
        ),
        "epcisBody": {"eventList": events},
    }
