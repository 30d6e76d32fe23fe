"""The administrators' dashboard at /reports/dashboard/."""

import pytest

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
    assert "<script" not in html and "http://" not in html.replace(
        "http://www.w3.org/2000/svg", ""
    )


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
