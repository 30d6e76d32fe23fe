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
