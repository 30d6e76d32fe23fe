"""Issuing 承诺达标合格证: basis checked against signed inspections, records kept."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspections.choices import InspectionKind
from inspections.services.inspections import inspection_sign
from reports.choices import CertificateBasis
from reports.models import Certificate
from reports.services import certificate_issue
from tests.inspections.factories import quantitative, record_inspection
from trace.choices import BatchStatus
from trace.models import Batch

SELF = CertificateBasis.SELF_CHECK
COMMISSIONED = CertificateBasis.COMMISSIONED_TEST
INTERNAL = CertificateBasis.INTERNAL_CONTROL


def signed(world, user, kind, **fields):
    inspection = record_inspection(batch=world.batch_a, user=user, kind=kind, **fields)
    return inspection_sign(inspection=inspection, signed_by=user)


def test_without_passing_inspection_only_internal_control(world):
    for basis in ([SELF], [COMMISSIONED]):
        with pytest.raises(ValidationError) as error:
            certificate_issue(
                batch=world.batch_a, issued_by=world.operator_a, basis=basis
            )
        assert "basis" in error.value.message_dict
    certificate = certificate_issue(
        batch=world.batch_a, issued_by=world.operator_a, basis=[INTERNAL]
    )
    assert certificate.basis == [INTERNAL]


def test_passing_self_check_allows_self_check_not_commissioned(world):
    signed(world, world.operator_a, InspectionKind.SELF_CHECK)
    certificate = certificate_issue(
        batch=world.batch_a, issued_by=world.operator_a, basis=[SELF]
    )
    assert certificate.basis == [SELF]
    with pytest.raises(ValidationError):
        certificate_issue(
            batch=world.batch_a, issued_by=world.operator_a, basis=[COMMISSIONED]
        )


def test_unsigned_self_check_does_not_count(world):
    record_inspection(
        batch=world.batch_a, user=world.operator_a, kind=InspectionKind.SELF_CHECK
    )
    with pytest.raises(ValidationError):
        certificate_issue(batch=world.batch_a, issued_by=world.operator_a, basis=[SELF])


def test_inspectors_passing_spot_check_allows_commissioned_test(world):
    signed(world, world.inspector, InspectionKind.SPOT_CHECK)
    certificate = certificate_issue(batch=world.batch_a, issued_by=world.operator_a)
    assert certificate.basis == [COMMISSIONED, INTERNAL]


def test_failed_spot_check_puts_batch_on_hold_and_refuses_certificates(world):
    signed(
        world,
        world.inspector,
        InspectionKind.SPOT_CHECK,
        items=[quantitative("2.0", limit="1.0")],
    )
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.ON_HOLD
    with pytest.raises(ValidationError) as error:
        certificate_issue(batch=world.batch_a, issued_by=world.operator_a)
    assert "batch" in error.value.message_dict


def test_record_keeps_number_retention_and_pdfs(world, settings):
    settings.SUYUAN_CERTIFICATE_RETENTION_DAYS = 365
    first = certificate_issue(batch=world.batch_a, issued_by=world.operator_a)
    second = certificate_issue(batch=world.batch_a, issued_by=world.operator_a)
    assert first.number != second.number
    assert second.number.endswith("-02")
    assert first.retained_until == timezone.localdate(
        first.issued_at
    ) + datetime.timedelta(days=365)
    assert first.pdf.read().startswith(b"%PDF")
    assert first.label_pdf.read().startswith(b"%PDF")
    assert first.issuing_entity == world.producer_a.name
    assert first.contact == "李经理 0739-7000000"


def test_default_retention_is_730_days(world):
    certificate = certificate_issue(batch=world.batch_a, issued_by=world.admin)
    assert certificate.retained_until - timezone.localdate(certificate.issued_at) == (
        datetime.timedelta(days=730)
    )


def test_only_own_operator_or_admin_issues(world):
    for user in (world.operator_b, world.inspector):
        with pytest.raises(ValidationError):
            certificate_issue(batch=world.batch_a, issued_by=user)
    assert not Certificate.objects.exists()


def test_only_a_released_batch_gets_a_certificate(world):
    for status in (BatchStatus.DRAFT, BatchStatus.ON_HOLD, BatchStatus.RECALLED):
        Batch.objects.filter(pk=world.batch_a.pk).update(status=status)
        world.batch_a.refresh_from_db()
        with pytest.raises(ValidationError) as raised:
            certificate_issue(batch=world.batch_a, issued_by=world.operator_a)
        assert "已放行" in str(raised.value)
    assert not Certificate.objects.exists()
