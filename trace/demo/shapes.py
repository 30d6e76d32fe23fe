"""The shapes of the demo data: one NamedTuple a kind of row, fields by name.

Keys (a producer's "orange", a household's "yang", a user's "operator") name
rows across the data modules; places are named by their region's name.
"""

import datetime
from typing import NamedTuple

from stdnum import ean
from stdnum.cn import ric, uscc


def make_uscc(kind_code: str, area: str, organisation: str) -> str:
    """Return a well-formed 统一社会信用代码 with its GB 32100 check character."""
    body = f"{kind_code}{area}{organisation}"
    return body + uscc.calc_check_digit(body)


def make_gtin13(body12: str) -> str:
    return body12 + ean.calc_check_digit(body12)


class DemoRegion(NamedTuple):
    path: str  # "湖南省/邵阳市/洞口县", parents first
    level: str
    code: str  # GB/T 2260 code or ""
    # A township's 供货联系人 (seed 004, line 28): invented, demo data.
    supply_contact: tuple[str, str] = ("", "")


class DemoHousehold(NamedTuple):
    key: str
    head_name: str
    village: str
    # An area code that exists or existed (trace.validators.normalize_id_number).
    area: str
    born: datetime.date
    sequence: int
    members: int
    consent: bool = False

    @property
    def id_number(self) -> str:
        body = f"{self.area}{self.born:%Y%m%d}{self.sequence:03d}"
        return body + ric.calc_check_digit(body + "0")


class DemoHouseholdMember(NamedTuple):
    household: str  # DemoHousehold.key
    name: str
    relation: str
    area: str
    born: datetime.date
    sequence: int

    @property
    def id_number(self) -> str:
        body = f"{self.area}{self.born:%Y%m%d}{self.sequence:03d}"
        return body + ric.calc_check_digit(body + "0")


class DemoProducer(NamedTuple):
    name: str
    kind: str
    uscc: str
    village: str
    address: str
    contact_person: str
    contact_phone: str


class DemoBenefitLink(NamedTuple):
    producer: str
    household: str
    kind: str
    since: datetime.date
    annual_income: str  # yuan


class DemoEndedLink(NamedTuple):
    producer: str
    household: str
    kind: str
    days_ago: int


class DemoCertification(NamedTuple):
    number: str
    issuer: str


class DemoPolicy(NamedTuple):
    producer_kinds: list[str]
    benefit_kinds: list[str]
    min_annual_income: str | None  # yuan a year; None where the text names none
    min_households: int
    source_document: str
    source_clause: str
    note: str


class DemoBrand(NamedTuple):
    name: str
    kind: str
    owner: str
    description: str


class DemoProductLine(NamedTuple):
    brand: str | None
    name: str
    category: str
    standard: str
    geographical_indication: bool
    gtin: str | None  # GTIN-13
    unit: str
    # An unbranded line belongs to one producer; a GI line names its
    # protected regions.
    owner: str | None = None
    protected_regions: tuple[str, ...] = ()
    processed: bool = False  # tea, 豆腐乳: a production date, not a harvest


class DemoLicense(NamedTuple):
    brand: str
    producer: str
    product_lines: tuple[str, ...]


class DemoOutlet(NamedTuple):
    name: str
    kind: str
    region: str
    operator_name: str
    url: str


class DemoUser(NamedTuple):
    username: str
    role: str
    producer: str | None
    regions: tuple[str, ...]
    organisation: str
    staff: bool
    # 填报人 and 联系方式 of the forms (invented names and numbers: demo data).
    real_name: str
    phone: str
    outlet: str | None = None  # the purchase point a 收购点 user runs


class DemoContribution(NamedTuple):
    household: str
    quantity: str
    amount_paid: str  # yuan


class DemoBatch(NamedTuple):
    lot_code: str  # GS1 AI 10: Latin letters and digits only
    producer: str
    product_line: str
    name: str
    origin: str
    days_ago: int
    quantity: str
    contributions: tuple[DemoContribution, ...]
    release: bool = True


class DemoSale(NamedTuple):
    lot_code: str
    buyer: str
    outlet: str | None  # the outlet it was sold at
    buyer_outlet: str | None  # the outlet that bought it in
    channel: str
    quantity: str
    amount: str  # yuan
    days_after_harvest: int
    note: str
    # Why the channel passes through an outlet it usually does not (issue 37).
    channel_reason: str = ""


class DemoSlowSelling(NamedTuple):
    product_line: str
    region: str
    starts_days_ago: int
    days: int
    reason: str
