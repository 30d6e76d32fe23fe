"""The administrators' dashboard at /reports/dashboard/."""

import re

import pytest

from inspections.services.inspections import inspection_sign
from tests.inspections.factories import enzyme, quantitative, record_inspection

pytestmark = pytest.mark.django_db

URL = "/reports/dashboard/"


def test_dashboard_renders_for_administrators(sales, client):
    client.force_login(sales.world.admin)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "洞口县" in html and "2026-09" in html
    assert (
        'data-panel="inspections"' in html and 'data-panel="suspicious_labels"' in html
    )
    # No external assets: the workbench's own optional script at most.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/workbench/workbench.js" defer>'
    ]
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_dashboard_money_is_written_one_way_and_every_export_in_every_format(
    sales, client
):
    client.force_login(sales.world.admin)
    html = client.get(URL).content.decode()
    amounts = re.findall(r"[0-9][0-9,]*\.[0-9]{2}\s*元", html)
    assert "2,345.50 元" in amounts  # the figure and the charts alike
    assert all(re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2} 元", a) for a in amounts)
    exports = html.split('id="exports"')[1]
    for key in re.findall(r"/api/v1/reports/([a-z_-]+)/\?format=", exports):
        for format_ in ("xlsx", "csv", "pdf"):
            assert f"/api/v1/reports/{key}/?format={format_}" in exports, key
    response = client.get("/api/v1/reports/outlet-rewards/?format=pdf")
    assert response.status_code == 200, response.content[:200]


def test_dashboard_has_the_workbench_header_navigation_and_sign_out(sales, client):
    client.force_login(sales.world.admin)
    html = client.get(URL).content.decode()
    header = html[html.index('<header class="bar">') : html.index("</header>")]
    assert 'href="/w/"' in header and 'href="/admin/"' in header
    assert 'href="/reports/dashboard/"' in header
    assert 'action="/logout/"' in header and "退出" in header


def _bars(svg: str) -> dict[str, tuple[str, str]]:
    """Return each bar's label -> (fill colour, value text beside it)."""
    rows = re.findall(
        r'text-anchor="end" fill="#1d2a1d">([^<]+)</text>'
        r'<rect [^>]*fill="([^"]+)"[^>]*>.*?</rect>'
        r"<text [^>]*>([^<]+)</text>",
        svg,
    )
    return {name: (fill, value) for name, fill, value in rows}


def test_inspection_bars_differ_in_colour_and_say_their_value(world, client):
    for item, count in (
        (quantitative("0.1"), 3),
        (enzyme(62), 2),
        (quantitative(9), 1),
    ):
        for _ in range(count):
            inspection = record_inspection(
                batch=world.batch_a, user=world.inspector, items=[item]
            )
            inspection_sign(inspection=inspection, signed_by=world.inspector)
    client.force_login(world.admin)
    html = client.get(URL).content.decode()
    panel = html[html.index('data-panel="inspections"') :]
    bars = _bars(panel[: panel.index("</svg>")])
    assert bars["合格"][1] == "3" and bars["不合格"][1] == "1"
    assert bars["可疑（待复检）"][1] == "2"
    assert len({fill for fill, _value in bars.values()}) == 3


def test_campaign_table_link_names_the_year_of_its_file(sales, client):
    client.force_login(sales.world.admin)
    html = client.get(URL, {"from": "2026-09-01", "to": "2026-10-31"}).content.decode()
    exports = html[html.index('id="exports"') :]
    assert "2026年消费扶贫月活动开展情况统计表" in exports
    assert "2020年" not in exports
    response = client.get(
        "/api/v1/reports/campaign_statistics/",
        {"format": "csv", "from": "2026-09-01", "to": "2026-10-31"},
    )
    title = response.content.decode("utf-8-sig").splitlines()[0]
    assert "2026年消费扶贫月活动开展情况统计表" in title


def test_admin_index_links_to_dashboard_and_exports(world, client):
    client.force_login(world.admin)
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    html = client.get("/admin/").content.decode()
    assert 'href="/reports/dashboard/"' in html
    assert 'href="/reports/dashboard/#exports"' in html


def test_dashboard_filters(sales, client):
    client.force_login(sales.world.admin)
    response = client.get(
        URL,
        {
            "region": sales.world.shaodong_village.pk,
            "from": "2026-10-01",
            "to": "2026-10-31",
        },
    )
    assert response.status_code == 200
    assert response.context["data"]["sales_per_region"] == [
        ("邵东市", sales.sale_b.amount)
    ]
    assert "region=" in response.context["query"]


def test_dashboard_shows_filter_errors(world, client):
    client.force_login(world.admin)
    response = client.get(URL, {"from": "2026-02-30"})
    assert response.status_code == 200
    assert "日期格式应为" in response.content.decode()


@pytest.mark.parametrize("who", ["operator_a", "operator_b", "inspector"])
def test_dashboard_is_404_for_others(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 404


def test_dashboard_redirects_anonymous_to_login(db, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_dashboard_lists_missing_and_overdue_submissions(cycle, client):
    from reports.submissions import submission_create, submission_submit

    informant = cycle.users["informant_v1"]
    submission_submit(
        submission=submission_create(
            period=cycle.monthly, region=cycle.village_1, created_by=informant
        ),
        user=informant,
    )
    client.force_login(cycle.users["admin"])
    html = client.get(URL).content.decode()
    row = html.split(f'data-period="{cycle.monthly.pk}"')[1].split("</li>")[0]
    assert "待审核 古楼村" in row
    assert "逾期</strong> 茶铺村、醪田村" in row  # due 2026-09-29
    assert "?format=pdf" in html


@pytest.fixture
def two_counties(cycle):
    """The cycle's 洞口县 (5,100 yuan sold) and 邵东市 beside it (700 yuan)."""
    from decimal import Decimal

    from tests.factories import (
        BatchFactory,
        ProducerFactory,
        ProductLineFactory,
        RegionFactory,
    )
    from tests.reports.factories import SaleFactory, local
    from trace.choices import RegionLevel

    shaodong = RegionFactory(
        name="邵东市", level=RegionLevel.COUNTY, parent=cycle.city, code="430582"
    )
    village = RegionFactory(
        name="廉桥村",
        level=RegionLevel.VILLAGE,
        parent=RegionFactory(name="廉桥镇", level=RegionLevel.TOWN, parent=shaodong),
    )
    batch = BatchFactory(
        producer=ProducerFactory(name="邵东市廉桥药材合作社", region=village),
        product_line=ProductLineFactory(name="廉桥玉竹", unit="袋"),
        origin=village,
    )
    SaleFactory(batch=batch, amount=Decimal("700.00"), sold_at=local(2026, 9, 12))
    return cycle, shaodong


def _total(html: str) -> str:
    return re.search(r"销售扶贫产品<b>([^<]+)</b>", html).group(1)


def test_each_office_sees_its_own_region(two_counties, client):
    cycle, shaodong = two_counties
    client.force_login(cycle.users["office_county"])
    html = client.get(URL).content.decode()
    assert _total(html) == "5,100.00 元"
    assert "邵东市" not in html  # neither in the figures nor in the region list
    header = html[html.index('<header class="bar">') : html.index("</header>")]
    assert 'href="/reports/dashboard/"' in header and "/admin/" not in header
    assert "/api/v1/reports/township_sales/?format=xlsx" in html
    assert "本单位辖区（洞口县）" in html
    # No link to what the office would get a 404 for (inspectors' rewards form).
    assert "/api/v1/reports/outlet-rewards/" not in html

    # Another county, asked for by id, is no region at all for it.
    outside = client.get(URL, {"region": shaodong.pk}).content.decode()
    assert "没有这个地区" in outside and _total(outside) == "5,100.00 元"

    client.force_login(cycle.users["office_city"])
    html = client.get(URL).content.decode()
    assert _total(html) == "5,800.00 元"
    assert "邵东市" in html and "洞口县" in html
    narrowed = client.get(URL, {"region": shaodong.pk}).content.decode()
    assert _total(narrowed) == "700.00 元"


def test_the_office_exports_are_its_own_and_masked(two_counties, client_for):
    cycle, _shaodong = two_counties
    office = client_for(cycle.users["office_county"])
    response = office.get("/api/v1/reports/sales_evidence/", {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "廉桥" not in text
    for household in cycle.households.values():
        assert household.head_name not in text
        assert household.id_number() not in text
