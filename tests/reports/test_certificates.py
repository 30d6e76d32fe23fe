"""承诺达标合格证 rules: which basis a batch's inspections support."""

import datetime

import pytest

from inspections.choices import InspectionKind, Verdict
from reports.certificates import (
    InspectionFact,
    allowed_bases,
    basis_errors,
    basis_normalize,
    batch_qr_url,
    certificate_number,
    retention_date,
    status_allows_certificate,
)
from reports.choices import CertificateBasis
from trace.choices import BatchStatus

SELF = CertificateBasis.SELF_CHECK
COMMISSIONED = CertificateBasis.COMMISSIONED_TEST
INTERNAL = CertificateBasis.INTERNAL_CONTROL


def fact(kind, verdict=Verdict.PASS, by_producer=False) -> InspectionFact:
    return InspectionFact(kind=kind, verdict=verdict, by_producer=by_producer)


def test_no_inspection_allows_only_internal_control():
    assert allowed_bases([]) == {INTERNAL}


def test_passing_self_check_allows_self_check():
    assert allowed_bases([fact(InspectionKind.SELF_CHECK, by_producer=True)]) == {
        SELF,
        INTERNAL,
    }


@pytest.mark.parametrize("kind", [InspectionKind.SPOT_CHECK, InspectionKind.LAB_TEST])
def test_passing_test_by_another_organisation_allows_commissioned_test(kind):
    assert allowed_bases([fact(kind)]) == {COMMISSIONED, INTERNAL}


def test_producers_own_spot_check_is_not_a_commissioned_test():
    assert allowed_bases([fact(InspectionKind.LAB_TEST, by_producer=True)]) == {
        INTERNAL
    }


@pytest.mark.parametrize("verdict", [Verdict.FAIL, Verdict.SUSPECT])
def test_failed_or_suspect_inspections_support_nothing(verdict):
    facts = [
        fact(InspectionKind.SELF_CHECK, verdict, by_producer=True),
        fact(InspectionKind.SPOT_CHECK, verdict),
    ]
    assert allowed_bases(facts) == {INTERNAL}


def test_unsupported_claims_get_chinese_messages():
    errors = basis_errors(requested=[SELF, COMMISSIONED, INTERNAL], allowed={INTERNAL})
    assert len(errors) == 2
    assert "自检" in errors[0] and "委托检测" in errors[1]
    assert basis_errors(requested=[], allowed={INTERNAL}) == [
        "请至少选择一项承诺依据。"
    ]
    assert "未知" in basis_errors(requested=["magic"], allowed={INTERNAL})[0]
    assert basis_errors(requested=[INTERNAL], allowed={INTERNAL}) == []


def test_bases_are_deduplicated_in_form_order():
    assert basis_normalize([INTERNAL, SELF, INTERNAL, COMMISSIONED]) == [
        COMMISSIONED,
        SELF,
        INTERNAL,
    ]


def test_retention_and_number():
    issued = datetime.date(2026, 11, 23)
    assert retention_date(issued_on=issued, days=730) == datetime.date(2028, 11, 22)
    assert (
        certificate_number(issued_on=issued, batch_id=42, sequence=3)
        == "HG20261123-000042-03"
    )


def test_qr_url_prefers_the_lots_digital_link():
    assert (
        batch_qr_url(
            base_url="https://s.cn/",
            gtin="6901234567892",
            lot="A/1",
            first_label_url="https://s.cn/t/X",
        )
        == "https://s.cn/01/06901234567892/10/A%2F1"
    )
    assert (
        batch_qr_url(base_url="https://s.cn", gtin=None, lot="A", first_label_url="u")
        == "u"
    )
    assert (
        batch_qr_url(base_url="https://s.cn", gtin="", lot="A", first_label_url=None)
        is None
    )


def test_held_and_recalled_batches_get_no_certificate():
    assert status_allows_certificate(BatchStatus.RELEASED)
    assert not status_allows_certificate(BatchStatus.DRAFT)
    assert not status_allows_certificate(BatchStatus.ON_HOLD)
    assert not status_allows_certificate(BatchStatus.RECALLED)
