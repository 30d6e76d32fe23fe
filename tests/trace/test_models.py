"""Model behaviour that every face shares: how a product is named."""

import pytest

from labels.services import print_job_create
from tests.factories import BrandFactory, BrandLicenseFactory, ProductLineFactory
from trace.models import product_title
from trace.selectors.events import batch_public_story


@pytest.mark.parametrize(
    ("brand", "name", "title"),
    [
        ("雪峰蜜橘", "雪峰蜜橘", "雪峰蜜橘"),
        ("雪峰蜜橘", "雪峰蜜橘礼盒", "雪峰蜜橘礼盒"),
        ("洞乡源味", "古楼云雾茶", "洞乡源味 古楼云雾茶"),
        ("", "玉竹", "玉竹"),
    ],
)
def test_product_title_names_the_brand_once(brand, name, title):
    assert product_title(brand=brand, name=name) == title


@pytest.mark.django_db
def test_product_line_title_and_str_agree():
    line = ProductLineFactory(brand=BrandFactory(name="雪峰蜜橘"), name="雪峰蜜橘")
    assert line.title == str(line) == "雪峰蜜橘"
    assert str(ProductLineFactory(name="玉竹")) == "玉竹"


@pytest.mark.django_db
def test_public_story_and_scan_page_title_name_the_product_once(world, client):
    line = world.batch_a.product_line
    line.brand = BrandFactory(name="古楼云雾茶")  # the line is named after its brand
    line.save()
    BrandLicenseFactory(
        brand=line.brand, producer=world.producer_a, product_lines=[line]
    )
    world.batch_a.refresh_from_db()
    assert batch_public_story(batch=world.batch_a)["product"]["title"] == "古楼云雾茶"
    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=1,
        requested_by=world.operator_a,
        enqueue=False,
    )
    page = client.get(f"/t/{job.labels.get().serial}").content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert title.count("古楼云雾茶") == 1


def test_a_policy_cites_the_document_and_clause_not_the_file():
    from trace.models import CertificationPolicy

    policy = CertificationPolicy(
        source_document="邵东市消费扶贫工作（seeds/001，第 112–118 行）",
        source_clause="凡是带动 1 名以上贫困户务工",
    )
    assert policy.source_title == "邵东市消费扶贫工作"
    assert policy.citation == "邵东市消费扶贫工作：“凡是带动 1 名以上贫困户务工”"
    titled = CertificationPolicy(source_document="《湖南省2020年消费扶贫月活动方案》")
    assert (
        titled.citation == titled.source_title == "《湖南省2020年消费扶贫月活动方案》"
    )
