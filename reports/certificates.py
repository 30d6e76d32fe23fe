"""承诺达标合格证 rules: pure functions, no database.

What a producer may claim as the basis (承诺依据) of its commitment depends on
the batch's signed, current inspections:
- 自检 needs a passing self check;
- 委托检测 needs a passing spot check or lab test by another organisation
  (an inspector's, not the producer's own staff);
- 内部质量控制 (the producer's own quality-control system) is always allowed.
Only a batch that vouches for its produce
(trace.selectors.batches.batch_vouches: released) gets a certificate: a draft
is not yet for sale and a batch on hold or recalled may not be sold.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from inspections.choices import InspectionKind, Verdict
from labels.codes import lot_url
from reports.choices import CertificateBasis
from trace.selectors.batches import VOUCHING_STATUSES, batch_vouches

COMMITMENT_INTRO = "我承诺对生产销售的食用农产品："
COMMITMENTS = (
    "不使用禁限用农药兽药",
    "不使用非法添加物",
    "遵守农药安全间隔期、兽药休药期规定",
    "销售的食用农产品符合农药兽药残留食品安全国家强制性标准",
)
# Kinds of tests another organisation performs for the producer.
COMMISSIONED_KINDS = (InspectionKind.SPOT_CHECK, InspectionKind.LAB_TEST)
# The certificate accompanies produce put on sale (承诺达标合格证: 上市销售时出具).
CERTIFIABLE_STATUSES = VOUCHING_STATUSES


@dataclass(frozen=True)
class InspectionFact:
    """What the basis rules need to know about one signed, current inspection."""

    kind: str
    verdict: str
    by_producer: bool


def allowed_bases(facts: Iterable[InspectionFact]) -> set[str]:
    """Return the bases the batch's inspections support."""
    allowed = {CertificateBasis.INTERNAL_CONTROL.value}
    for fact in facts:
        if fact.verdict != Verdict.PASS:
            continue
        if fact.kind == InspectionKind.SELF_CHECK:
            allowed.add(CertificateBasis.SELF_CHECK.value)
        elif fact.kind in COMMISSIONED_KINDS and not fact.by_producer:
            allowed.add(CertificateBasis.COMMISSIONED_TEST.value)
    return allowed


def basis_errors(*, requested: Iterable[str], allowed: set[str]) -> list[str]:
    """Return a Chinese message for each basis that may not be claimed."""
    requested = list(requested)
    if not requested:
        return [_("请至少选择一项承诺依据。")]
    errors = []
    labels = dict(CertificateBasis.choices)
    for basis in requested:
        if basis not in labels:
            errors.append(_("未知的承诺依据：%(basis)s。") % {"basis": basis})
        elif basis not in allowed:
            reason = (
                _("本批次没有已签字的合格自检记录。")
                if basis == CertificateBasis.SELF_CHECK
                else _("本批次没有其他单位已签字的合格抽检或实验室检测记录。")
            )
            errors.append(
                _("不能勾选“%(label)s”：%(reason)s")
                % {"label": labels[basis], "reason": reason}
            )
    return errors


def basis_normalize(requested: Iterable[str]) -> list[str]:
    """Return the bases without duplicates, in the form's order."""
    wanted = set(requested)
    return [value for value in CertificateBasis.values if value in wanted]


def status_allows_certificate(status: str) -> bool:
    return batch_vouches(status=status)


def certificate_number(
    *, issued_on: datetime.date, batch_id: int, sequence: int
) -> str:
    """Return e.g. HG20261123-000042-01: date, batch, n-th issuance of the batch."""
    return f"HG{issued_on:%Y%m%d}-{batch_id:06d}-{sequence:02d}"


def retention_date(*, issued_on: datetime.date, days: int) -> datetime.date:
    """Return the date until which the certificate must be kept."""
    return issued_on + datetime.timedelta(days=days)


def batch_qr_url(
    *, base_url: str, gtin: str | None, lot: str, first_label_url: str | None
) -> str | None:
    """Return the URL of the batch's public page for the certificate's QR code.

    With a GTIN, the lot's Digital Link; without, lot codes are not unique
    across product lines, so only a label of the batch names its page; no
    active label means no code (the certificate says so instead).
    """
    if gtin:
        return lot_url(gtin=gtin, lot=lot, base_url=base_url)
    return first_label_url or None
