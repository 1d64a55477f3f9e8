from django import forms
from django.utils.translation import gettext_lazy as _

from kenes.core.models import StateBody

from .models import Answer, Evidence, RejectionReason, Verification


class ResponseForm(forms.Form):
    """The officer's answer; up to three commitments for an acceptance (more are added afterwards)."""

    answer = forms.ChoiceField(label=_("Answer"), choices=Answer.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    reason_code = forms.ChoiceField(
        label=_("Reason for rejection"), choices=[("", "—"), *RejectionReason.choices], required=False
    )
    redirect_to = forms.ModelChoiceField(
        label=_("Competent body (when not competent)"), queryset=StateBody.objects.all(), required=False
    )
    action_1 = forms.CharField(label=_("Commitment: action"), required=False, max_length=5000)
    unit_1 = forms.CharField(label=_("Responsible unit"), required=False, max_length=300)
    promised_1 = forms.DateField(
        label=_("Promised date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    action_2 = forms.CharField(label=_("Second commitment: action"), required=False, max_length=5000)
    unit_2 = forms.CharField(label=_("Responsible unit"), required=False, max_length=300)
    promised_2 = forms.DateField(
        label=_("Promised date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def commitments(self):
        from .services import CommitmentInput

        data = self.cleaned_data
        return [
            CommitmentInput(data[f"action_{n}"], data[f"unit_{n}"], data[f"promised_{n}"])
            for n in (1, 2)
            if data.get(f"action_{n}") or data.get(f"unit_{n}") or data.get(f"promised_{n}")
        ]


class VerificationForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verification.Verdict.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("The council's findings"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    evidence_kind = forms.ChoiceField(
        label=_("Kind of evidence"), choices=Evidence.Kind.choices, required=False
    )
    evidence_file = forms.FileField(label=_("File (PDF, image, DOCX, XLSX, text)"), required=False)
    evidence_url = forms.URLField(label=_("Or a link"), required=False, assume_scheme="https")

    def evidence(self):
        from .services import EvidenceInput

        data = self.cleaned_data
        if not data.get("evidence_file") and not data.get("evidence_url"):
            return []
        return [
            EvidenceInput(
                kind=data.get("evidence_kind") or Evidence.Kind.DOCUMENT,
                file=data.get("evidence_file"),
                url=data.get("evidence_url") or "",
            )
        ]


class ClarificationRequestForm(forms.Form):
    question = forms.CharField(
        label=_("Question to the council"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class ClarificationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Clarification"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class HearingForm(forms.Form):
    held_on = forms.DateField(label=_("Hearing date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place or link"), max_length=300)


class ExtensionForm(forms.Form):
    working_days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class MoveForm(forms.Form):
    promised_on = forms.DateField(
        label=_("New promised date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Why the date moves"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ClaimForm(forms.Form):
    text = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    evidence_kind = forms.ChoiceField(label=_("Kind of evidence"), choices=Evidence.Kind.choices)
    evidence_file = forms.FileField(label=_("File (PDF, image, DOCX, XLSX, text)"), required=False)
    evidence_url = forms.URLField(label=_("Or a link"), required=False, assume_scheme="https")

    evidence = VerificationForm.evidence
