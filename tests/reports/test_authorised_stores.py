"""邵东's 授权店 rules through the selectors, the annual review and the admin.

seeds/001_baf9327039a84779.txt: lines 3-5 (70 % local), 30-42 (奖惩机制).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from reports.models import AuthorisedStoreReview
from reports.selectors.campaign import authorised_store_figures
from reports.selectors.common import ReportFilters
from reports.services import authorised_store_review
from reports.tables import report_build
from tests.reports.factories import OutletFactory, SaleFactory, local
from trace.choices import OutletKind
from trace.services.batches import slow_selling_mark

YEAR = 2025  # a finished year: "全年" is judged once the year is over


@pytest.fixture
def store(world):
    """邵东's store: buys in 邵东 goods, sells them and 洞口 goods at retail."""
    shaodong = world.shaodong_village.parent.parent
    store = OutletFactory(
        name="邵东市消费扶贫授权店", kind=OutletKind.AUTHORISED_STORE, region=shaodong
    )
    # 授权店进货: the store is the buyer, not the seller.
    SaleFactory(
        batch=world.batch_b,
        buyer="邵东市消费扶贫授权店",
        buyer_outlet=store,
        amount=Decimal("50000"),
        sold_at=local(YEAR, 3, 1),
    )
    return store


def retail(store, batch, amount, month=6):
    return SaleFactory(
        batch=batch,
        buyer="门店散客",
        outlet=store,
        amount=Decimal(amount),
        sold_at=local(YEAR, month, 1),
    )


def figures(world, store):
    (row,) = authorised_store_figures(
        user=world.admin, filters=ReportFilters(), year=YEAR, stores=[store]
    )
    return row


def test_what_a_store_bought_in_is_not_its_sales(world, store):
    assert figures(world, store).annual_sales == 0
    retail(store, world.batch_b, "1200")
    assert figures(world, store).annual_sales == Decimal("1200")


def test_local_share_counts_goods_from_the_stores_county(world, store):
    retail(store, world.batch_b, "6999.99")  # 邵东 goods
    retail(store, world.batch_a, "3000.01")  # 洞口 goods: not local to 邵东
    row = figures(world, store)
    assert (row.annual_sales, row.local_sales) == (Decimal("10000"), Decimal("6999.99"))
    report = report_build(
        key="outlet_rewards", user=world.admin, filters=ReportFilters(year=YEAR)
    )
    (line,) = [line for line in report.rows if line[1] == store.name]
    assert line[7:9] == ["69.9%", "是"]  # 69.9999 % is short of 70 %


def test_only_sales_marked_slow_selling_in_their_period_count_for_the_reward(
    world, store
):
    shaodong = store.region
    slow_selling_mark(
        product_line=world.batch_b.product_line,
        region=shaodong,
        valid_from=datetime.date(YEAR, 5, 1),
        valid_until=datetime.date(YEAR, 7, 31),
        marked_by=world.admin,
    )
    retail(store, world.batch_b, "100000", month=6)  # marked, in the period
    retail(store, world.batch_b, "40000", month=9)  # same line, period over
    retail(store, world.batch_a, "20000", month=6)  # another line
    row = figures(world, store)
    assert row.slow_selling_sales == Decimal("100000")
    report = report_build(
        key="outlet_rewards", user=world.admin, filters=ReportFilters(year=YEAR)
    )
    (line,) = [line for line in report.rows if line[1] == store.name]
    assert line[5:7] == [Decimal("160000.00"), Decimal("100000.00")]
    assert line[10] == Decimal("1000.00")  # "销售金额达10万元的奖励 1000 元"


def test_a_mark_in_another_region_does_not_count(world, store):
    slow_selling_mark(
        product_line=world.batch_b.product_line,
        region=world.dongkou,  # the batch comes from 邵东
        valid_from=datetime.date(YEAR, 1, 1),
        valid_until=datetime.date(YEAR, 12, 31),
        marked_by=world.admin,
    )
    retail(store, world.batch_b, "5000")
    assert figures(world, store).slow_selling_sales == 0


@pytest.mark.parametrize(
    ("amount", "revoked"), [("99999", True), ("100000", False), ("100001", False)]
)
def test_annual_review_at_the_100000_boundary(world, store, amount, revoked):
    """seeds/001, lines 32-34 "10 万元以下…取消授权资格" vs 40-41 "达10万元的奖励"."""
    retail(store, world.batch_b, amount)
    review = authorised_store_review(outlet=store, year=YEAR, decided_by=world.admin)
    store.refresh_from_db()
    assert review.revoke is revoked
    assert review.annual_sales == Decimal(amount)
    assert (not store.is_authorised) is revoked
    if revoked:
        assert store.authorisation_revoked_on == datetime.date.today()
        assert "低于 10 万元" in store.authorisation_revoked_reason
        assert "seeds/001 第 32–34 行" in store.authorisation_revoked_reason
        assert store.history.count() >= 2  # the change is in the audit trail
    else:
        assert store.authorisation_revoked_reason == ""


def test_a_store_with_no_sales_all_year_is_revoked(world, store):
    review = authorised_store_review(outlet=store, year=YEAR, decided_by=world.admin)
    assert review.revoke and review.annual_sales == 0
    assert not review.local_share_short  # no sales, no share to judge


def test_the_review_refuses_an_unfinished_year_a_second_review_and_other_outlets(
    world, store
):
    this_year = datetime.date.today().year
    with pytest.raises(ValidationError) as raised:
        authorised_store_review(outlet=store, year=this_year, decided_by=world.admin)
    assert "year" in raised.value.message_dict
    authorised_store_review(outlet=store, year=YEAR, decided_by=world.admin)
    with pytest.raises(ValidationError):
        authorised_store_review(outlet=store, year=YEAR, decided_by=world.admin)
    cabinet = OutletFactory(kind=OutletKind.SMART_CABINET)
    with pytest.raises(ValidationError) as raised:
        authorised_store_review(outlet=cabinet, year=YEAR, decided_by=world.admin)
    assert "outlet" in raised.value.message_dict
    assert AuthorisedStoreReview.objects.count() == 1


def test_the_administrator_reviews_a_store_in_the_admin(world, store):
    retail(store, world.batch_a, "5000")
    client = Client()
    client.force_login(world.admin)
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    response = client.post(
        "/admin/reports/authorisedstorereview/add/",
        {"outlet": store.pk, "year": str(YEAR), "_save": "保存"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    review = AuthorisedStoreReview.objects.get()
    assert review.revoke and review.local_share_short
    assert review.decided_by == world.admin
    store.refresh_from_db()
    assert not store.is_authorised
    page = client.get("/admin/reports/authorisedstorereview/").content.decode()
    assert store.name in page
    report = report_build(
        key="outlet_rewards", user=world.admin, filters=ReportFilters(year=YEAR)
    )
    (line,) = [line for line in report.rows if line[1] == store.name]
    assert line[-1] == f"已取消（{datetime.date.today()}）"
    # A withdrawn store is not offered for review again.
    response = client.post(
        "/admin/reports/authorisedstorereview/add/",
        {"outlet": store.pk, "year": str(YEAR - 1), "_save": "保存"},
    )
    assert response.status_code == 200
    assert AuthorisedStoreReview.objects.count() == 1


def test_a_stores_retail_of_goods_it_bought_counts_once_on_every_form(world, store):
    """附件2 and 证明材料 summed 106,200 where the 统计表 counted 96,600 (issue 36)."""
    from trace.models import Sale

    Sale.objects.filter(buyer_outlet=store).update(amount=Decimal("96600"))
    retail(store, world.batch_b, "9600")
    filters = ReportFilters(region=world.shaodong_village.parent.parent, year=YEAR)

    def total(key: str, column: int) -> Decimal:
        report = report_build(key=key, user=world.admin, filters=filters)
        return sum(
            (Decimal(str(row[column]).replace(",", "")) for row in report.rows),
            Decimal(0),
        )

    assert total("sales_evidence", 5) == Decimal("96600")
    township = report_build(key="township_sales", user=world.admin, filters=filters)
    assert len(township.rows) == 1
    assert "96600" in str(township.rows[0]).replace(",", "")
    # The store's own retail is still its sales for the 授权店 review.
    assert figures(world, store).annual_sales == Decimal("9600")
