import pytest

from labels import codes, scans, selectors, services
from tests.factories import make_gtin13
from trace.choices import BatchStatus
from trace.models import Batch, ProductLine


@pytest.fixture
def job(world):
    return services.print_job_create(
        batch=world.batch_a, template="a4-3x8", count=3, requested_by=world.operator_a
    )


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "hello",
        "Z" * 20,
        "0" * 18 + "00",
        "https://evil.example/t/AAAA",
        "中文序列号",
        "A" * 1000,
    ],
)
def test_forged_and_garbage_serials_cost_no_query(db, typed, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.label_find(serial=typed) is None


def test_mistyped_serial_costs_no_query(job, django_assert_num_queries):
    serial = job.labels.first().serial
    replacement = "0" if serial[5] != "0" else "1"
    typo = serial[:5] + replacement + serial[6:]
    if codes.serial_is_valid(typo):  # 1 in 1024: the check cannot catch this one
        pytest.skip("this typo happens to carry a valid check")
    with django_assert_num_queries(0):
        assert selectors.label_find(serial=typo) is None


def test_valid_serial_is_found_with_one_query(job, django_assert_num_queries):
    serial = job.labels.first().serial
    with django_assert_num_queries(1):
        label = selectors.label_find(serial=codes.serial_display(serial).lower())
    assert label.serial == serial


def test_well_formed_unknown_serial_is_not_found(db):
    assert selectors.label_find(serial=codes.serial_new()) is None


def test_scopes(world, job):
    assert selectors.print_job_list_visible_to(user=world.operator_a).count() == 1
    assert selectors.print_job_list_visible_to(user=world.operator_b).count() == 0
    assert (
        selectors.print_job_list_visible_to(user=world.inspector).count() == 1
    )  # 洞口县 batch
    assert selectors.label_list_visible_to(user=world.operator_b).count() == 0
    assert selectors.label_list_visible_to(user=world.admin).count() == 3
    assert list(
        selectors.print_job_labels(print_job=job).values_list("sequence", flat=True)
    ) == [1, 2, 3]


def test_batch_label_summary_counts_labels_and_scans_per_city(
    job, world, django_assert_num_queries
):
    first, second, third = job.labels.order_by("sequence")
    scans.scan_record(label=first, client_address="10.0.0.1", city="长沙市")
    scans.scan_record(label=first, client_address="10.0.0.2", city="长沙市")
    scans.scan_record(label=second, client_address="10.0.0.3", city="邵阳市")
    services.labels_void(voided_by=world.operator_a, label=third, reason="破损")
    other = services.print_job_create(
        batch=world.batch_b, template="a4-3x8", count=1, requested_by=world.operator_b
    )
    scans.scan_record(label=other.labels.get(), client_address="10.0.0.4")
    with django_assert_num_queries(3):
        summary = selectors.batch_label_summary(batch=world.batch_a)
    assert summary["labels"] == {
        "printed": 3,
        "void": 1,
        "suspicious": 0,
        "scanned": 2,
        "scans": 3,
    }
    assert summary["scans_by_city"] == [
        {"city": "长沙市", "scans": 2, "labels": 1},
        {"city": "邵阳市", "scans": 1, "labels": 1},
    ]


@pytest.fixture
def gtin(world) -> str:
    gtin = "0" + make_gtin13()
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(gtin=gtin)
    return gtin


def test_batch_find_public_finds_a_lot_by_its_gtin_and_lot(world, gtin):
    assert selectors.batch_find_public(gtin=gtin, lot="GL2026A") == world.batch_a
    # A GTIN-13 names the same product as its zero-padded GTIN-14.
    assert selectors.batch_find_public(gtin=gtin[1:], lot="GL2026A") == world.batch_a


def test_batch_find_public_leaves_out_drafts_and_other_lots(world, gtin):
    assert selectors.batch_find_public(gtin=gtin, lot="gl2026a") is None  # GS1 case
    assert selectors.batch_find_public(gtin=gtin, lot="GL2026B") is None
    Batch.objects.filter(pk=world.batch_a.pk).update(status=BatchStatus.DRAFT)
    assert selectors.batch_find_public(gtin=gtin, lot="GL2026A") is None


@pytest.mark.parametrize(
    ("gtin", "lot"),
    [
        ("12345", "GL2026A"),
        ("06901234500012", "GL2026A"),  # wrong check digit
        ("06901234500011", "古楼2026"),  # not GS1's character set 82
        ("06901234500011", "GL\x002026"),
        ("06901234500011", "L" * 21),
    ],
)
def test_batch_find_public_of_a_malformed_key_costs_no_query(
    db, gtin, lot, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert selectors.batch_find_public(gtin=gtin, lot=lot) is None
