"""Forms of the county clerk's registers: shapes and choices; rules stay in services.

Every region choice is limited to the regions the user keeps
(trace.access.register_regions), so a posted region of another county is
"not a valid choice", as if it did not exist.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reports.models import ReportPeriod, SalesEvent
from trace import access
from trace.choices import RegionLevel
from trace.models import (
    BenefitLink,
    Household,
    HouseholdMember,
    Outlet,
    Producer,
    Region,
    SlowSellingMark,
)
from trace.selectors.batches import batch_list_visible_to
from trace.selectors.households import household_list_visible_to
from trace.selectors.registry import (
    REGION_PATH,
    producer_list_visible_to,
    product_line_list,
    region_list,
)
from trace.services.common import REASON_MAX_LENGTH
from workbench.forms import DATE, NUMBER, village_choices


def kept_regions(user):
    """Return the regions (and below) whose registers the user keeps."""
    regions = region_list()
    if access.is_administrator(user):
        return regions
    condition = Q(pk__in=[])
    for county in access.register_regions(user):
        condition |= Q(lineage__startswith=county.lineage)
    return regions.filter(condition)


def region_label(region: Region) -> str:
    """Show a region below its county by its path from the county down."""
    names = []
    for ancestor in region.ancestors_and_self():
        if names or ancestor.level == RegionLevel.COUNTY:
            names.append(ancestor.name)
    return " ".join(names) or region.full_name


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return region_label(obj)


def reason_field(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("变更原因") if required else _("登记说明（可空）"),
        max_length=REASON_MAX_LENGTH,
        required=required,
        help_text=_("记入变更记录：谁、何时、为什么。"),
    )


class RegisterForm(forms.ModelForm):
    """A register row and why it changes; a change must say why."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["reason"] = reason_field(required=self.instance.pk is not None)

    def service_fields(self) -> dict:
        """Return the cleaned fields the service takes (reason included)."""
        return dict(self.cleaned_data)


class ProducerForm(RegisterForm):
    region = RegionChoiceField(label=_("所在地区"), queryset=Region.objects.none())

    class Meta:
        model = Producer
        fields = [
            "name",
            "kind",
            "uscc",
            "region",
            "address",
            "contact_person",
            "contact_phone",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"].queryset = kept_regions(user).exclude(
            level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]
        )
        self.fields["uscc"].help_text = _(
            "18 位，最后一位为校验码（GB 32100）；农户可空。"
        )


class HouseholdForm(RegisterForm):
    """A household; the ID number is typed, never shown back (only its last 4)."""

    village = forms.TypedChoiceField(label=_("所在村"), coerce=int)
    id_number = forms.CharField(
        label=_("户主身份证号"),
        max_length=18,
        min_length=15,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Household
        fields = ["head_name", "phone", "members", "registered_year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        choices: list = []
        for county in self._counties(user):
            choices += village_choices(within=county)[1:]
        self.fields["village"].choices = [("", _("请选择所在村")), *choices]
        self.fields["members"].label = _("家庭人口（人）")
        self.order_fields(["village", "head_name", "id_number"])
        if self.instance.pk is not None:
            self.initial.setdefault("village", self.instance.village_id)
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _(
                "已登记，尾号 %(last4)s；不改请留空。"
            ) % {"last4": self.instance.id_number_last4()}

    @staticmethod
    def _counties(user):
        if access.is_administrator(user):
            return list(Region.objects.filter(level=RegionLevel.COUNTY))
        return access.register_regions(user)

    def clean_village(self):
        village = (
            kept_regions(self.user).filter(pk=self.cleaned_data["village"]).first()
        )
        if village is None or village.level != RegionLevel.VILLAGE:
            raise forms.ValidationError(_("请选择本县的村。"))
        return village

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        if not fields.get("id_number"):
            fields.pop("id_number", None)
        return fields


class CertifyForm(forms.Form):
    """Issue a certification (认定) to a producer of the county."""

    number = forms.CharField(label=_("认定编号"), max_length=64)
    issuer = forms.CharField(label=_("认定机构"), max_length=128)
    valid_from = forms.DateField(label=_("有效期起"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), widget=DATE)


class StatusReasonForm(forms.Form):
    """Suspend, reinstate or revoke a certification: the reason is required."""

    reason = forms.CharField(
        label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class BenefitLinkForm(RegisterForm):
    class Meta:
        model = BenefitLink
        fields = ["producer", "household", "kind", "since", "annual_income"]
        widgets = {"since": DATE, "annual_income": NUMBER}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        kept = kept_regions(user)
        self.fields["producer"].queryset = producer_list_visible_to(user=user)
        self.fields["household"].queryset = household_list_visible_to(user=user).filter(
            village__in=kept
        )
        # Only the keeping office sees this form: the name, never the ID.
        self.fields["household"].label_from_instance = lambda household: (
            f"{household.village.name} {household.head_name}"
            f"（尾号{household.id_number_last4()}）"
        )


class BenefitLinkEndForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE)
    reason = reason_field(required=True)


class OutletForm(RegisterForm):
    region = RegionChoiceField(label=_("所在地区"), queryset=Region.objects.none())
    # 授权店 are counted by the day they opened (统计表“设立…数”): no default.
    opened_on = forms.DateField(label=_("设立日期"), widget=DATE)

    class Meta:
        model = Outlet
        fields = ["name", "kind", "region", "operator_name", "url", "opened_on"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"].queryset = kept_regions(user).exclude(
            level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]
        )


class OutletRevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("取消授权日期"), widget=DATE)
    reason = forms.CharField(
        label=_("取消授权原因"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SlowSellingMarkForm(forms.ModelForm):
    region = RegionChoiceField(label=_("适用地区"), queryset=Region.objects.none())

    class Meta:
        model = SlowSellingMark
        fields = ["product_line", "batch", "region", "valid_from", "valid_until"]
        widgets = {"valid_from": DATE, "valid_until": DATE}

    reason = forms.CharField(
        label=_("说明"), max_length=REASON_MAX_LENGTH, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = kept_regions(user).exclude(
            level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]
        )
        self.fields["product_line"].queryset = product_line_list()
        self.fields["batch"].queryset = batch_list_visible_to(user=user).select_related(
            "product_line__brand", f"origin__{REGION_PATH}"
        )

    def _post_clean(self):
        # One of product line and batch: the service says so next to the field.
        pass


class SlowSellingClearForm(forms.Form):
    ended_on = forms.DateField(label=_("滞销截至（含当日）"), widget=DATE)
    reason = reason_field(required=True)


class SalesEventForm(forms.ModelForm):
    """A 大型产销活动 held in a region of the county."""

    region = RegionChoiceField(label=_("举办地区"), queryset=Region.objects.none())

    class Meta:
        model = SalesEvent
        fields = ["name", "region", "held_on", "organiser", "note"]
        widgets = {"held_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = kept_regions(user).exclude(
            level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]
        )

    def _post_clean(self):
        # The service records a repeat once; no unique check here.
        pass


class ReportPeriodForm(RegisterForm):
    """When a form is due from the regions below the county."""

    region = RegionChoiceField(label=_("汇总地区"), queryset=Region.objects.none())

    class Meta:
        model = ReportPeriod
        fields = [
            "form_key",
            "region",
            "submitter_level",
            "frequency",
            "name",
            "starts_on",
            "ends_on",
            "due_on",
            "recipient",
            "source",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "due_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"].queryset = kept_regions(user).exclude(
            level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]
        )
        self.fields["source"].help_text = _("文件标题及所引条款。")

    def _post_clean(self):
        # The service checks the window and its uniqueness, with its words.
        pass


class HouseholdMemberForm(RegisterForm):
    """A person of the household; the ID number is typed, never shown back."""

    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        min_length=15,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = HouseholdMember
        fields = ["name", "relation", "phone"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.order_fields(["name", "relation", "id_number", "phone"])
        if self.instance.pk is not None:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _(
                "已登记，尾号 %(last4)s；不改请留空。"
            ) % {"last4": self.instance.id_number_last4()}

    def _post_clean(self):
        # The member's household is set by the service, not the form.
        pass

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        if not fields.get("id_number"):
            fields.pop("id_number", None)
        return fields


class MemberRemoveForm(forms.Form):
    reason = reason_field(required=True)
