import io
import re
import subprocess
from html.parser import HTMLParser

import pdfplumber
import pytest

from labels.rendering import CID_FONT, text_font
from reports.form_pdf import form_pdf
from reports.forms import FORMS
from reports.selectors.common import ReportFilters
from reports.tables import report_build
from tests.conftest import missing, require_tool
from trace.models import UserRole


class Words(HTMLParser):
    """Collect the page sizes and word boxes of `pdftotext -bbox`."""

    def __init__(self):
        super().__init__()
        self.pages, self.words = [], []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "page":
            self.pages.append((float(values["width"]), float(values["height"])))
        if tag == "word":
            self.words.append((float(values["xmin"]), float(values["xmax"])))


def pdf_text(content: bytes, *options: str) -> str:
    return subprocess.run(
        [require_tool("pdftotext"), *options, "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    ).stdout.decode()


@pytest.mark.parametrize("key", sorted(FORMS))
def test_every_form_fits_one_landscape_page_wide_and_its_headers_extract(sales, key):
    admin = sales.world.admin
    UserRole.objects.filter(user=admin).update(real_name="张办公", phone="0739-1234567")
    admin = type(admin).objects.get(pk=admin.pk)
    report = report_build(
        key=key, user=admin, filters=ReportFilters(region=sales.world.dongkou)
    )
    content = form_pdf(report.as_data())

    boxes = Words()
    boxes.feed(pdf_text(content, "-bbox"))
    assert boxes.pages and all(width > height for width, height in boxes.pages)
    page_width = boxes.pages[0][0]
    assert boxes.words
    assert all(0 < left and right < page_width for left, right in boxes.words)
    text = re.sub(r"\s+", "", pdf_text(content, "-raw"))
    for column in report.spec.columns:
        assert re.sub(r"\s+", "", column) in text, column
    assert report.title.replace(" ", "") in text
    if "供货联系人姓名" in report.spec.header_fields:
        # 附件2/附件3 name the township's supply contact (none for a county),
        # not the person filling in.
        assert "供货联系人姓名：" in text and "张办公" not in text
    else:
        assert "张办公" in text and "0739-1234567" in text
    assert "（盖章）" in text and "填报单位（盖章）" in text


def test_the_form_font_is_embedded_or_falls_back_to_the_cid_font(settings, tmp_path):
    pdffonts = require_tool("pdffonts")
    data = {
        "key": "x",
        "title": "测试表",
        "columns": ["序号", "名称"],
        "rows": [[1, "雪峰蜜橘"]],
    }
    settings.SUYUAN_LABEL_FONT = str(tmp_path / "missing.ttf")
    assert text_font() == CID_FONT
    settings.SUYUAN_LABEL_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    if text_font() == CID_FONT:
        missing("fonts-wqy-microhei is not installed (Debian: see .ci/run)")
    source = tmp_path / "form.pdf"
    source.write_bytes(form_pdf(data))
    fonts = subprocess.run(
        [pdffonts, str(source)], capture_output=True, check=True
    ).stdout.decode()
    assert "WenQuanYi" in fonts
    line = next(row for row in fonts.splitlines() if "WenQuanYi" in row)
    assert line.split()[-5] == "yes"  # emb


def test_a_long_form_repeats_its_header_on_every_page():
    data = {
        "key": "township_sales",
        "title": "乡镇（街道）贫困户产品销售情况表",
        "columns": ["序号", "采购单位", "销售金额"],
        "money_columns": ["销售金额"],
        "rows": [[n, "洞口县第一中学食堂", "1234.50"] for n in range(1, 120)],
    }
    pages = pdf_text(form_pdf(data), "-raw").split("\f")
    pages = [page for page in pages if "洞口县第一中学食堂" in page]
    assert len(pages) > 1
    assert all("序号采购单位销售金额" in page.replace(" ", "") for page in pages)
    assert "1234.5元" in pages[0]  # as seed 004 附件2 prints money: 90元


def test_a_form_pdf_names_its_office_and_subject(sales):
    report = report_build(
        key="township_sales", user=sales.world.inspector, filters=ReportFilters()
    )
    with pdfplumber.open(io.BytesIO(form_pdf(report.as_data()))) as document:
        metadata = document.metadata
    assert metadata["Title"] == "乡镇（街道）贫困户产品销售情况表"
    assert metadata["Author"] == "洞口县"  # the 填报单位, not "anonymous"
    assert metadata["Subject"].startswith("乡镇（街道）贫困户产品销售情况表")
