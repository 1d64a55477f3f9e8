"""Forms of the problems database: filing an issue, a citizen's submission, moderation and links."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kenes.core.models import District, Region, Topic, VulnerableGroup
from kenes.core.widgets import DateInput, FastSelect

from .models import PRIVATE_STATUSES, Issue, IssueLink, Language, Problem


def _issue_ids(value: str) -> list[int]:
    ids = []
    for part in value or []:
        try:
            ids.append(int(part))
        except (TypeError, ValueError):
            continue
    return ids


class IssueForm(forms.Form):
    """Filing a problem from a council's workspace; the public form below adds the sender."""

    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happens, where, whom it affects and since when."),
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=Language.choices)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), required=False, widget=FastSelect
    )
    district = forms.ModelChoiceField(
        label=_("District or city"), queryset=District.objects.none(), required=False, widget=FastSelect
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Vulnerable groups affected"),
        queryset=VulnerableGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, council=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("name_kk")
        self.fields["district"].queryset = District.objects.select_related("region").order_by("name_kk")
        self.fields["topics"].queryset = Topic.objects.order_by("pk")
        self.fields["groups"].queryset = VulnerableGroup.objects.order_by("pk")
        self.fields["description"].max_length = settings.KENES_ISSUE_MAX_CHARS
        self.fields["description"].widget.attrs["maxlength"] = settings.KENES_ISSUE_MAX_CHARS
        if council is not None and not self.is_bound:
            self.initial.setdefault("region", council.region_id)
            self.initial.setdefault("district", council.district_id)

    def chosen(self, name: str) -> list[int]:
        """Ids the user ticked among the suggestions (``same_as`` / ``related_to``)."""
        return _issue_ids(self.data.getlist(name)) if self.is_bound and hasattr(self.data, "getlist") else []

    @property
    def text(self) -> str:
        if not self.is_bound:
            return ""
        return f"{self.data.get('title', '')}. {self.data.get('description', '')}".strip(" .")


class PublicIssueForm(IssueForm):
    """A citizen's submission to a council. ``website`` is a honeypot: people never see it."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail"),
        help_text=_("We send you the decisions on your submission; it is never published."),
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    consent = forms.BooleanField(
        label=_("I agree that the council processes my name and e-mail address to answer this submission.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    duplicate_of = forms.IntegerField(
        label=_("Number of the problem it duplicates"), required=False, min_value=1
    )


class LinkForm(forms.Form):
    target = forms.IntegerField(label=_("Number of the other problem"), min_value=1)
    kind = forms.ChoiceField(label=_("Link"), choices=IssueLink.Kind.choices)

    def clean_target(self):
        pk = self.cleaned_data["target"]
        issue = Issue.objects.exclude(status__in=PRIVATE_STATUSES).filter(pk=pk).first()
        if issue is None:
            raise forms.ValidationError(_("There is no published problem with this number."))
        return issue


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=500)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        widget=FastSelect,
        to_field_name="code",
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, to_field_name="code"
    )
    group = forms.ModelChoiceField(
        label=_("Vulnerable group"),
        queryset=VulnerableGroup.objects.none(),
        required=False,
        to_field_name="code",
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    council = forms.CharField(label=_("Council code"), required=False, max_length=80)
    date_from = forms.DateField(label=_("Filed from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Filed until"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("name_kk")
        self.fields["topic"].queryset = Topic.objects.order_by("pk")
        self.fields["group"].queryset = VulnerableGroup.objects.order_by("pk")
        self.fields["status"].choices = [("", _("any"))] + [
            (value, label) for value, label in Issue.Status.choices if value not in PRIVATE_STATUSES
        ]


class ProblemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Central summary"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


class SplitForm(forms.Form):
    title = forms.CharField(label=_("Title of the new national problem"), max_length=300)
    issues = forms.ModelMultipleChoiceField(
        label=_("Problems to move"), queryset=Issue.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, problem: Problem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].queryset = problem.issues.select_related("council", "region")
        self.fields["issues"].label_from_instance = lambda issue: (
            f"№{issue.pk} · {issue.region} · {issue.title}"
        )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Problem.objects.none())

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets
        self.fields["into"].label_from_instance = lambda problem: f"№{problem.pk} · {problem.title}"


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Coordination meeting"), queryset=Problem.objects.none())

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda meeting: (
            f"{meeting.starts_at:%d.%m.%Y} · {meeting.title}"
        )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, image, DOCX, XLSX or text)"))
