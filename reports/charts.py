"""Server-rendered inline SVG bar charts: no scripts, no external assets."""

import unicodedata
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from inspections.choices import Verdict

BAR_COLOUR = "#2f6b2f"
# Pass, suspect and fail told apart by colour as well as by name and value
# (dark enough on white for WCAG AA contrast of the bars' value text).
VERDICT_COLOURS = {
    Verdict.PASS: "#2f6b2f",
    Verdict.SUSPECT: "#b45309",
    Verdict.FAIL: "#b42318",
}
FONT_SIZE = 15


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimate the width of text: CJK characters are square, Latin about half."""
    return sum(
        size if unicodedata.east_asian_width(character) in "WF" else size * 0.6
        for character in text
    )


def bar_chart_svg(
    items: list[tuple[str, Decimal | int]],
    *,
    unit: str = "",
    label: str = "",
    colours: list[str] | None = None,
) -> SafeString:
    """Return a horizontal bar chart, one bar per (label, value), at any width.

    The label column is as wide as the longest label, so none is cut off;
    each bar says its value in text beside it, and `colours` (one per item)
    tells outcomes apart.
    """
    row_height, bar_width, value_width = 28, 190, 104
    label_width = max([96.0] + [_text_width(str(name)) + 12 for name, _value in items])
    width = label_width + bar_width + value_width
    height = max(len(items), 1) * row_height + 8
    top = max((float(value) for _, value in items), default=0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width:g} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}" font-size="{FONT_SIZE}">'
    ]
    if not items:
        parts.append(f'<text x="4" y="20" fill="#555">{escape("暂无数据")}</text>')
    for index, (name, value) in enumerate(items):
        y = 4 + index * row_height
        length = max(float(value) / top * bar_width, 1)
        colour = colours[index] if colours else BAR_COLOUR
        parts.append(
            f'<text x="{label_width - 6:g}" y="{y + 18}" text-anchor="end" '
            f'fill="#1d2a1d">{escape(str(name))}</text>'
            f'<rect x="{label_width:g}" y="{y + 4}" width="{length:.1f}" '
            f'height="{row_height - 8}" fill="{escape(colour)}" rx="3">'
            f"<title>{escape(str(name))}: {escape(_with_unit(value, unit))}"
            "</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" fill="#1d2a1d">'
            f"{escape(_with_unit(value, unit))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def _with_unit(value, unit: str) -> str:
    """Return a value as the dashboard's figures print it: 21,600.00 元."""
    return f"{_number(value)} {unit}" if unit else _number(value)


def _number(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{value:,}"
