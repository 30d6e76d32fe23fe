"""The 监督员's 信息发布 (seed 001 lines 193-195) on its township's public catalogue."""

import pytest

from trace.models import TownshipNotice

pytestmark = pytest.mark.django_db

NOTICES = "/w/notices/"


def test_the_supervisor_publishes_and_the_townships_catalogue_shows_it(cycle, client):
    client.force_login(cycle.users["supervisor_t1"])
    page = client.get(NOTICES).content.decode()
    assert "信息发布：古楼乡" in page and 'href="/w/notices/"' in page
    done = client.post(
        NOTICES,
        {"title": "春茶收购", "body": "古楼乡春茶 4 月 10 日起在各村收购点收购。"},
        follow=True,
    )
    assert "已发布" in done.content.decode()
    notice = TownshipNotice.objects.get()
    assert (notice.township, notice.published_by) == (
        cycle.town_1,
        cycle.users["supervisor_t1"],
    )

    client.logout()  # the public sees it on the township's catalogue page
    township = client.get("/catalogue/", {"region": cycle.town_1.pk}).content.decode()
    assert "古楼乡信息发布" in township and "各村收购点收购" in township
    printed = client.get(f"/catalogue/print/{cycle.town_1.pk}/").content.decode()
    assert "春茶收购" in printed
    other = client.get("/catalogue/", {"region": cycle.town_2.pk}).content.decode()
    assert "春茶收购" not in other
    assert "春茶收购" not in client.get("/catalogue/").content.decode()


def test_an_empty_notice_is_refused_next_to_its_field(cycle, client):
    client.force_login(cycle.users["supervisor_t1"])
    refused = client.post(NOTICES, {"title": "", "body": "收购点周六照常收购"})
    assert refused.status_code == 400
    assert 'id="id_title-errors"' in refused.content.decode()
    assert "收购点周六照常收购" in refused.content.decode()  # what was typed stays
    assert not TownshipNotice.objects.exists()


@pytest.mark.parametrize("user", ["informant_v1", "office_county", "operator_v1"])
def test_the_page_is_the_supervisors(cycle, client, user):
    client.force_login(cycle.users[user])
    assert client.get(NOTICES).status_code == 404
