"""Field settings and the evidence base shared by the trace models."""

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 3}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def private_upload_name(folder: str, filename: str) -> str:
    """Return a random name in `folder`: evidence must not be found by guessing."""
    return f"{folder}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


class StoredEvidence(models.Model):
    """What every private evidence file records besides the file itself."""

    content_type = models.CharField(_("内容类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True


class Transition(models.Model):
    """A recorded move of a row's status: why, who and when.

    Batches (BatchStatusChange), catalogue entries (CatalogueEntryStep) and
    the offices' submissions (reports.SubmissionTransition) record their
    moves with it; each adds the row that moved and its own `from_status`
    and `to_status`, whose choices are that row's statuses. Who and when are
    `actor` and `at`: two of the three already said `actor`; `at` renames as
    few columns as `occurred_at` would, all of them in trace (reports keeps
    its table as it is), and is not mistaken for TraceEvent.occurred_at, the
    time someone states an event happened, where this is when the move was
    recorded.
    """

    reason = models.TextField(_("原因"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统自动处理。"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        abstract = True
