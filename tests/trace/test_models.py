"""Model behaviour that every face shares: how a product is named."""

import pytest

from tests.factories import BrandFactory, ProductLineFactory
from trace.models import product_title


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
