from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forums.models import Profile
from forums.tlp import TLP
from outcomes.models import Outcome
from reports.content import LEVELS, check_as_of
from reports.models import SUMMARY_MAX_CHARS, ChairSummary, check_summary_length, readers_of
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
            # As the author may know it (TaskQuerySet.with_changes_seen_by), as in the API.
            {
                "status": task.status,
                "progress": task.progress,
                "expected_version": task.seen_version,
            },
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


# Lazy: choices built once, at import, and read in each reader's language.
readers_in_words = lazy(readers_of, str)

CHOOSE_READERS = _("Choose who may read it among the levels offered.")


class ReportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(fmt, fmt.upper()) for fmt in FORMATS],
        initial="pdf",
        widget=forms.RadioSelect,
        help_text=_("HTML opens in the browser; PDF and DOCX (Word) are downloaded."),
    )
    tlp = forms.TypedChoiceField(
        label=_("Who may read it"),
        coerce=int,
        initial=TLP.CLEAR,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": CHOOSE_READERS, "required": CHOOSE_READERS},
    )
    # Empty: today (reports.content.report_today), as the API and the admin.
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        validators=[check_as_of],
        # ISO in every language: the browser's date picker reads and writes nothing else.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("What was recorded by the end of this day (UTC)."),
    )
    # Empty: the language the asker reads Talanoa in (reports.services).
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Profile.Language.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, levels: list[TLP], **kwargs):
        super().__init__(*args, **kwargs)
        tlp = self.fields["tlp"]
        assert isinstance(tlp, forms.ChoiceField)
        tlp.choices = [(level.value, readers_of(level)) for level in levels]


class ChairSummaryForm(forms.Form):
    """The chair's key messages and recommendations, plain text, each fitting a page."""

    key_messages = forms.CharField(
        label=_("Key messages"),
        required=False,
        validators=[check_summary_length],
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    recommendations = forms.CharField(
        label=_("Recommendations"),
        required=False,
        validators=[check_summary_length],
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    tlp = forms.TypedChoiceField(
        label=_("Who may read it"),
        coerce=int,
        choices=[(level.value, readers_in_words(level)) for level in LEVELS],
        widget=forms.RadioSelect,
        help_text=_("A report for more readers than this leaves the summary out."),
    )
    # The version the writer read (0: none yet): a save by someone else since is refused.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, summary: ChairSummary | None, **kwargs):
        initial: dict[str, object]
        if summary is None:
            initial = {"tlp": TLP.GREEN, "expected_version": 0}
        else:
            initial = {
                "key_messages": summary.key_messages,
                "recommendations": summary.recommendations,
                "tlp": summary.tlp,
                "expected_version": summary.version,
            }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        # In the reader's language, with its grouping of thousands: 1,500; 1 500.
        limit = gettext("Up to %(limit)s characters, so that it fits on the page.") % {
            "limit": number_format(SUMMARY_MAX_CHARS, force_grouping=True)
        }
        self.fields["key_messages"].help_text = limit
        self.fields["recommendations"].help_text = limit


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


class SecondFactorCodeForm(forms.Form):
    """The code of the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now, or an unused recovery code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class SecondFactorEnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )


class SecondFactorRemoveForm(SecondFactorCodeForm):
    password = forms.CharField(
        label=_("Your password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]
