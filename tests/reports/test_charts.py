import re
from decimal import Decimal

from reports.charts import bar_chart_svg


def test_bar_chart_escapes_labels_and_scales_bars():
    svg = bar_chart_svg(
        [("<b>洞口</b>", Decimal("100")), ("邵东", Decimal("50"))], unit="元"
    )
    assert svg.startswith("<svg") and "<b>" not in svg and "&lt;b&gt;" in svg
    assert 'width="190.0"' in svg and 'width="95.0"' in svg


def test_empty_chart_says_so():
    assert "暂无数据" in bar_chart_svg([])


def test_long_labels_widen_the_label_column_instead_of_being_cut():
    svg = bar_chart_svg([("可疑（待复检）", 2), ("合格", 3)])
    anchor = float(re.search(r'<text x="([\d.]+)" [^>]*text-anchor="end"', svg)[1])
    assert anchor >= 7 * 15  # seven full-width characters at 15 px fit left of it


def test_bars_take_the_colours_given():
    svg = bar_chart_svg([("合格", 3), ("不合格", 1)], colours=["#2f6b2f", "#b42318"])
    assert re.findall(r'<rect [^>]*fill="([^"]+)"', svg) == ["#2f6b2f", "#b42318"]
