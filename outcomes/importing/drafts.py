"""A parsed outcome document before it is saved: what the importers produce and the
secretariat corrects.

Both importers (statement.py for pasted text, .txt, .docx and .pdf; akoma_ntoso.py for
Akoma Ntoso XML, both beside this module) return a `Draft`; the review form edits it;
`services.outcome_statement_import` saves it, all or nothing. A draft is plain data
(JSON-able through `as_dict`/`from_dict`), so a preview can travel through a form or the
API and come back corrected.
"""

from dataclasses import asdict, dataclass, field


@dataclass
class DraftLink:
    """A reference the text makes to an earlier outcome or document.

    Resolved when `target_outcome_id` or `target_document_id` is set; otherwise it is
    flagged for the secretariat (`target_label` says what the text named), never guessed.
    """

    kind: str  # an OutcomeLink.Kind value
    phrase: str  # the words of the text, e.g. "pursuant to Outcome 16 of the Denarau Outcome"
    target_label: str  # what the text names: "Outcome 16 of the Denarau Outcome"
    target_outcome_id: int | None = None
    target_document_id: int | None = None
    target_code: str = ""  # the citation code or document code it resolved to
    # The text named no relation ("pursuant to", "reaffirmed" …): the kind is a default.
    kind_inferred: bool = False

    @property
    def resolved(self) -> bool:
        return self.target_outcome_id is not None or self.target_document_id is not None


@dataclass
class DraftOutcome:
    number: str
    text: str
    kind: str = ""  # an Outcome.Kind value, or "" when the lead verb says nothing
    parent_number: str | None = None
    links: list[DraftLink] = field(default_factory=list)
    # The unnumbered heading it stands under ("MARITIME SECURITY"), kept as its context.
    heading: str = ""
    # A numbered section heading ("1. Maritime security") is recorded as the parent of
    # its items, so that their numbers ("1(2)(a)") stay unique and citable.
    is_section: bool = False
    # A label stricter than the document's (Akoma Ntoso carries it); None: the document's.
    tlp: int | None = None
    source_line: int = 0  # where it starts in the extracted text (1-based), for the preview


@dataclass
class Draft:
    outcomes: list[DraftOutcome] = field(default_factory=list)
    # The extracted text, shown beside the parse so that each item can be checked.
    source_text: str = ""
    # What the parser noticed and could not settle: shown above the preview.
    warnings: list[str] = field(default_factory=list)
    # Set by the Akoma Ntoso importer, which carries the document's own metadata, and by
    # the statement parser from the title block at the top of the text.
    title: str = ""
    short_title: str = ""
    code: str = ""
    kind: str = ""
    adopted_on: str = ""  # ISO date
    tlp: int | None = None
    place: str = ""  # where it was adopted, as the title block says: "Suva, Fiji"
    # Lines dropped as page or web furniture (running headers, "Page 3 of 12", share
    # links), each once: listed in the preview so that nothing vanishes unseen.
    furniture: list[str] = field(default_factory=list)
    # Annexes after the body, kept apart from the outcomes: {"title": …, "text": …}.
    annexes: list[dict] = field(default_factory=list)

    @property
    def unresolved(self) -> list[tuple[DraftOutcome, DraftLink]]:
        return [(o, link) for o in self.outcomes for link in o.links if not link.resolved]

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Draft":
        outcomes = [
            DraftOutcome(
                **{
                    **item,
                    "links": [DraftLink(**link) for link in item.get("links", [])],
                }
            )
            for item in data.get("outcomes", [])
        ]
        return cls(**{**data, "outcomes": outcomes})
