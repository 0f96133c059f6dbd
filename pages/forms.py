from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from forums.tlp import TLP
from outcomes.models import Outcome
from reports.render import FORMATS
from workinggroups.csv_exchange import MAX_BYTES
from workinggroups.implementation import State
from workinggroups.models import Task


class TaskUpdateForm(forms.Form):
    """A progress update; the status choices are the moves the task allows from where it is."""

    status = forms.ChoiceField(label=_("Status"))
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5, "inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the task becomes blocked or is withdrawn."),
    )
    # The version the author saw: if someone else moved the task since, the service refuses.
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, task: Task, **kwargs):
        kwargs.setdefault(
            "initial",
            {"status": task.status, "progress": task.progress, "expected_version": task.version},
        )
        super().__init__(*args, **kwargs)
        labels = dict(Task.Status.choices)
        current = [(task.status, _("%(status)s (no change)") % {"status": labels[task.status]})]
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = current + [(value, labels[value]) for value in task.allowed_statuses()]


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("The columns of the export; only status, progress and note are read."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    text = forms.CharField(
        label=_("Or paste the rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )

    def __init__(self, *args, oversized: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # A file over the upload bound (settings.FILE_UPLOAD_HANDLERS) never arrives: the
        # view says so, or the form would ask for a file that was sent.
        self.oversized = oversized

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if self.oversized or (upload is not None and upload.size > MAX_BYTES):
            raise forms.ValidationError(
                _("The file is larger than 1 MB; split it into smaller files.")
            )
        if upload is not None:
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.")
                ) from None
        if not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a CSV file or paste its rows."))
        return cleaned


class ReportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(fmt, fmt.upper()) for fmt in FORMATS],
        initial="pdf",
        widget=forms.RadioSelect,
    )
    tlp = forms.TypedChoiceField(label=_("Up to"), coerce=int, initial=TLP.CLEAR)

    def __init__(self, *args, levels: list[TLP], **kwargs):
        super().__init__(*args, **kwargs)
        tlp = self.fields["tlp"]
        assert isinstance(tlp, forms.ChoiceField)
        tlp.choices = [(level.value, level.label) for level in levels]


class ImplementationFilterForm(forms.Form):
    """The filters of a forum's state of implementation, from the address (a GET form).

    An unknown value is a form error: an address edited by hand, or one kept from before a
    meeting was renumbered, says what is wrong instead of listing something else.
    """

    meeting = forms.TypedChoiceField(label=_("Meeting"), required=False, coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        choices = {
            "meeting": [(m.sequence, str(m)) for m in meetings],
            "kind": Outcome.Kind.choices,
            "state": State.choices,
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("All")), *values]
