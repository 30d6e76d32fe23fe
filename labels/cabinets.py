"""智能专柜 push: devices sign their requests; each transaction is one sale, once.

A cabinet (or its operator's server) posts its sales in batches, also the
ones it kept while offline. Every request carries the device's key id, a
Unix timestamp and an HMAC-SHA256 of timestamp, method, path and body under
the device's secret; a request older or newer than the replay window is
refused, and a transaction id already recorded adds nothing, so a batch
sent twice gives one sale per transaction.
"""

import hashlib
import hmac
import secrets
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from labels.choices import LabelStatus
from labels.models import CabinetDevice, LabelSale
from labels.selectors import label_find
from trace import access
from trace.choices import OutletKind, SaleChannel, SaleSource
from trace.models import Batch, Outlet, Sale
from trace.public_cache import batch_story_changed
from trace.services.events import sale_save

MAX_TRANSACTIONS = 500


class CabinetRefused(Exception):
    """The request is not a valid signed request of an active device."""


def cabinet_signature(
    *, secret: str, timestamp: str, method: str, path: str, body: bytes
) -> str:
    """Return the hex HMAC-SHA256 a device sends for a request."""
    message = "\n".join(
        [timestamp, method.upper(), path, hashlib.sha256(body).hexdigest()]
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def cabinet_request_verify(
    *,
    key_id: str,
    timestamp: str,
    signature: str,
    method: str,
    path: str,
    body: bytes,
    now: float | None = None,
) -> CabinetDevice:
    """Return the active device that signed the request, or raise CabinetRefused.

    The timestamp must lie within SUYUAN_CABINET_REPLAY_SECONDS of now, so
    a captured request cannot be replayed later; within the window a resent
    transaction is recognised by its id.
    """
    device = (
        CabinetDevice.objects.select_related("outlet")
        .filter(key_id=key_id, active=True)
        .first()
    )
    if device is None:
        raise CabinetRefused(_("设备未登记或已停用。"))
    try:
        moment = int(timestamp)
    except (TypeError, ValueError) as error:
        raise CabinetRefused(_("时间戳无效。")) from error
    window = settings.SUYUAN_CABINET_REPLAY_SECONDS
    if abs((time.time() if now is None else now) - moment) > window:
        raise CabinetRefused(_("请求时间超出允许范围，请校准设备时钟后重发。"))
    expected = cabinet_signature(
        secret=device.secret, timestamp=timestamp, method=method, path=path, body=body
    )
    if not hmac.compare_digest(expected, signature or ""):
        raise CabinetRefused(_("签名不正确。"))
    return device


def cabinet_device_issue(*, outlet: Outlet, key_id: str, created_by) -> CabinetDevice:
    """Issue a device key for a 专柜; the secret is returned once, on the row.

    Raise ValidationError if the user does not keep the office's registers
    or the outlet is no 专柜.
    """
    access.require(
        access.may_manage_register(created_by),
        field="outlet",
        message=_("只有扶贫办可以发放专柜设备密钥。"),
    )
    if outlet.kind != OutletKind.SMART_CABINET:
        raise ValidationError({"outlet": _("只有智能专柜可以发放设备密钥。")})
    device = CabinetDevice(
        outlet=outlet,
        key_id=key_id,
        secret=secrets.token_hex(32),
        created_by=created_by,
    )
    device.full_clean()
    device.save()
    return device


def cabinet_sales_push(
    *, device: CabinetDevice, transactions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Record each transaction of a signed batch as a sale at the device's 专柜.

    A transaction names the label the cabinet scanned (`serial`) or the
    batch (`batch`), with quantity, amount and time. Return, per
    transaction, `created` or `duplicate` with the sale's id, or `refused`
    with the errors in Chinese; one refused transaction does not stop the
    others.
    """
    if len(transactions) > MAX_TRANSACTIONS:
        raise ValidationError(
            {
                "transactions": _("每次最多上传 %(max)s 笔交易。")
                % {"max": MAX_TRANSACTIONS}
            }
        )
    return [_transaction_record(device, item) for item in transactions]


def _transaction_record(device: CabinetDevice, item: dict[str, Any]) -> dict:
    key = f"{device.key_id}:{item['id']}"
    result: dict[str, Any] = {"id": item["id"]}
    existing = (
        Sale.objects.filter(source=SaleSource.CABINET, source_key=key)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is not None:
        return result | {"status": "duplicate", "sale": existing}
    try:
        with transaction.atomic():
            label, batch = _goods_of(item)
            sale = sale_save(
                batch=batch,
                recorded_by=None,
                buyer=_("智能专柜顾客"),
                outlet=device.outlet,
                channel=SaleChannel.SMART_CABINET,
                quantity=Decimal(item["quantity"]),
                unit=batch.unit,
                amount=Decimal(item["amount"]),
                sold_at=item["sold_at"],
                note=_("专柜 %(device)s 交易 %(id)s")
                % {"device": device.key_id, "id": item["id"]},
                source=SaleSource.CABINET,
                source_key=key,
            )
            if label is not None:
                LabelSale.objects.create(label=label, sale=sale)
                # The label's page now says where it was sold.
                batch_story_changed(batch.pk)
    except IntegrityError:
        # The same transaction sent at once by two requests: the other won.
        sale_id = (
            Sale.objects.filter(source=SaleSource.CABINET, source_key=key)
            .values_list("pk", flat=True)
            .first()
        )
        if sale_id is None:
            return result | {
                "status": "refused",
                "errors": {"serial": [_("该标签已售出。")]},
            }
        return result | {"status": "duplicate", "sale": sale_id}
    except ValidationError as error:
        return result | {"status": "refused", "errors": error.message_dict}
    return result | {"status": "created", "sale": sale.pk}


def _goods_of(item: dict[str, Any]):
    """Return the label the cabinet scanned (or None) and the batch sold from."""
    if serial := item.get("serial"):
        label = label_find(serial=serial)
        if label is None or label.status == LabelStatus.VOID:
            raise ValidationError({"serial": _("标签不存在或已作废。")})
        if LabelSale.objects.filter(label=label).exists():
            raise ValidationError({"serial": _("该标签已售出。")})
        return label, label.batch
    batch = Batch.objects.filter(pk=item.get("batch")).first()
    if batch is None:
        raise ValidationError({"batch": _("请提供扫到的标签序列号或批次。")})
    return None, batch
