"""Platform order exports (扶贫832 and the like) brought in as sales.

Upload → map the columns (kept per platform) → check every row (the dry run:
what it matches, or why not, in Chinese) → commit. A row matching nothing is
kept for the clerk; an order number seen before adds nothing, so importing a
file again is harmless.
"""

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import IO

import tablib
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import dateparse, timezone
from django.utils.translation import gettext as _

from trace import access
from trace.choices import (
    BatchStatus,
    ImportRowStatus,
    ImportStatus,
    SaleChannel,
    SaleSource,
)
from trace.models import (
    Batch,
    BatchContribution,
    PlatformColumnMapping,
    ProductLine,
    Sale,
    SalesImport,
    SalesImportRow,
)
from trace.services.events import sale_save

# The sale fields a platform's columns map to, with the words a clerk sees.
IMPORT_FIELDS = {
    "order_number": "订单号",
    "sold_at": "下单时间",
    "product": "商品名称",
    "gtin": "商品条码",
    "lot_code": "批次号",
    "quantity": "数量",
    "unit": "单位",
    "amount": "金额（元）",
    "buyer": "采购单位",
}
REQUIRED_FIELDS = ("order_number", "sold_at", "quantity", "amount")
PROGRESS_EVERY = 1000
COMMIT_CHUNK = 500
MAX_IMPORT_BYTES = 64 * 1024 * 1024


def import_dataset(*, content: bytes, name: str) -> tablib.Dataset:
    """Read a CSV (UTF-8 or GB18030, as Chinese Excel saves it) or XLSX export.

    Raise ValidationError if the file is neither or has no header row.
    """
    suffix = PurePosixPath(name).suffix.lower()
    try:
        if suffix == ".xlsx":
            dataset = tablib.Dataset().load(content, format="xlsx")
        elif suffix == ".csv":
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = content.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ValidationError({"file": _("无法识别 CSV 文件的编码。")})
            dataset = tablib.Dataset().load(text, format="csv")
        else:
            raise ValidationError({"file": _("请上传平台导出的 CSV 或 XLSX 文件。")})
    except ValidationError:
        raise
    except Exception as error:  # tablib raises what its format's reader raises
        raise ValidationError(
            {"file": _("文件无法读取，请确认是平台导出的原始文件。")}
        ) from error
    if not dataset.headers:
        raise ValidationError({"file": _("文件没有表头行。")})
    return dataset


def platform_columns(*, platform: str) -> dict[str, str]:
    """Return the platform's saved column mapping, or an empty one."""
    mapping = PlatformColumnMapping.objects.filter(platform=platform).first()
    return dict(mapping.columns) if mapping else {}


def _columns_check(columns: dict[str, str], headers: list[str]) -> dict[str, str]:
    unknown = set(columns) - set(IMPORT_FIELDS)
    if unknown:
        raise ValidationError(
            {"columns": _("未知的字段：%s") % "、".join(sorted(unknown))}
        )
    errors = []
    for field in REQUIRED_FIELDS:
        if not columns.get(field):
            errors.append(
                _("请指定“%(field)s”所在的列。") % {"field": IMPORT_FIELDS[field]}
            )
    if not any(columns.get(field) for field in ("product", "gtin", "lot_code")):
        errors.append(_("请至少指定商品名称、商品条码或批次号之一所在的列。"))
    for field, header in columns.items():
        if header and header not in headers:
            errors.append(
                _("文件中没有“%(header)s”列（%(field)s）。")
                % {"header": header, "field": IMPORT_FIELDS[field]}
            )
    if errors:
        raise ValidationError({"columns": errors})
    return {field: header for field, header in columns.items() if header}


def sales_import_create(
    *,
    platform: str,
    file: IO[bytes],
    name: str,
    uploaded_by,
    columns: dict[str, str] | None = None,
) -> SalesImport:
    """Store an export, save the platform's mapping and queue its dry run.

    With no `columns`, the mapping saved for the platform last time is used.
    Raise ValidationError, writing nothing, if the user may not import sales,
    the file cannot be read or a needed column is not mapped.
    """
    access.require(
        access.may_import_sales(uploaded_by),
        field="platform",
        message=_("只有扶贫办或生产经营主体可以导入平台订单。"),
    )
    platform = (platform or "").strip()
    if not platform:
        raise ValidationError({"platform": _("请填写平台名称，如：扶贫832。")})
    content = file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": _("文件超过 64 MB，请分批导出。")})
    dataset = import_dataset(content=content, name=name)
    columns = _columns_check(
        columns if columns is not None else platform_columns(platform=platform),
        list(dataset.headers),
    )
    with transaction.atomic():
        PlatformColumnMapping.objects.update_or_create(
            platform=platform,
            defaults={"columns": columns, "changed_by": uploaded_by},
        )
        sales_import = SalesImport(
            platform=platform,
            file_name=PurePosixPath(name).name[:255],
            columns=columns,
            total_rows=dataset.height,
            uploaded_by=uploaded_by,
        )
        sales_import.file.save(
            f"orders{PurePosixPath(name).suffix.lower()}",
            ContentFile(content),
            save=False,
        )
        sales_import.save()
        from trace.tasks import sales_import_check_task

        transaction.on_commit(lambda: sales_import_check_task.delay(sales_import.pk))
    return sales_import


def _source_key(platform: str, order_number: str) -> str:
    return f"{platform}:{order_number}"[:128]


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _moment(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time(12))
    else:
        text = str(value or "").strip().replace("/", "-")
        try:
            moment = dateparse.parse_datetime(text)
            if moment is None and (day := dateparse.parse_date(text)):
                moment = datetime.datetime.combine(day, datetime.time(12))
        except ValueError:
            return None
    if moment is None:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class _Matcher:
    """What a row of the uploader's may match: lines, released batches, keys."""

    def __init__(self, sales_import: SalesImport):
        user = sales_import.uploaded_by
        batches = list(
            Batch.objects.filter(
                access.import_batch_scope(user), status=BatchStatus.RELEASED
            )
            .select_related("producer", "product_line")
            .annotate(sold=Sum("sales__quantity"))
            .order_by("harvest_date", "id")
        )
        self.left = {batch.pk: batch.quantity - (batch.sold or 0) for batch in batches}
        self.by_lot = {batch.lot_code: batch for batch in batches}
        self.by_line = defaultdict(list)
        for batch in batches:
            self.by_line[batch.product_line_id].append(batch)
        lines = ProductLine.objects.filter(
            pk__in={batch.product_line_id for batch in batches}
        ).select_related("brand")
        self.line_by_gtin = {line.gtin: line for line in lines if line.gtin}
        self.line_by_name = {}
        for line in lines:
            self.line_by_name.setdefault(line.name, line)
            self.line_by_name.setdefault(line.title, line)
        self.households = dict(
            BatchContribution.objects.filter(batch__in=batches)
            .values("batch")
            .annotate(n=Count("household", distinct=True))
            .values_list("batch", "n")
        )
        prefix = f"{sales_import.platform}:"
        self.taken = set(
            Sale.objects.filter(
                source=SaleSource.PLATFORM, source_key__startswith=prefix
            ).values_list("source_key", flat=True)
        )

    def batch_for(self, values: dict) -> tuple[ProductLine | None, Batch | None, str]:
        """Return the line and batch a row sells from, or why there is none."""
        quantity = values["quantity"]
        if lot := values.get("lot_code"):
            batch = self.by_lot.get(lot)
            if batch is None:
                return (
                    None,
                    None,
                    _("找不到批次号“%(lot)s”的已放行批次。") % {"lot": lot},
                )
            if self.left[batch.pk] < quantity:
                return (
                    batch.product_line,
                    None,
                    _("批次“%(lot)s”剩余不足。") % {"lot": lot},
                )
            return batch.product_line, batch, ""
        line = self.line_by_gtin.get(values.get("gtin") or "") or self.line_by_name.get(
            values.get("product") or ""
        )
        if line is None:
            label = values.get("product") or values.get("gtin") or ""
            return (
                None,
                None,
                _("找不到产品“%(product)s”的已放行批次。") % {"product": label},
            )
        for batch in self.by_line[line.pk]:
            if self.left[batch.pk] >= quantity:
                return line, batch, ""
        return (
            line,
            None,
            _("产品“%(product)s”的已放行批次剩余不足。") % {"product": line.title},
        )


def _row_check(
    number: int, raw: dict, sales_import: SalesImport, matcher: _Matcher, seen: set
) -> SalesImportRow:
    columns = sales_import.columns
    values = {field: raw.get(header) for field, header in columns.items()}
    text = {
        field: ("" if value is None else str(value).strip())
        for field, value in values.items()
    }
    row = SalesImportRow(
        sales_import=sales_import,
        number=number,
        order_number=text.get("order_number", "")[:96],
        values=text,
    )

    def refused(status: str, message: str) -> SalesImportRow:
        row.status, row.message = status, message[:255]
        return row

    if not row.order_number:
        return refused(ImportRowStatus.INVALID, _("订单号为空。"))
    key = _source_key(sales_import.platform, row.order_number)
    if key in seen:
        return refused(ImportRowStatus.DUPLICATE, _("文件中订单号重复，只导入第一行。"))
    seen.add(key)
    if key in matcher.taken:
        return refused(ImportRowStatus.DUPLICATE, _("该订单已导入过。"))
    quantity = _decimal(text.get("quantity"))
    if quantity is None or quantity <= 0:
        return refused(
            ImportRowStatus.INVALID,
            _("数量“%(value)s”不是正数。") % {"value": text.get("quantity", "")},
        )
    amount = _decimal(text.get("amount"))
    if amount is None or amount < 0:
        return refused(
            ImportRowStatus.INVALID,
            _("金额“%(value)s”不是有效的数字。") % {"value": text.get("amount", "")},
        )
    sold_at = _moment(values.get("sold_at"))
    if sold_at is None:
        return refused(
            ImportRowStatus.INVALID,
            _("下单时间“%(value)s”无法识别。") % {"value": text.get("sold_at", "")},
        )
    if sold_at > timezone.now():
        return refused(ImportRowStatus.INVALID, _("下单时间晚于现在。"))
    text.update(quantity=str(quantity), amount=str(amount), sold_at=sold_at.isoformat())
    row.values = text
    line, batch, why = matcher.batch_for(text | {"quantity": quantity})
    row.product_line = line
    if batch is None:
        return refused(ImportRowStatus.UNMATCHED, why)
    if (unit := text.get("unit")) and unit != batch.unit:
        return refused(
            ImportRowStatus.INVALID,
            _("单位“%(unit)s”与批次单位“%(batch_unit)s”不一致。")
            % {"unit": unit, "batch_unit": batch.unit},
        )
    matcher.left[batch.pk] -= quantity
    row.batch, row.producer = batch, batch.producer
    row.households = matcher.households.get(batch.pk, 0)
    row.status = ImportRowStatus.MATCHED
    return row


def sales_import_check(*, sales_import_id: int) -> SalesImport:
    """Match every row (the dry run); write each row's match or error.

    Safe to run twice: the rows of an earlier run are replaced. A job that
    was committed is left as it is.
    """
    sales_import = SalesImport.objects.select_related("uploaded_by").get(
        pk=sales_import_id
    )
    if sales_import.status not in (ImportStatus.QUEUED, ImportStatus.CHECKING):
        return sales_import
    SalesImport.objects.filter(pk=sales_import.pk).update(
        status=ImportStatus.CHECKING, processed_rows=0
    )
    SalesImportRow.objects.filter(sales_import=sales_import).delete()
    try:
        with sales_import.file.open("rb") as stored:
            dataset = import_dataset(content=stored.read(), name=sales_import.file.name)
    except (OSError, ValidationError) as error:
        SalesImport.objects.filter(pk=sales_import.pk).update(
            status=ImportStatus.FAILED, error=_("文件无法读取。")
        )
        raise ValidationError({"file": _("文件无法读取。")}) from error
    matcher = _Matcher(sales_import)
    seen: set[str] = set()
    headers = list(dataset.headers)
    pending = []
    for number, values in enumerate(dataset, start=2):  # row 1 is the header
        raw = dict(zip(headers, values, strict=False))
        pending.append(_row_check(number, raw, sales_import, matcher, seen))
        if len(pending) >= PROGRESS_EVERY:
            SalesImportRow.objects.bulk_create(pending)
            SalesImport.objects.filter(pk=sales_import.pk).update(
                processed_rows=number - 1
            )
            pending = []
    SalesImportRow.objects.bulk_create(pending)
    SalesImport.objects.filter(pk=sales_import.pk).update(
        status=ImportStatus.CHECKED, processed_rows=dataset.height
    )
    sales_import.refresh_from_db()
    return sales_import


def sales_import_commit_request(
    *, sales_import: SalesImport, committed_by
) -> SalesImport:
    """Queue the import of a checked job's matched rows.

    Raise ValidationError if the user is not the uploader (or an
    administrator) or the dry run has not finished.
    """
    access.require(
        access.is_administrator(committed_by)
        or sales_import.uploaded_by_id == committed_by.pk,
        field="sales_import",
        message=_("只有上传人可以确认导入。"),
    )
    updated = SalesImport.objects.filter(
        pk=sales_import.pk, status=ImportStatus.CHECKED
    ).update(status=ImportStatus.COMMITTING, processed_rows=0)
    if not updated:
        raise ValidationError({"status": _("核对完成后才能确认导入。")})
    from trace.tasks import sales_import_commit_task

    transaction.on_commit(lambda: sales_import_commit_task.delay(sales_import.pk))
    sales_import.refresh_from_db()
    return sales_import


def sales_import_commit(*, sales_import_id: int) -> SalesImport:
    """Record a sale for every matched row not yet imported; safe to run twice.

    Each row's sale passes every rule of sale_record (released batch, active
    certification, what is left, the county's channel); a row refused now
    keeps the refusal as its message. An order number already recorded (by
    an earlier import of the same file) adds nothing.
    """
    sales_import = SalesImport.objects.select_related("uploaded_by").get(
        pk=sales_import_id
    )
    if sales_import.status != ImportStatus.COMMITTING:
        return sales_import
    rows = SalesImportRow.objects.filter(
        sales_import=sales_import, status=ImportRowStatus.MATCHED
    ).select_related("batch__origin")
    done = 0
    while chunk := list(rows[:COMMIT_CHUNK]):
        # One transaction a chunk (each row its own savepoint): a commit per
        # row would wait on the disk 100,000 times.
        with transaction.atomic():
            for row in chunk:
                _row_commit(row, sales_import)
            done += len(chunk)
            SalesImport.objects.filter(pk=sales_import.pk).update(processed_rows=done)
    SalesImport.objects.filter(pk=sales_import.pk).update(
        status=ImportStatus.DONE, processed_rows=done, committed_at=timezone.now()
    )
    sales_import.refresh_from_db()
    return sales_import


def _row_commit(row: SalesImportRow, sales_import: SalesImport) -> None:
    key = _source_key(sales_import.platform, row.order_number)
    values = row.values
    try:
        with transaction.atomic():
            if Sale.objects.filter(source=SaleSource.PLATFORM, source_key=key).exists():
                raise IntegrityError(key)
            row.sale = sale_save(
                batch=row.batch,
                recorded_by=sales_import.uploaded_by,
                buyer=(values.get("buyer") or sales_import.platform)[:128],
                channel=SaleChannel.ECOMMERCE,
                quantity=Decimal(values["quantity"]),
                unit=row.batch.unit,
                amount=Decimal(values["amount"]),
                sold_at=datetime.datetime.fromisoformat(values["sold_at"]),
                note=_("%(platform)s 订单 %(order)s")
                % {"platform": sales_import.platform, "order": row.order_number},
                source=SaleSource.PLATFORM,
                source_key=key,
            )
            row.status, row.message = ImportRowStatus.IMPORTED, ""
    except IntegrityError:
        row.status, row.message = ImportRowStatus.DUPLICATE, _("该订单已导入过。")
    except ValidationError as error:
        row.status = ImportRowStatus.INVALID
        row.message = "；".join(error.messages)[:255]
    row.save(update_fields=["status", "message", "sale"])
