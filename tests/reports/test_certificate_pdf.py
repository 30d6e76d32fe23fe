"""The 合格证 PDF: its fields as text, its QR code decoded, both sizes."""

import subprocess
from decimal import Decimal

import pdfplumber
import pytest
from django.utils import timezone
from PIL import Image

from inspections.choices import InspectionKind
from inspections.services.inspections import inspection_sign
from labels.services import print_job_create
from reports.certificate_pdf import certificate_pdf
from reports.choices import CertificateBasis
from reports.selectors.certificates import print_job_sheet_notes
from reports.services import certificate_issue
from tests.conftest import require_tool
from tests.inspections.factories import record_inspection
from tests.labels.qr_decode import zbar_texts
from trace.models import Batch, ProductLine


def pdf_text(tmp_path, content: bytes) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        [require_tool("pdftotext"), "-layout", str(path), "-"],
        check=True,
        capture_output=True,
    )
    return result.stdout.decode("utf-8")


def qr_codes(tmp_path, content: bytes) -> list[str]:
    path = tmp_path / "qr.pdf"
    path.write_bytes(content)
    subprocess.run(
        [require_tool("pdftoppm"), "-r", "400", "-png", str(path), str(tmp_path / "p")],
        check=True,
    )
    [page] = sorted(tmp_path.glob("p*.png"))
    image = Image.open(page).convert("L")
    return zbar_texts(image)


@pytest.fixture
def gtin_batch(world, settings):
    settings.SUYUAN_PUBLIC_BASE_URL = "https://suyuan.example.cn"
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(
        gtin="06901234567892"
    )
    Batch.objects.filter(pk=world.batch_a.pk).update(quantity=Decimal("120.5"))
    world.batch_a.refresh_from_db()
    return world.batch_a


def signed_self_check(world):
    inspection = record_inspection(
        batch=world.batch_a, user=world.operator_a, kind=InspectionKind.SELF_CHECK
    )
    return inspection_sign(inspection=inspection, signed_by=world.operator_a)


@pytest.mark.parametrize("size", ["a6", "label"])
def test_pdf_carries_every_field(world, gtin_batch, tmp_path, size):
    signed_self_check(world)
    certificate = certificate_issue(
        batch=gtin_batch,
        issued_by=world.operator_a,
        basis=[CertificateBasis.SELF_CHECK, CertificateBasis.INTERNAL_CONTROL],
        contact="李经理 0739-7000000",
    )
    text = "".join(pdf_text(tmp_path, certificate_pdf(certificate, size=size)).split())
    for expected in (
        "承诺达标合格证",
        certificate.number,
        "古楼云雾茶",
        "120.5箱",
        "湖南省邵阳市洞口县古楼乡古楼村",
        "洞口县古楼茶业专业合作社",
        "李经理0739-7000000",
        f"{timezone.localdate():%Y年%m月%d日}",
        "我承诺对生产销售的食用农产品：",
        "■不使用禁限用农药兽药",
        "■不使用非法添加物",
        "■遵守农药安全间隔期、兽药休药期规定",
        "■销售的食用农产品符合农药兽药残留食品安全国家强制性标准",
        "□委托检测■自检■内部质量控制",
    ):
        assert expected in text


@pytest.mark.parametrize("size", ["a6", "label"])
def test_qr_code_opens_the_lots_public_page(world, gtin_batch, tmp_path, size):
    certificate = certificate_issue(batch=gtin_batch, issued_by=world.operator_a)
    assert qr_codes(tmp_path, certificate_pdf(certificate, size=size)) == [
        "https://suyuan.example.cn/01/06901234567892/10/GL2026A"
    ]


def test_without_gtin_the_qr_code_is_the_first_active_label(world, tmp_path):
    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=3,
        requested_by=world.operator_a,
        enqueue=False,
    )
    first = job.labels.order_by("id").first()
    certificate = certificate_issue(batch=world.batch_a, issued_by=world.operator_a)
    assert certificate.qr_url.endswith(f"/t/{first.serial}")
    assert qr_codes(tmp_path, certificate_pdf(certificate)) == [certificate.qr_url]


def test_without_gtin_or_label_the_certificate_says_so(world, tmp_path):
    certificate = certificate_issue(batch=world.batch_b, issued_by=world.operator_b)
    assert certificate.qr_url == ""
    content = certificate_pdf(certificate)
    assert qr_codes(tmp_path, content) == []
    text = pdf_text(tmp_path, content)
    assert "本批次暂无" in text and "追溯码" in text


@pytest.mark.parametrize("size", ["a6", "label"])
def test_serial_range_of_a_sheet_never_wraps_mid_serial(world, tmp_path, size):
    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=30,
        requested_by=world.operator_a,
        enqueue=False,
    )
    certificate = certificate_issue(batch=world.batch_a, issued_by=world.operator_a)
    notes = print_job_sheet_notes(print_job=job)
    lines = pdf_text(
        tmp_path, certificate_pdf(certificate, size=size, sheet_notes=notes)
    )
    words = set(lines.split())
    serials = list(job.labels.order_by("id").values_list("serial", flat=True))
    for first, last in ((serials[0], serials[23]), (serials[24], serials[29])):
        assert first in words and last in words  # each whole on one line


@pytest.mark.parametrize("size", ["a6", "label"])
def test_certificate_prints_as_the_paper_one(world, gtin_batch, tmp_path, size):
    Batch.objects.filter(pk=gtin_batch.pk).update(name="2026年春茶第一批")
    gtin_batch.refresh_from_db()
    certificate = certificate_issue(batch=gtin_batch, issued_by=world.operator_a)
    # 食用农产品名称 is the product's, not the batch's own name.
    assert certificate.product_name == "古楼云雾茶"
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate_pdf(certificate, size=size))
    with pdfplumber.open(path) as pdf:
        assert pdf.metadata["Title"] == f"承诺达标合格证 {certificate.number}"
        assert pdf.metadata["Author"] == "洞口县古楼茶业专业合作社"
        assert "古楼云雾茶" in pdf.metadata["Subject"]
        page = pdf.pages[0]
        lines = page.extract_text().splitlines()
        # The producer's name on one line, whole.
        assert any("洞口县古楼茶业专业合作社" in line for line in lines), lines
        # A frame around the text: one rectangle nearly the page's size.
        assert any(
            rect["width"] > page.width * 0.9 and rect["height"] > page.height * 0.9
            for rect in page.rects
        )
        # Room to sign: nothing printed within 3 lines below 生产者盖章或签名.
        words = page.extract_words()
        signature = next(
            word for word in words if word["text"].startswith("生产者盖章")
        )
        line_height = signature["bottom"] - signature["top"]
        below = [
            word
            for word in words
            if signature["bottom"] < word["top"] < signature["bottom"] + 3 * line_height
            and word["x0"] < page.width * 0.6
        ]
        assert below == []
