"""The county clerk's registers: producers, households, links, 认定, outlets, 滞销.

An office works here within its region and below (trace.access). A county
office keeps its county's registers; a 市州 or province office reads them
and sums its counties, and finds no edit page (404), as does anyone for a
row outside their scope. Every write goes through a trace service with the
acting user and a reason, which the audit trail keeps. ID numbers show only
their last four characters here; whole, only in the county's 带贫人员名册.
"""

from django.urls import path

from workbench.registers.households import (
    household_detail,
    household_new,
    households,
    link_detail,
    link_end,
    link_new,
    links,
    member_detail,
    member_new,
)
from workbench.registers.places import (
    outlet_detail,
    outlet_new,
    outlets,
    period_detail,
    period_new,
    periods,
    sales_events,
    slow_selling,
    slow_selling_clear,
)
from workbench.registers.producers import (
    certification_detail,
    index,
    producer_certify_view,
    producer_detail,
    producer_new,
    producers,
)

urlpatterns = [
    path("registers/events/", sales_events, name="register_sales_events"),
    path("registers/periods/", periods, name="register_periods"),
    path("registers/periods/new/", period_new, name="register_period_new"),
    path("registers/periods/<int:pk>/", period_detail, name="register_period"),
    path("registers/", index, name="registers"),
    path("registers/producers/", producers, name="register_producers"),
    path("registers/producers/new/", producer_new, name="register_producer_new"),
    path("registers/producers/<int:pk>/", producer_detail, name="register_producer"),
    path(
        "registers/producers/<int:pk>/certify/",
        producer_certify_view,
        name="register_producer_certify",
    ),
    path(
        "registers/certifications/<int:pk>/",
        certification_detail,
        name="register_certification",
    ),
    path("registers/households/", households, name="register_households"),
    path("registers/households/new/", household_new, name="register_household_new"),
    path("registers/households/<int:pk>/", household_detail, name="register_household"),
    path(
        "registers/households/<int:pk>/members/new/",
        member_new,
        name="register_member_new",
    ),
    path("registers/members/<int:pk>/", member_detail, name="register_member"),
    path("registers/links/", links, name="register_links"),
    path("registers/links/new/", link_new, name="register_link_new"),
    path("registers/links/<int:pk>/", link_detail, name="register_link"),
    path("registers/links/<int:pk>/end/", link_end, name="register_link_end"),
    path("registers/outlets/", outlets, name="register_outlets"),
    path("registers/outlets/new/", outlet_new, name="register_outlet_new"),
    path("registers/outlets/<int:pk>/", outlet_detail, name="register_outlet"),
    path("registers/slow-selling/", slow_selling, name="register_slow_selling"),
    path(
        "registers/slow-selling/<int:pk>/clear/",
        slow_selling_clear,
        name="register_slow_selling_clear",
    ),
]
