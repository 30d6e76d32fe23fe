"""Label-sheet templates as data, and the one layout function that places labels.

Sizes are millimetres, measured from the top-left corner of the page as label
stationers publish them (the A4 sheets below match common die-cut stock:
3 x 8 70 x 37, 3 x 7 63.5 x 38.1 "L7160", 4 x 10 48.5 x 25.4, 2 x 4 99.1 x 67.7
"L7165"). `printable_margin_mm` is the strip at the page edge that the printer
cannot print (office lasers about 4 mm, thermal roll printers about 1 mm);
`padding_mm` keeps the drawing off each label's die-cut edge.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

A4 = (210.0, 297.0)


@dataclass(frozen=True)
class LabelTemplate:
    """One kind of label stock: page, grid and label geometry in mm."""

    key: str
    name: str
    page_width: float
    page_height: float
    margin_top: float
    margin_left: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    gap_x: float = 0.0
    gap_y: float = 0.0
    padding: float = 2.0
    printable_margin: float = 4.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


@dataclass(frozen=True)
class Rect:
    """A rectangle in mm, origin at the page's bottom-left (PDF's y-up axes)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y + self.height

    def inset(self, by: float) -> "Rect":
        return Rect(self.x + by, self.y + by, self.width - 2 * by, self.height - 2 * by)

    def moved(self, dx: float, dy: float) -> "Rect":
        return Rect(self.x + dx, self.y + dy, self.width, self.height)

    def contains(self, other: "Rect", tolerance: float = 1e-6) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.top <= self.top + tolerance
        )


TEMPLATES: dict[str, LabelTemplate] = {
    template.key: template
    for template in (
        LabelTemplate(
            key="a4-3x8",
            name=_("A4 3×8（70×37 毫米，24 枚）"),
            page_width=A4[0],
            page_height=A4[1],
            margin_top=0.5,
            margin_left=0.0,
            columns=3,
            rows=8,
            label_width=70.0,
            label_height=37.0,
            padding=4.0,
        ),
        LabelTemplate(
            key="a4-3x7",
            name=_("A4 3×7（63.5×38.1 毫米，21 枚）"),
            page_width=A4[0],
            page_height=A4[1],
            margin_top=15.15,
            margin_left=7.21,
            columns=3,
            rows=7,
            label_width=63.5,
            label_height=38.1,
            gap_x=2.54,
            padding=2.5,
        ),
        LabelTemplate(
            key="a4-4x10",
            name=_("A4 4×10 小标签（48.5×25.4 毫米，40 枚）"),
            page_width=A4[0],
            page_height=A4[1],
            margin_top=21.5,
            margin_left=8.0,
            columns=4,
            rows=10,
            label_width=48.5,
            label_height=25.4,
            padding=1.5,
        ),
        LabelTemplate(
            key="a4-2x4",
            name=_("A4 2×4 大标签（99.1×67.7 毫米，8 枚）"),
            page_width=A4[0],
            page_height=A4[1],
            margin_top=13.1,
            margin_left=4.65,
            columns=2,
            rows=4,
            label_width=99.1,
            label_height=67.7,
            gap_x=2.5,
            padding=4.0,
        ),
        LabelTemplate(
            key="roll-50x30",
            name=_("卷筒单标签（50×30 毫米，热敏打印机）"),
            page_width=50.0,
            page_height=30.0,
            margin_top=0.0,
            margin_left=0.0,
            columns=1,
            rows=1,
            label_width=50.0,
            label_height=30.0,
            padding=1.5,
            printable_margin=1.0,
        ),
    )
}
DEFAULT_TEMPLATE = "a4-3x8"

# What a GTIN label's QR code carries (labels.codes.label_url). The compressed
# GS1 Digital Link (GS1 Digital Link 1.1, section 7) is one base64 segment,
# about 11 characters shorter, but mixed case: QR encoders must write it in
# byte mode, so its symbol is no smaller than the upper-case uncompressed URI
# in alphanumeric mode (bench/BENCHMARKS.md). Both resolve alike.
LINK_FORMS = {
    "uncompressed": _("GS1 数字链接（标准，推荐）"),
    "compressed": _("GS1 数字链接（压缩）"),
}
DEFAULT_LINK_FORM = "uncompressed"


def template_choices() -> list[tuple[str, str]]:
    return [(key, template.name) for key, template in TEMPLATES.items()]


def link_form_choices() -> list[tuple[str, str]]:
    return list(LINK_FORMS.items())


def template_get(key: str) -> LabelTemplate:
    """Return the template for a key; raise KeyError for an unknown one."""
    return TEMPLATES[key]


def slot_rect(
    template: LabelTemplate, slot: int, *, offset_x: float = 0.0, offset_y: float = 0.0
) -> Rect:
    """Return the rectangle of label slot `slot` (0-based, row by row).

    Calibration offsets move everything printed: positive `offset_x` to the
    right, positive `offset_y` down the page (as a ruler laid on the sheet
    from the top reads it).
    """
    row, column = divmod(slot, template.columns)
    left = template.margin_left + column * (template.label_width + template.gap_x)
    top = template.margin_top + row * (template.label_height + template.gap_y)
    return Rect(
        left + offset_x,
        template.page_height - top - template.label_height - offset_y,
        template.label_width,
        template.label_height,
    )


def layout(
    template: LabelTemplate,
    *,
    count: int,
    start_position: int = 1,
    offset_x: float = 0.0,
    offset_y: float = 0.0,
) -> Iterator[tuple[int, int, Rect]]:
    """Yield (page index, slot, rectangle) for each of `count` labels in order.

    `start_position` is 1-based: the first label goes to that slot of the
    first sheet (a partly used sheet), later sheets start at slot 1.
    """
    per_page = template.per_page
    for index in range(count):
        position = start_position - 1 + index
        page, slot = divmod(position, per_page)
        yield (
            page,
            slot,
            slot_rect(template, slot, offset_x=offset_x, offset_y=offset_y),
        )


def page_count(template: LabelTemplate, *, count: int, start_position: int = 1) -> int:
    return (start_position - 1 + count + template.per_page - 1) // template.per_page
