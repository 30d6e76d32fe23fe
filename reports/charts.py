"""Server-rendered inline SVG bar charts: no scripts, no external assets."""

from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe


def bar_chart_svg(
    items: list[tuple[str, Decimal | int]], *, unit: str = "", label: str = ""
) -> SafeString:
    """Return a horizontal bar chart, one bar per (label, value), at any width."""
    row_height, label_width, bar_width, value_width = 28, 96, 190, 104
    width = label_width + bar_width + value_width
    height = max(len(items), 1) * row_height + 8
    top = max((float(value) for _, value in items), default=0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}" font-size="15">'
    ]
    if not items:
        parts.append(f'<text x="4" y="20" fill="#555">{escape("暂无数据")}</text>')
    for index, (name, value) in enumerate(items):
        y = 4 + index * row_height
        length = max(float(value) / top * bar_width, 1)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 18}" text-anchor="end" '
            f'fill="#1d2a1d">{escape(str(name))}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" '
            f'height="{row_height - 8}" fill="#2f6b2f" rx="3">'
            f"<title>{escape(str(name))}: {escape(str(value))}{escape(unit)}"
            "</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" fill="#1d2a1d">'
            f"{escape(_number(value))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def _number(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{value:,}"
