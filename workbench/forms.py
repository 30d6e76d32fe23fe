"""Workbench forms: shapes and choices only; the rules stay in the services.

Every choice list comes from a scoped selector, so a posted id outside the
user's scope is "not a valid choice", exactly as if it did not exist.
"""

import hashlib
import json
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.choices import AnalyteKind, InspectionKind, QualitativeOutcome
from inspections.models import Analyte
from inspections.rules import (
    ENZYME_INHIBITION_STANDARD,
    is_enzyme_inhibition_method,
    verdict_rule_text,
)
from inspections.selectors import analyte_list
from labels.models import OFFSET_BOUNDS, OFFSET_DIGITS
from labels.templates import (
    DEFAULT_LINK_FORM,
    DEFAULT_TEMPLATE,
    link_form_choices,
    template_choices,
    template_get,
)
from trace import access
from trace.choices import BatchStatus, RegionLevel
from trace.forms import InputPolicyMixin
from trace.forms import apply_service_errors as apply_service_errors
from trace.models import Region
from trace.selectors.batches import batch_list_visible_to, lot_codes_taken
from trace.selectors.channels import region_channels
from trace.selectors.households import (
    household_list_purchasable_by,
    household_reference_list_visible_to,
)
from trace.selectors.registry import (
    REGION_PATH,
    outlet_list,
    product_line_list,
    product_line_list_usable_by,
    region_list,
)
from trace.validators import suggest_gs1_lot, validate_gs1_lot, validate_past_date
from workbench.models import PrinterSettings

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
NUMBER = forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"})


def village_choices(*, within: Region | None = None) -> list:
    """Return towns and their villages as <optgroup>s: a region tree in a select."""
    regions = region_list().filter(level__in=[RegionLevel.TOWN, RegionLevel.VILLAGE])
    if within is not None:
        regions = regions.filter(lineage__startswith=within.lineage)
    towns = [region for region in regions if region.level == RegionLevel.TOWN]
    villages: dict[int, list[Region]] = {}
    for region in regions:
        if region.level == RegionLevel.VILLAGE:
            villages.setdefault(region.parent_id, []).append(region)
    choices: list = [("", _("请选择产地"))]
    for town in towns:
        options = [(town.pk, _("%(town)s（全乡镇）") % {"town": town.name})]
        options += [(village.pk, village.name) for village in villages.get(town.pk, [])]
        choices.append((town.full_name, options))
    return choices


def county_of(region: Region) -> Region | None:
    """Return the county (县/区/市) a region lies in, if any."""
    for ancestor in region.ancestors_and_self():
        if ancestor.level == RegionLevel.COUNTY:
            return ancestor
    return None


def product_line_label(product_line) -> str:
    brand = product_line.brand.name if product_line.brand_id else ""
    if brand and brand != product_line.name:
        return f"{product_line.name}（{brand}）"
    return product_line.name


class BatchForm(InputPolicyMixin, forms.Form):
    """Register a batch: what, which lot, from where, when and how much."""

    product_line = forms.ModelChoiceField(
        label=_("产品线"), queryset=product_line_list(), empty_label=_("请选择产品")
    )
    lot_code = forms.CharField(
        label=_("批次号"),
        max_length=64,
        help_text=_("GS1 规则：最多 20 个英文字母、数字或符号，不含中文和空格。"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    name = forms.CharField(
        label=_("批次名称（中文，可空）"), max_length=64, required=False
    )
    origin = forms.TypedChoiceField(label=_("产地（村）"), coerce=int)
    harvest_date = forms.DateField(
        label=_("采收/生产日期"), widget=DATE, validators=[validate_past_date]
    )
    quantity = forms.DecimalField(
        label=_("数量"), min_value=0, max_digits=14, decimal_places=3, widget=NUMBER
    )
    unit = forms.CharField(label=_("单位"), max_length=16, initial="kg")

    def __init__(self, *args, producer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_line"].label_from_instance = product_line_label
        if producer is not None:
            # Only the lines the producer is entitled to (batch_create checks too).
            self.fields["product_line"].queryset = product_line_list_usable_by(
                producer=producer
            )
        county = county_of(producer.region) if producer is not None else None
        self.fields["origin"].choices = village_choices(within=county)

    def clean_lot_code(self) -> str:
        value = self.cleaned_data["lot_code"].strip()
        validate_gs1_lot(value)  # clean() adds a suggestion to the error
        return value

    def clean(self):
        cleaned = super().clean()
        typed = (self.data.get("lot_code") or "").strip()
        if typed and self.has_error("lot_code", code="invalid"):
            # Suggested from the harvest date and the line's codes, known only now.
            suggestion = suggest_gs1_lot(
                typed,
                on=cleaned.get("harvest_date") or timezone.localdate(),
                taken=lot_codes_taken(product_line=cleaned.get("product_line")),
            )
            self.lot_suggestion = suggestion
            message = self.errors["lot_code"][0]
            self.errors["lot_code"] = self.error_class(
                [
                    _("%(message)s 建议改为：%(suggestion)s")
                    % {"message": message, "suggestion": suggestion}
                ],
                renderer=self.renderer,
            )
        return cleaned

    def clean_origin(self) -> Region:
        origin = region_list().filter(pk=self.cleaned_data["origin"]).first()
        if origin is None:
            raise ValidationError(_("请选择产地。"))
        return origin


class ContributionForm(InputPolicyMixin, forms.Form):
    """One household's share: only households linked to the producer, masked."""

    household = forms.ModelChoiceField(
        label=_("贫困户"), queryset=None, empty_label=_("请选择")
    )
    quantity = forms.DecimalField(
        label=_("供货数量"),
        min_value=0,
        max_digits=14,
        decimal_places=3,
        widget=NUMBER,
    )
    amount_paid = forms.DecimalField(
        label=_("支付金额（元）"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=NUMBER,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["household"]
        field.queryset = household_reference_list_visible_to(user=user).select_related(
            f"village__{REGION_PATH}"
        )
        # Operators never see a name unmasked, nor any part of an ID number.
        field.label_from_instance = lambda household: (
            f"{household.masked_name}（{household.village.name}）"
        )


class BaseContributionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            household = form.cleaned_data.get("household")
            if household is None:
                continue
            if household.pk in seen:
                raise ValidationError(_("同一贫困户只能填写一次。"))
            seen.add(household.pk)

    def contributions(self) -> list[dict]:
        return [
            {
                "household": form.cleaned_data["household"],
                "quantity": form.cleaned_data["quantity"],
                "amount_paid": form.cleaned_data["amount_paid"],
            }
            for form in self.forms
            if form.cleaned_data.get("household") is not None
        ]


ContributionFormSet = forms.formset_factory(
    ContributionForm, formset=BaseContributionFormSet, extra=3, max_num=50
)


class SaleForm(InputPolicyMixin, forms.Form):
    """One 消费扶贫 sale of a released batch."""

    batch = forms.ModelChoiceField(
        label=_("批次"), queryset=None, empty_label=_("请选择已放行的批次")
    )
    buyer = forms.CharField(label=_("买方"), max_length=128)
    channel = forms.ChoiceField(label=_("销售渠道"), choices=())
    channel_reason = forms.CharField(
        label=_("渠道与网点不符的说明（可空）"), max_length=255, required=False
    )
    outlet = forms.ModelChoiceField(
        label=_("销售网点（可空）"), queryset=outlet_list(), required=False
    )
    quantity = forms.DecimalField(
        label=_("数量"), min_value=0, max_digits=14, decimal_places=3, widget=NUMBER
    )
    unit = forms.CharField(label=_("单位"), max_length=16)
    amount = forms.DecimalField(
        label=_("金额（元）"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=NUMBER,
    )
    sold_at = forms.DateTimeField(
        label=_("交易时间"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        validators=[validate_past_date],
    )
    note = forms.CharField(label=_("备注"), max_length=255, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batch_list_visible_to(user=user).filter(
            status=BatchStatus.RELEASED
        )
        self.fields["batch"].label_from_instance = lambda batch: (
            f"{batch.product_line.name} {batch.lot_code}"
        )
        # The channels of the counties the user's batches come from, each in
        # its county's words; the service checks the batch's own county.
        self.fields["channel"].choices = channel_choices_for(
            origins=Region.objects.filter(
                pk__in=self.fields["batch"].queryset.values("origin")
            )
        )

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise ValidationError(_("数量必须大于 0。"))
        return quantity


def channel_choices_for(*, origins) -> list[tuple[str, str]]:
    """Return each code once, named as the first county that lists it names it."""
    choices: dict[str, str] = {}
    for region in origins or [None]:
        for spec in region_channels(region=region):
            choices.setdefault(spec.code, spec.name)
    return list(choices.items())


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more photos; each is checked by the inspections service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(file, initial) for file in files if file]


def inspection_kind_choices(user) -> list[tuple[str, str]]:
    if access.is_operator(user):
        return [(InspectionKind.SELF_CHECK, InspectionKind.SELF_CHECK.label)]
    return [
        (kind.value, kind.label)
        for kind in (
            InspectionKind.RAPID_TEST,
            InspectionKind.SPOT_CHECK,
            InspectionKind.LAB_TEST,
        )
    ]


class InspectionForm(InputPolicyMixin, forms.Form):
    """A spot check or rapid test as logged on a phone in a village."""

    idempotency_key = forms.CharField(max_length=128, widget=forms.HiddenInput)
    serial = forms.CharField(
        label=_("标签序列号"),
        max_length=64,
        required=False,
        help_text=_("扫描标签二维码，或手工输入序列号。"),
    )
    batch = forms.ModelChoiceField(
        label=_("批次"), queryset=None, required=False, empty_label=_("请选择批次")
    )
    kind = forms.ChoiceField(label=_("检测类型"))
    sampled_at = forms.DateTimeField(
        label=_("抽样时间"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        validators=[validate_past_date],
    )
    sample_size = forms.DecimalField(
        label=_("样品数量"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=3,
        widget=NUMBER,
    )
    sample_unit = forms.CharField(label=_("样品单位"), max_length=16, required=False)
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("现场照片"))
    sign = forms.BooleanField(
        label=_("签字确认：以上记录真实准确，签字后不能修改"), required=False
    )

    def __init__(self, *args, user=None, serial_resolver=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.serial_resolver = serial_resolver
        self.fields["batch"].queryset = batch_list_visible_to(user=user).exclude(
            status=BatchStatus.DRAFT
        )
        self.fields["batch"].label_from_instance = lambda batch: (
            f"{batch.product_line.name} {batch.lot_code}（{batch.producer.name}）"
        )
        self.fields["kind"].choices = inspection_kind_choices(user)
        if serial_resolver is None:  # labels is not installed: choose from the list
            del self.fields["serial"]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", str(uuid.uuid4()))
            self.initial.setdefault(
                "sampled_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    def clean_idempotency_key(self) -> str:
        key = self.cleaned_data["idempotency_key"].strip()
        if not key.isprintable():
            raise ValidationError(_("表单标识无效，请刷新页面。"))
        return key

    def clean(self):
        cleaned = super().clean()
        serial = (cleaned.get("serial") or "").strip()
        if serial and self.serial_resolver is not None:
            batch = self.serial_resolver(serial)
            # Unknown, malformed and out-of-scope serials read the same.
            if (
                batch is None
                or not self.fields["batch"].queryset.filter(pk=batch.pk).exists()
            ):
                self.add_error("serial", _("未找到该标签，或该批次不在您的负责区域。"))
            else:
                cleaned["batch"] = batch
                if not self.data.get("batch"):
                    # Without JavaScript the page may come back with other
                    # errors: show the batch the serial named, filled in.
                    self.data = self.data.copy()
                    self.data["batch"] = str(batch.pk)
        if cleaned.get("batch") is None and not self.has_error("serial"):
            self.add_error("batch", _("请扫描标签或选择批次。"))
        return cleaned


def analyte_label(analyte: Analyte) -> str:
    """Return the catalogue entry as one option: name, method and its rule."""
    text = str(analyte)
    if analyte.kind == AnalyteKind.QUALITATIVE:
        return f"{text} · {_('定性')}"
    if is_enzyme_inhibition_method(analyte.method):
        # The rule, not the catalogue's limit, decides (inspections/rules.py).
        rule = verdict_rule_text(kind=analyte.kind, method=analyte.method)
        return f"{text} · {rule}"
    limits = (
        [f"≤ {_number(analyte.limit)} {analyte.unit}".strip()]
        if analyte.limit is not None
        else []
    )
    limits += [
        f"{limit.category} ≤ {_number(limit.limit)} {analyte.unit}".strip()
        for limit in analyte.limits.all()
    ]
    if limits:
        return f"{text} · {_('限量')} " + "；".join(limits)
    return text


def enzyme_inhibition_hint() -> str:
    """Return the form's hint on rapid tests, worded from the rule itself."""
    rule = verdict_rule_text(
        kind=AnalyteKind.QUANTITATIVE, method=ENZYME_INHIBITION_STANDARD
    )
    return _("快检酶抑制率（%(standard)s）：%(rule)s，批次暂停销售。") % {
        "standard": ENZYME_INHIBITION_STANDARD,
        "rule": rule,
    }


def _number(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


class ResultItemForm(InputPolicyMixin, forms.Form):
    """One test item: pick it from the catalogue, enter the value or outcome."""

    analyte = forms.ModelChoiceField(
        label=_("检测项目"),
        queryset=None,
        required=False,
        empty_label=_("请选择检测项目"),
    )
    measured_value = forms.DecimalField(
        label=_("检测值"),
        required=False,
        max_digits=16,
        decimal_places=6,
        widget=NUMBER,
    )
    outcome = forms.ChoiceField(
        label=_("定性结果"),
        required=False,
        choices=[("", "—")] + list(QualitativeOutcome.choices),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analyte"].queryset = analyte_list()
        self.fields["analyte"].label_from_instance = analyte_label

    def clean(self):
        cleaned = super().clean()
        analyte = cleaned.get("analyte")
        if analyte is None:
            if cleaned.get("measured_value") is not None or cleaned.get("outcome"):
                self.add_error("analyte", _("请选择检测项目。"))
            return cleaned
        if analyte.kind == AnalyteKind.QUALITATIVE and not cleaned.get("outcome"):
            self.add_error("outcome", _("定性项目请选择“符合”或“不符合”。"))
        if (
            analyte.kind == AnalyteKind.QUANTITATIVE
            and cleaned.get("measured_value") is None
        ):
            self.add_error("measured_value", _("请填写检测值。"))
        return cleaned

    def item(self) -> dict:
        return {
            "analyte": self.cleaned_data["analyte"],
            "measured_value": self.cleaned_data.get("measured_value"),
            "outcome": self.cleaned_data.get("outcome") or "",
        }


class BaseResultItemFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.items():
            raise ValidationError(_("至少填写一项检测结果。"))

    def items(self) -> list[dict]:
        return [
            form.item()
            for form in self.forms
            if form.cleaned_data.get("analyte") is not None
        ]


ResultItemFormSet = forms.formset_factory(
    ResultItemForm, formset=BaseResultItemFormSet, extra=3, max_num=30
)


def request_fingerprint(data) -> str:
    """Return a hash of a submitted form, so a replayed key must carry the same form.

    The CSRF token is left out: it may rotate between an offline save and the
    resend without the record being any different.
    """
    fields = {
        key: data.getlist(key)
        for key in sorted(data.keys())
        if key != "csrfmiddlewaretoken"
    }
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"workbench-inspection\n{canonical}".encode()).hexdigest()


class PrinterSettingsForm(InputPolicyMixin, forms.ModelForm):
    class Meta:
        model = PrinterSettings
        fields = ["offset_x_mm", "offset_y_mm"]
        widgets = {"offset_x_mm": NUMBER, "offset_y_mm": NUMBER}


class PrintForm(InputPolicyMixin, forms.Form):
    """A label sheet request: batch, template, count, start, printer offsets."""

    batch = forms.ModelChoiceField(
        label=_("批次"), queryset=None, empty_label=_("请选择已放行的批次")
    )
    template = forms.ChoiceField(label=_("标签纸模板"))
    count = forms.IntegerField(label=_("标签数量"), min_value=1, initial=24)
    start_position = forms.IntegerField(
        label=_("从第几枚开始"),
        min_value=1,
        initial=1,
        help_text=_("用过一部分的标签纸：点图上第一枚空白标签，或输入编号。"),
    )
    offset_x_mm = forms.DecimalField(
        label=_("水平偏移（毫米，正数向右）"),
        **OFFSET_BOUNDS,
        **OFFSET_DIGITS,
        initial=0,
        widget=NUMBER,
    )
    offset_y_mm = forms.DecimalField(
        label=_("垂直偏移（毫米，正数向下）"),
        **OFFSET_BOUNDS,
        **OFFSET_DIGITS,
        initial=0,
        widget=NUMBER,
    )
    link_form = forms.ChoiceField(
        label=_("二维码内容（有 GTIN 的产品）"),
        choices=link_form_choices,
        initial=DEFAULT_LINK_FORM,
        required=False,
        help_text=_("两种写法扫出同一页面；压缩的更短，但二维码并不更小。"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batch_list_visible_to(user=user).filter(
            status=BatchStatus.RELEASED
        )
        self.fields["batch"].label_from_instance = lambda batch: (
            f"{batch.product_line.name} {batch.lot_code}"
        )
        self.fields["template"].choices = template_choices()
        self.fields["template"].initial = DEFAULT_TEMPLATE
        self.fields["count"].max_value = settings.SUYUAN_MAX_LABELS_PER_JOB

    def clean(self):
        cleaned = super().clean()
        key, start = cleaned.get("template"), cleaned.get("start_position")
        if key and start is not None:
            per_page = template_get(key).per_page
            if start > per_page:
                self.add_error(
                    "start_position",
                    _("这种标签纸每页只有 %(n)d 枚，起始位置不能超过 %(n)d。")
                    % {"n": per_page},
                )
        return cleaned

    def clean_link_form(self) -> str:
        return self.cleaned_data.get("link_form") or DEFAULT_LINK_FORM

    def template_key(self) -> str:
        if self.is_bound and self.data.get("template") in dict(
            self.fields["template"].choices
        ):
            return self.data["template"]
        return self.initial.get("template") or self.fields["template"].initial

    def start_value(self) -> int:
        raw = self.data.get("start_position") if self.is_bound else None
        try:
            return max(int(raw or self.initial.get("start_position") or 1), 1)
        except ValueError:
            return 1


class CalibrationForm(InputPolicyMixin, forms.Form):
    """What the calibration test sheet needs: the template and the offsets."""

    template = forms.ChoiceField()
    # Bounds only: the test sheet draws any offset it is given.
    offset_x_mm = forms.DecimalField(**OFFSET_BOUNDS, required=False)
    offset_y_mm = forms.DecimalField(**OFFSET_BOUNDS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = template_choices()


def _batch_choice_label(batch) -> str:
    return f"{batch.product_line.name} {batch.lot_code}"


class GuidanceForm(InputPolicyMixin, forms.Form):
    """A 技术指导员's guidance visit on a batch of its township (seed 001, 196-199)."""

    batch = forms.ModelChoiceField(
        label=_("批次"), queryset=None, empty_label=_("请选择本乡镇的批次")
    )
    occurred_at = forms.DateTimeField(
        label=_("指导时间"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        validators=[validate_past_date],
    )
    topic = forms.CharField(label=_("指导内容"), max_length=128)
    organisation = forms.CharField(
        label=_("指导单位（可空）"), max_length=128, required=False
    )
    reference_document_number = forms.CharField(
        label=_("文号或单据编号（可空）"), max_length=64, required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = region_batch_choices(user)
        self.fields["batch"].label_from_instance = _batch_choice_label


class PurchaseForm(InputPolicyMixin, forms.Form):
    """A village purchase point's purchase from a household (seed 001, 199-203)."""

    batch = forms.ModelChoiceField(
        label=_("批次"), queryset=None, empty_label=_("请选择本村的批次")
    )
    household = forms.ModelChoiceField(
        label=_("贫困户"), queryset=None, empty_label=_("请选择本村贫困户")
    )
    quantity = forms.DecimalField(
        label=_("收购数量"), max_digits=14, decimal_places=3, widget=NUMBER
    )
    amount_paid = forms.DecimalField(
        label=_("支付金额（元）"), max_digits=14, decimal_places=2, widget=NUMBER
    )
    purchased_at = forms.DateTimeField(
        label=_("收购时间"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        validators=[validate_past_date],
    )
    reference_document_number = forms.CharField(
        label=_("收购单号（可空）"), max_length=64, required=False
    )
    price_reason = forms.CharField(
        label=_("价格偏离说明（单价超出县定幅度时填写）"),
        max_length=255,
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = region_batch_choices(user)
        self.fields["batch"].label_from_instance = _batch_choice_label
        self.fields["household"].queryset = household_list_purchasable_by(user=user)
        # The masked name only (王*明): household data is personal (PIPL art. 28).
        self.fields["household"].label_from_instance = lambda household: (
            f"{household.masked_name}（{household.village.name}）"
        )


def region_batch_choices(user):
    """Return the released or held batches grown in the user's regions, newest first.

    A 技术指导员 sees its township's batches, a purchase point its village's
    (trace.access.batch_scope); drafts are not yet on record.
    """
    return (
        batch_list_visible_to(user=user)
        .exclude(status=BatchStatus.DRAFT)
        .select_related("product_line")
        .order_by("-harvest_date", "-id")
    )


class SlowSellingReportForm(forms.Form):
    """A village 信息员's report that a batch of its village does not sell (滞销).

    Seed 001, lines 51-55: "在扶贫产品出现滞销问题不报告、不支持的给予通报批评"
    — reporting 滞销 is the 信息员's duty.
    """

    batch = forms.ModelChoiceField(
        label=_("滞销的批次"), queryset=None, empty_label=_("请选择本村的批次")
    )
    valid_from = forms.DateField(label=_("滞销起"), widget=DATE)
    valid_until = forms.DateField(label=_("预计滞销至"), widget=DATE)
    reason = forms.CharField(
        label=_("滞销情况（数量、价格、原因）"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = region_batch_choices(user)
        self.fields["batch"].label_from_instance = _batch_choice_label
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("valid_from", today)


class TownshipNoticeForm(forms.Form):
    """A 监督员's 信息发布 to its township's producers and buyers (seed 001, 193-195)."""

    title = forms.CharField(label=_("标题"), max_length=64)
    body = forms.CharField(
        label=_("内容（面向本乡镇生产主体和采购单位，公开显示）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
