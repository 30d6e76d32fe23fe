"""factory_boy factories; households go through the service so IDs are encrypted."""

import datetime
import io
import itertools
import random
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from stdnum.cn import ric, uscc

from trace.choices import (
    BatchStatus,
    BenefitKind,
    BrandKind,
    CertificationStatus,
    ProducerKind,
    RegionLevel,
    Role,
)
from trace.models import (
    Batch,
    BenefitLink,
    Brand,
    BrandLicense,
    Certification,
    Producer,
    ProductLine,
    Region,
    UserRole,
)
from trace.services.households import household_create

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Identifiers are derived from counters, never drawn at random: random ID
# numbers collided ('该身份证号码已登记') once a bench loaded a few thousand
# households. One counter per kind of identifier, each number used once.
_COUNTERS = {
    "id_number": itertools.count(1),
    "uscc": itertools.count(1),
    "certification": itertools.count(1),
}
ID_NUMBER_EPOCH = datetime.date(1990, 1, 1)


def next_serial(kind: str) -> int:
    return next(_COUNTERS[kind])


def continue_serials_after(**starts: int) -> None:
    """Restart the identifier counters at the given numbers (bench reruns).

    A bench run against a database that already holds rows from an earlier
    run starts each counter past the highest primary key of its table: every
    number the earlier run drew made exactly one row, in order, so none of
    them is above that key.
    """
    for kind, start in starts.items():
        _COUNTERS[kind] = itertools.count(max(start, 1))


def make_uscc(region_code: str = "430525", serial: int | None = None) -> str:
    """Return a valid USCC whose 9-character organisation code encodes a serial."""
    serial = next_serial("uscc") if serial is None else serial
    digits = []
    for _ in range(9):
        serial, digit = divmod(serial, len(USCC_ALPHABET))
        digits.append(USCC_ALPHABET[digit])
    body = "91" + region_code + "".join(reversed(digits))
    return body + uscc.calc_check_digit(body)


def make_id_number(
    region_code: str = "430525",
    born: datetime.date | None = None,
    serial: int | None = None,
) -> str:
    """Return a valid ID number; distinct serials give distinct numbers.

    The serial picks the birth day (999 a day, from 1990) and the sequence
    code 001-999, so two numbers are equal only if their serials are.
    """
    serial = next_serial("id_number") if serial is None else serial
    days, sequence = divmod(serial, 999)
    born = born or ID_NUMBER_EPOCH + datetime.timedelta(days=days)
    body = f"{region_code}{born:%Y%m%d}{sequence + 1:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_certification_number() -> str:
    return f"HN-DK-2026-{next_serial('certification'):06d}"


def make_gtin13() -> str:
    body = "690" + "".join(random.choice("0123456789") for _ in range(9))
    total = sum(
        int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(body)
    )
    return body + str((10 - total % 10) % 10)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-suyuan-test")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"区域{n}")
    level = RegionLevel.VILLAGE
    parent = None


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer

    name = factory.Sequence(lambda n: f"洞口县第{n}果业专业合作社")
    kind = ProducerKind.COOPERATIVE
    uscc = factory.LazyFunction(make_uscc)
    region = factory.SubFactory(RegionFactory)
    contact_person = "李经理"
    contact_phone = "0739-7000000"


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    producer = factory.SubFactory(ProducerFactory)
    number = factory.LazyFunction(make_certification_number)
    issuer = "洞口县扶贫开发办公室"
    # Valid since before the tests' 2026 sales: a sale counts only when the
    # certification held on the day it was made (trace.services.events).
    valid_from = factory.LazyFunction(
        lambda: min(
            datetime.date.today() - datetime.timedelta(days=30),
            datetime.date(2026, 1, 1),
        )
    )
    valid_until = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=335)
    )
    status = CertificationStatus.ACTIVE


class HouseholdFactory(factory.Factory):
    """Build households through household_create, the only way IDs are stored."""

    class Meta:
        model = dict

    village = factory.SubFactory(RegionFactory)
    head_name = factory.Iterator(["王小明", "李春花", "张德胜", "刘秀英", "陈建国"])
    id_number = factory.LazyFunction(make_id_number)
    phone = factory.Sequence(lambda n: f"1397390{n:04d}")
    members = 3

    @classmethod
    def _create(cls, model_class, **kwargs):
        # As the office's administrator, who keeps the register (an unsaved
        # superuser: household_create records no author, so no row is needed).
        kwargs.setdefault("created_by", get_user_model()(is_superuser=True))
        return household_create(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        return kwargs


class BenefitLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitLink

    producer = factory.SubFactory(ProducerFactory)
    household = factory.SubFactory(HouseholdFactory)
    kind = BenefitKind.EMPLOYMENT
    since = datetime.date(2024, 3, 1)
    annual_income = Decimal("8000.00")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"品牌{n}")
    kind = BrandKind.FLAGSHIP
    owner = "洞口县公用品牌办公室"


class ProductLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductLine

    brand = None
    name = factory.Sequence(lambda n: f"产品{n}")
    category = "水果"
    standard = "DB43/T 1234"
    unit = "箱"


class BrandLicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandLicense
        skip_postgeneration_save = True

    brand = factory.SubFactory(BrandFactory)
    producer = factory.SubFactory(ProducerFactory)
    valid_from = factory.LazyFunction(
        lambda: datetime.date.today() - datetime.timedelta(days=30)
    )
    valid_until = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=335)
    )

    @factory.post_generation
    def product_lines(self, create, extracted, **kwargs):
        if create and extracted:
            self.product_lines.set(extracted)


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Batch

    producer = factory.SubFactory(ProducerFactory)
    product_line = factory.SubFactory(ProductLineFactory)
    lot_code = factory.Sequence(lambda n: f"LOT2026{n:04d}")
    origin = factory.SelfAttribute("producer.region")
    harvest_date = factory.LazyFunction(
        lambda: datetime.date.today() - datetime.timedelta(days=3)
    )
    quantity = Decimal("500")
    unit = "箱"
    status = BatchStatus.RELEASED


def make_user(username: str, role: str, *, producer=None, regions=()):
    user = UserFactory(username=username)
    binding = UserRole.objects.create(user=user, role=role, producer=producer)
    binding.regions.set(regions)
    return user


def make_operator(username: str, producer):
    return make_user(username, Role.OPERATOR, producer=producer)


def make_inspector(username: str, regions):
    return make_user(username, Role.INSPECTOR, regions=regions)


def make_administrator(username: str):
    return make_user(username, Role.ADMINISTRATOR)


def make_pdf(pages: int = 1) -> bytes:
    """Return a small valid PDF that the upload check keeps byte for byte.

    Saved twice as qpdf saves (deterministic /ID): the second save is what
    trace.uploads writes back, so a download compares equal to the upload.
    """
    import pikepdf

    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page()
    data = b""
    for _ in range(2):
        buffer = io.BytesIO()
        document.save(buffer, fix_metadata_version=False, deterministic_id=True)
        data = buffer.getvalue()
        document = pikepdf.open(io.BytesIO(data))
    return data
