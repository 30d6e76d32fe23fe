import pytest

from labels.templates import TEMPLATES, Rect, layout, page_count, slot_rect

ALL = list(TEMPLATES.values())


@pytest.mark.parametrize("template", ALL, ids=lambda t: t.key)
def test_every_label_lies_inside_the_page(template):
    page = Rect(0, 0, template.page_width, template.page_height)
    for slot in range(template.per_page):
        assert page.contains(slot_rect(template, slot))


@pytest.mark.parametrize("template", ALL, ids=lambda t: t.key)
def test_every_drawing_lies_inside_the_printable_area(template):
    printable = Rect(0, 0, template.page_width, template.page_height).inset(
        template.printable_margin
    )
    for slot in range(template.per_page):
        assert printable.contains(slot_rect(template, slot).inset(template.padding)), (
            slot
        )


@pytest.mark.parametrize("template", ALL, ids=lambda t: t.key)
def test_labels_do_not_overlap(template):
    rects = [slot_rect(template, slot) for slot in range(template.per_page)]
    for index, a in enumerate(rects):
        for b in rects[index + 1 :]:
            assert (
                a.right <= b.x + 1e-6
                or b.right <= a.x + 1e-6
                or a.top <= b.y + 1e-6
                or b.top <= a.y + 1e-6
            )


def test_slots_run_row_by_row_from_the_top_left():
    template = TEMPLATES["a4-3x8"]
    first, second, fourth = (slot_rect(template, slot) for slot in (0, 1, 3))
    assert first.x == 0 and first.top == pytest.approx(297 - 0.5)
    assert second.x == pytest.approx(70) and second.y == first.y
    assert fourth.x == first.x and fourth.top == pytest.approx(first.y)


def test_start_position_skips_used_slots_on_the_first_sheet_only():
    template = TEMPLATES["a4-3x7"]
    placed = list(layout(template, count=25, start_position=5))
    assert placed[0][:2] == (0, 4)
    assert placed[0][2] == slot_rect(template, 4)
    assert [page for page, _, _ in placed].count(0) == 17
    assert placed[17][:2] == (1, 0)
    assert page_count(template, count=25, start_position=5) == 2
    assert page_count(template, count=17, start_position=5) == 1


def test_offsets_move_every_label_right_and_down():
    template = TEMPLATES["a4-2x4"]
    plain = list(layout(template, count=8))
    moved = list(layout(template, count=8, offset_x=1.5, offset_y=2.0))
    for (_, _, a), (_, _, b) in zip(plain, moved, strict=True):
        assert b.x == pytest.approx(a.x + 1.5)
        assert b.y == pytest.approx(a.y - 2.0)  # y axis points up in PDF
        assert (b.width, b.height) == (a.width, a.height)


def test_roll_has_one_label_per_page():
    template = TEMPLATES["roll-50x30"]
    assert [page for page, _, _ in layout(template, count=3)] == [0, 1, 2]
