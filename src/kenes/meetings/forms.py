"""Forms of meetings: series, one meeting, agenda items, attendance, decisions, minutes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kenes.core.models import StateBody
from kenes.core.widgets import DateInput, DateTimeInput, FastSelect, TimeInput
from kenes.councils.models import Council

from .models import AgendaItem, Attendance, Meeting, MeetingSeries
from .services import SERIES_FIELDS

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
WEEKS = [(1, _("first")), (2, _("second")), (3, _("third")), (4, _("fourth")), (-1, _("last"))]


class SeriesForm(forms.ModelForm):
    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=[("", "—"), *WEEKDAYS], coerce=int, empty_value=None, required=False
    )
    week = forms.TypedChoiceField(
        label=_("Week of the month"),
        choices=[("", "—"), *WEEKS],
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = MeetingSeries
        # The fields the series services write; a form picks the invited councils instead of the
        # council whose sittings these are (that one comes from the page's address).
        fields = [("councils" if name == "council" else name) for name in SERIES_FIELDS]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "start_time": TimeInput(),
            "convener_body": FastSelect(),
            "councils": forms.SelectMultiple(attrs={"size": 12}),
        }

    def __init__(self, *args, council: Council | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convener_body"].queryset = StateBody.objects.order_by("level", "name_kk")
        self.fields["councils"].queryset = Council.objects.order_by("level", "name_kk")
        self.fields["councils"].required = False
        if council is not None:
            del self.fields["councils"]
            del self.fields["convener_body"]


class MeetingForm(forms.ModelForm):
    """A single meeting outside any series (a public hearing, an extra sitting)."""

    class Meta:
        model = Meeting
        fields = [
            "title_kk",
            "title_ru",
            "title_en",
            "kind",
            "starts_at",
            "duration_minutes",
            "place",
            "online_link",
            "is_public",
        ]
        widgets = {"starts_at": DateTimeInput()}


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New date and time"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Reason"), max_length=500)


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "description", "duration_minutes", "presenter", "document"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ProposalForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "description", "presenter"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class DecideProposalForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(required=False)
    reason = forms.CharField(label=_("Reason (when declining)"), max_length=500, required=False)


class DecisionForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    votes_for = forms.IntegerField(label=_("For"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, required=False)
    votes_abstained = forms.IntegerField(label=_("Abstained"), min_value=0, required=False)
    basis_for_recommendations = forms.BooleanField(label=_("Basis for recommendations"), required=False)


class MinutesForm(forms.Form):
    number = forms.CharField(label=_("Number of the minutes"), max_length=20, required=False)
    body = forms.CharField(label=_("Text of the minutes"), widget=forms.Textarea(attrs={"rows": 14}))


PRESENCE_CHOICES = Attendance.Presence.choices
