"""Forms of the council registry: the directory's filters and the secretary's workspace."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kenes.core.models import District, Region, StateBody, Topic
from kenes.core.widgets import DateInput, FastSelect

from . import compliance
from .models import Commission, Council, ImportJob, Membership, Person
from .selectors import DirectoryQuery


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name contains"), required=False, max_length=200)
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("all levels")), *Council.Level.choices],
        widget=FastSelect,
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        required=False,
        queryset=Region.objects.all(),
        to_field_name="code",
        empty_label=_("all regions"),
        widget=FastSelect,
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.select_related("region"),
        to_field_name="code",
        empty_label=_("all districts"),
        widget=FastSelect,
    )
    state_body = forms.ModelChoiceField(
        label=_("State body"),
        required=False,
        queryset=StateBody.objects.filter(level=StateBody.Level.CENTRAL),
        to_field_name="code",
        empty_label=_("all bodies"),
        widget=FastSelect,
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.all(),
        to_field_name="code",
        empty_label=_("all topics"),
        widget=FastSelect,
    )
    compliance = forms.ChoiceField(label=_("Compliance"), required=False, widget=FastSelect)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        widget=FastSelect,
        choices=[
            ("level", _("level and region")),
            ("name", _("name")),
            ("region", _("region")),
            ("members", _("number of members")),
            ("term", _("end of term")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        districts = self.fields["district"].queryset.order_by("region__code", "name_kk")
        grouped: dict[str, list] = {}
        for district in districts:
            grouped.setdefault(district.region.name, []).append((district.code, district.name))
        self.fields["district"].choices = [("", _("all districts")), *grouped.items()]
        self.fields["compliance"].choices = [
            ("", _("any")),
            ("ok", _("compliant")),
            ("issues", _("with findings")),
            *[(code, _("finding: %(rule)s") % {"rule": label}) for code, label in compliance.rule_choices()],
        ]

    def to_query(self) -> DirectoryQuery:
        data = self.cleaned_data if self.is_valid() else {}
        return DirectoryQuery(
            text=data.get("q", ""),
            level=data.get("level", ""),
            region=data.get("region"),
            district=data.get("district"),
            state_body=data.get("state_body"),
            topic=data.get("topic"),
            compliance=data.get("compliance", ""),
            sort=data.get("sort") or "level",
        )


class CouncilForm(forms.ModelForm):
    """What a council's secretary and chair edit."""

    class Meta:
        model = Council
        fields = [
            "name_kk",
            "name_ru",
            "name_en",
            "status",
            "established_on",
            "term_start",
            "term_end",
            "secretariat_email",
            "secretariat_phone",
            "topics",
        ]
        widgets = {
            "established_on": DateInput(),
            "term_start": DateInput(),
            "term_end": DateInput(),
            "topics": forms.CheckboxSelectMultiple(),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end <= start:
            self.add_error("term_end", _("The term must end after it starts."))
        return data


class CoordinatorCouncilForm(CouncilForm):
    """The coordination centre also places the council: level, body, region, size limits."""

    class Meta(CouncilForm.Meta):
        fields = [
            "code",
            "level",
            "state_body",
            "region",
            "district",
            "min_members",
            "max_members",
            *CouncilForm.Meta.fields,
        ]

    def clean(self):
        data = super().clean()
        low, high = data.get("min_members"), data.get("max_members")
        if low is not None and high is not None and low > high:
            self.add_error("max_members", _("The maximum cannot be below the minimum."))
        district, region = data.get("district"), data.get("region")
        if district and region and district.region_id != region.pk:
            self.add_error("district", _("This district is not in the chosen region."))
        return data


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "last_name",
            "first_name",
            "patronymic",
            "organisation",
            "position",
            "in_state_service",
            "public_profile",
            "email",
            "phone",
        ]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "sector", "ngo_name", "term_start", "term_end"]
        widgets = {"term_start": DateInput(), "term_end": DateInput()}

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("The term must end after it starts."))
        if data.get("sector") == Membership.Sector.NGO and not (data.get("ngo_name") or "").strip():
            self.add_error("ngo_name", _("Name the organisation this member represents."))
        return data


class EndMembershipForm(forms.Form):
    ceased_on = forms.DateField(label=_("Ceased on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=255)


class CommissionForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Commission
        fields = ["name"]

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            Membership.objects.active()
            .filter(council=council)
            .select_related("person")
            .order_by("person__last_name")
        )
        self.fields["members"].label_from_instance = lambda membership: str(membership.person)
        if self.instance.pk:
            self.fields["members"].initial = list(self.instance.members.values_list("pk", flat=True))


class CompositionOrderForm(forms.Form):
    file = forms.FileField(
        label=_("Order (PDF)"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )
    order_date = forms.DateField(label=_("Date of the order"), required=False, widget=DateInput())


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=ImportJob.Kind.choices, initial=ImportJob.Kind.MEMBERS
    )
    council = forms.ModelChoiceField(
        label=_("Council (for files without a council column)"),
        queryset=Council.objects.none(),
        to_field_name="code",
        required=False,
    )
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            }
        ),
    )

    def __init__(self, *args, councils, can_import_councils: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils
        if not can_import_councils:
            self.fields["kind"].choices = [
                (kind.value, kind.label) for kind in (ImportJob.Kind.MEMBERS, ImportJob.Kind.ISSUES)
            ]

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == ImportJob.Kind.MEMBERS
            and data.get("council") is None
            and not self.fields["council"].queryset.exists()
        ):
            self.add_error("council", _("Choose the council."))
        if (
            data.get("kind") == ImportJob.Kind.ISSUES
            and data.get("council") is None
            and self.fields["council"].queryset.count() != 1
        ):
            self.add_error("council", _("Choose the council whose problems the file holds."))
        return data
