"""What meetings adopt: outcome documents, their numbered outcomes, and links between them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from forums.access import Audience, audience_of, named_in, tlp_rule
from forums.audit import Versioned
from forums.models import Meeting, Member
from forums.tlp import TLP, validate_not_more_open

DOCUMENT_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z][A-Z0-9-]*/[0-9]+(-[A-Z0-9]+)?$",
    _("Forum acronym / meeting number, with a suffix for a second document: JHOPS/5-AP."),
)
OUTCOME_NUMBER_VALIDATOR = RegexValidator(
    r"^[0-9A-Za-z]+([.()][0-9A-Za-z()]*)*$",
    _("Numbers like 16, 3.(2)(f) or 4.b: letters, digits, dots and brackets, no spaces."),
)


class OutcomeDocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OutcomeDocumentQuerySet":
        """The one place that decides which documents a person may see (forums.access)."""
        return self.filter(document_rule(audience_of(user), prefix=""))

    def with_outcome_count(self) -> "OutcomeDocumentQuerySet":
        """Annotate `outcome_count`, for `counted()`."""
        return self.annotate(outcome_count=Count("outcomes"))


def document_rule(audience: Audience, *, prefix: str) -> Q:
    return tlp_rule(
        audience,
        label=f"{prefix}tlp",
        forum=f"{prefix}meeting__forum_id",
        amber=Q(**{f"{prefix}meeting__forum_id__in": audience.amber_forums}),
        red=None,  # a TLP:RED document is the secretariat's alone
    )


class OutcomeDocument(models.Model):
    class Kind(models.TextChoices):
        OUTCOME_STATEMENT = "outcome_statement", _("Outcome statement")
        COMMUNIQUE = "communique", _("Communiqué")
        DECLARATION = "declaration", _("Declaration")
        ACTION_PLAN = "action_plan", _("Action plan")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(
        _("title"), max_length=300, help_text=_("e.g. “2022 Denarau Outcome”.")
    )
    short_title = models.CharField(
        _("short title"),
        max_length=100,
        blank=True,
        help_text=_("How other texts cite it, e.g. “Denarau Outcome”."),
    )
    code = models.CharField(
        _("citation prefix"),
        max_length=40,
        unique=True,
        validators=[DOCUMENT_CODE_VALIDATOR],
        help_text=_("Starts its outcomes' citation codes; never changes once outcomes exist."),
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("Where it was adopted, as its title block says, e.g. “Suva, Fiji”."),
    )
    tlp = models.PositiveSmallIntegerField(_("TLP label"), choices=TLP.choices, default=TLP.CLEAR)
    source_note = models.TextField(
        _("source"), blank=True, help_text=_("Where the text comes from, and what is missing.")
    )
    # What an import read, kept as it was pasted or extracted: the outcomes can be checked
    # against it later. Written once, by the import service, never in a form.
    source_text = models.TextField(_("text"), blank=True, editable=False)
    objects = OutcomeDocumentQuerySet.as_manager()
    # Up to a million characters that never change: a copy in each history row would
    # only repeat it.
    history = HistoricalRecords(excluded_fields=["source_text"])

    class Meta:
        ordering = ["meeting", "code"]
        verbose_name = _("outcome document")
        verbose_name_plural = _("outcome documents")

    def __str__(self) -> str:
        return self.title

    def counted(self) -> str:
        """ "JHOPS/5 (10 outcomes)": a document as a meeting's checklist and a second
        import name it (read with_outcome_count)."""
        count: int = self.outcome_count  # type: ignore[attr-defined]
        return ngettext("%(code)s (%(count)d outcome)", "%(code)s (%(count)d outcomes)", count) % {
            "code": self.code,
            "count": count,
        }

    def clean(self) -> None:
        # Its outcomes' citation codes start with the code and are already cited.
        if self.pk is None:
            return
        stored = OutcomeDocument.objects.filter(pk=self.pk).values_list("code", flat=True).first()
        if stored is not None and stored != self.code and self.outcomes.exists():
            raise ValidationError(
                {
                    "code": _("Its outcomes are cited as %(code)s/…; it cannot change.")
                    % {"code": stored}
                }
            )


def outcome_rule(audience: Audience, *, prefix: str) -> Q:
    """Who reads an outcome (at `prefix`, e.g. "target_outcome__" from a link)."""
    forum = f"{prefix}document__meeting__forum_id"
    own = tlp_rule(
        audience,
        label=f"{prefix}tlp",
        forum=forum,
        amber=Q(**{f"{forum}__in": audience.amber_forums}),
        red=named_in(
            Outcome.recipients.through, audience=audience, column="outcome_id", prefix=prefix
        ),
    )
    # The document's label too: a label raised on a document closes its outcomes.
    return own & document_rule(audience, prefix=f"{prefix}document__")


class OutcomeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OutcomeQuerySet":
        """The one place that decides which outcomes a person may see (forums.access)."""
        return self.filter(outcome_rule(audience_of(user), prefix=""))

    def with_parent_code(self, user) -> "OutcomeQuerySet":
        """Annotate `parent_code`: the parent's citation code if `user` may read the parent,
        else None. A RED sub-item may name other people than its RED parent: citing a
        parent they may not read would tell them it exists."""
        readable_parent = self.model.objects.visible_to(user).filter(pk=OuterRef("parent_id"))
        return self.annotate(parent_code=Subquery(readable_parent.values("citation_code")[:1]))

    def in_document_order(self) -> "OutcomeQuerySet":
        return self.order_by("document__meeting__forum__acronym", "document__code", "position")


class Outcome(Versioned):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        COMMITMENT = "commitment", _("Commitment")
        REAFFIRMATION = "reaffirmation", _("Reaffirmation")
        RECOGNITION = "recognition", _("Recognition")
        WELCOME = "welcome", _("Welcome")
        DECISION = "decision", _("Decision")
        RECOMMENDATION = "recommendation", _("Recommendation")
        # Paragraphs that record rather than decide: who met where, offers, thanks.
        NOTE = "note", _("Noting / record")

    class Status(models.TextChoices):
        # The vocabulary of the CBD's decision-tracking tool.
        ACTIVE = "active", _("Active")
        IMPLEMENTED = "implemented", _("Implemented")
        ELAPSED = "elapsed", _("Elapsed")
        SUPERSEDED = "superseded", _("Superseded")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.ACTIVE: frozenset({Status.IMPLEMENTED, Status.ELAPSED, Status.SUPERSEDED}),
        # A later meeting may find an outcome was not done after all.
        Status.IMPLEMENTED: frozenset({Status.ACTIVE}),
        Status.ELAPSED: frozenset({Status.ACTIVE}),
        Status.SUPERSEDED: frozenset(),
    }

    document = models.ForeignKey(
        OutcomeDocument,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    number = models.CharField(_("number"), max_length=40, validators=[OUTCOME_NUMBER_VALIDATOR])
    position = models.PositiveIntegerField(
        _("position"), help_text=_("Order in the document; numbers alone do not sort (3.(2)(f)).")
    )
    text = models.TextField(_("text"))
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        blank=True,
        help_text=_("Leave empty when the text is not held and the kind is not known."),
    )
    status = models.CharField(
        _("implementation status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    responsible = models.ManyToManyField(
        Member, verbose_name=_("responsible"), blank=True, related_name="outcomes_responsible"
    )
    tlp = models.PositiveSmallIntegerField(_("TLP label"), choices=TLP.choices, default=TLP.CLEAR)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named recipients (TLP:RED)"),
        blank=True,
        related_name="red_outcomes",
    )
    citation_code = models.CharField(
        _("citation code"),
        max_length=90,
        unique=True,
        editable=False,
        help_text=_("Permanent: set when the outcome is recorded, never changed."),
    )
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    objects = OutcomeQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[responsible])

    class Meta:
        ordering = ["document", "position"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="unique_outcome_number_per_document",
                violation_error_message=_("This document already has an outcome with this number."),
            ),
            models.UniqueConstraint(
                fields=["document", "position"],
                name="unique_outcome_position_per_document",
                violation_error_message=_("Two outcomes cannot share a position in a document."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.citation_code} — {self.text[:60]}"

    def clean(self) -> None:
        if self.document_id is None:
            return
        if self.citation_code and self.citation_code != citation_code_for(
            self.document, self.number
        ):
            raise ValidationError(
                {"number": _("The number of a recorded outcome cannot change: it is cited.")}
            )
        validate_not_more_open(
            child_label=self.tlp, parent_label=self.document.tlp, parent_name=_("document")
        )
        if self.parent_id is not None:
            assert self.parent is not None  # fetched by its id
            if self.parent.document_id != self.document_id:
                raise ValidationError({"parent": _("A sub-item belongs to the same document.")})
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("An outcome cannot be part of itself.")})
            validate_not_more_open(
                child_label=self.tlp, parent_label=self.parent.tlp, parent_name=_("parent outcome")
            )

    @property
    def label(self) -> str:
        """How people cite it: “Denarau Outcome 16”."""
        return f"{self.document.short_title or self.document.title} {self.number}"


def citation_code_for(document: OutcomeDocument, number: str) -> str:
    return f"{document.code}/{number}"


class OutcomeLinkQuerySet(models.QuerySet):
    """Links as a person may see them: a link never shows a code they may not read.

    Each rule is applied through the link's own joins, not as "IN (every visible
    outcome)", which PostgreSQL hashes whole: work that grows with the database, not with
    the page of links asked for.
    """

    def reaching_visible(self, user) -> "OutcomeLinkQuerySet":
        """Links whose far end (an outcome or a document) the person may see."""
        audience = audience_of(user)
        return self.filter(
            (Q(target_outcome__isnull=False) & outcome_rule(audience, prefix="target_outcome__"))
            | (
                Q(target_document__isnull=False)
                & document_rule(audience, prefix="target_document__")
            )
        )

    def from_visible(self, user) -> "OutcomeLinkQuerySet":
        """Links whose source outcome the person may see."""
        return self.filter(outcome_rule(audience_of(user), prefix="source__"))


class OutcomeLink(models.Model):
    """A typed edge from an outcome to an earlier outcome or a whole document."""

    class Kind(models.TextChoices):
        REAFFIRMS = "reaffirms", _("reaffirms")
        PURSUANT_TO = "pursuant_to", _("pursuant to")
        SUPERSEDES = "supersedes", _("supersedes")
        IMPLEMENTS = "implements", _("implements")

    source = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="links_out"
    )
    kind = models.CharField(_("relation"), max_length=12, choices=Kind.choices)
    target_outcome = models.ForeignKey(
        Outcome,
        verbose_name=_("to outcome"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="links_in",
    )
    target_document = models.ForeignKey(
        OutcomeDocument,
        verbose_name=_("to document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="links_in",
    )
    history = HistoricalRecords()

    objects = OutcomeLinkQuerySet.as_manager()

    class Meta:
        ordering = ["source", "kind", "pk"]
        verbose_name = _("outcome link")
        verbose_name_plural = _("outcome links")
        constraints = [
            models.CheckConstraint(
                condition=(Q(target_outcome__isnull=False) & Q(target_document__isnull=True))
                | (Q(target_outcome__isnull=True) & Q(target_document__isnull=False)),
                name="link_has_exactly_one_target",
                violation_error_message=_("Link to one outcome or one document, not both."),
            ),
            models.CheckConstraint(
                condition=~Q(target_outcome=models.F("source")),
                name="link_not_to_itself",
                violation_error_message=_("An outcome cannot link to itself."),
            ),
            models.UniqueConstraint(
                fields=["source", "kind", "target_outcome"],
                condition=Q(target_outcome__isnull=False),
                name="unique_link_to_outcome",
                violation_error_message=_("This link is already recorded."),
            ),
            models.UniqueConstraint(
                fields=["source", "kind", "target_document"],
                condition=Q(target_document__isnull=False),
                name="unique_link_to_document",
                violation_error_message=_("This link is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        target = self.target_outcome or self.target_document
        return f"{self.source.citation_code} {self.get_kind_display()} {target}"
