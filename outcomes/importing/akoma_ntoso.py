"""An Akoma Ntoso `statement` read back into a `Draft` (drafts.py), for the secretariat to
review and save with `outcome_statement_import` (services.py, both beside this module).

The identifiers and the markup are those outcomes/akoma_ntoso.py writes (see its
docstring). `validate_akn` checks a file against the OASIS schema shipped in akn/ beside
this module (see its NOTICE).

Reading back, the outcomes are the elements of the body that have a `<num>`, their text
the lines of their content (and heading), their kind and links as written there. A link is
resolved by its href (the document by its Work IRI, the outcome by its eId), else by the
citation code in its text; when neither names a recorded outcome or document, it is kept
unresolved and flagged in the draft's warnings, never guessed. Files are refused before
anything is read when they are over 5 MB, carry a DTD (no entity is ever expanded, no
network fetched), are not well-formed, or are not valid against the OASIS schema.
"""

import functools
import re
import threading
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from forums.tlp import TLP
from outcomes.akoma_ntoso import (
    KIND_CONCEPT,
    LINK_CONCEPT,
    LINK_EIDS,
    TALANOA_NS,
    WORK_PREFIX,
    NumberedRow,
    akn,
    eids_for,
)
from outcomes.importing.drafts import Draft, DraftLink, DraftOutcome
from outcomes.models import Outcome, OutcomeDocument

MAX_BYTES = 5 * 1024 * 1024
SCHEMA_PATH = Path(__file__).parent / "akn" / "akomantoso30.xsd"
SCHEMA_ERRORS_SHOWN = 3

_WORK_IRI = re.compile(
    rf"^{re.escape(WORK_PREFIX)}(?P<slug>[a-z0-9-]+)(?P<rest>[^~]*)(~(?P<eid>.+))?$"
)


# --- validation -------------------------------------------------------------------------

_schema_lock = threading.Lock()


@functools.cache
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))


def _parse(data: bytes):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; an Akoma Ntoso file may be at most %(limit)s MB.")
            % {"size": f"{len(data) / 1024 / 1024:.1f}", "limit": MAX_BYTES // 1024 // 1024},
            code="too_large",
        )
    if not data.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as error:
        raise ValidationError(
            _("This is not well-formed XML (line %(line)s): %(error)s")
            % {"line": error.lineno, "error": error.msg},
            code="not_xml",
        ) from error
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        # A DTD can declare entities (external files, "billion laughs"): none is accepted.
        raise ValidationError(
            _("The file declares a DTD (<!DOCTYPE …>); Akoma Ntoso files have none."),
            code="dtd",
        )
    return tree


def _check_schema(tree) -> None:
    schema = _schema()
    with _schema_lock:
        valid = schema.validate(tree)
        errors = list(schema.error_log)[:SCHEMA_ERRORS_SHOWN]
    if not valid:
        raise ValidationError(
            _("This is not valid Akoma Ntoso (OASIS schema): %(errors)s")
            % {
                "errors": "; ".join(
                    _("line %(line)s: %(message)s") % {"line": e.line, "message": e.message}
                    for e in errors
                )
            },
            code="invalid",
        )


def validate_akn(data: bytes) -> None:
    """Refuse (ValidationError) a file that is not valid Akoma Ntoso 3.0, or unsafe to read."""
    _check_schema(_parse(data))


# --- import -----------------------------------------------------------------------------


def _text(element) -> str:
    return "".join(element.itertext())


def _one_line(element) -> str:
    return " ".join(_text(element).split())


class _Concepts:
    """refersTo eIds → our outcome kinds and link kinds, by the TLCConcepts' hrefs."""

    def __init__(self, statement):
        self.kinds: dict[str, str] = {}
        self.links: dict[str, str] = {}
        by_eid = {eid: kind.value for kind, eid in LINK_EIDS.items()}
        for concept in statement.iterfind(f"{akn('meta')}/{akn('references')}/{akn('TLCConcept')}"):
            eid, href = concept.get("eId", ""), concept.get("href", "")
            if href.startswith(KIND_CONCEPT) and href[len(KIND_CONCEPT) :] in Outcome.Kind.values:
                self.kinds[eid] = href[len(KIND_CONCEPT) :]
            elif href.startswith(LINK_CONCEPT) and href[len(LINK_CONCEPT) :] in by_eid:
                self.links[eid] = by_eid[href[len(LINK_CONCEPT) :]]

    @staticmethod
    def _refs(element) -> list[str]:
        return [ref.removeprefix("#") for ref in (element.get("refersTo") or "").split()]

    def kind_of(self, element) -> str:
        return next((self.kinds[r] for r in self._refs(element) if r in self.kinds), "")

    def link_of(self, element) -> str:
        return next((self.links[r] for r in self._refs(element) if r in self.links), "")


def _codes_for_slug(slug: str) -> list[str]:
    """The citation prefixes a work slug may come from: the "/" was one of its hyphens."""
    return [
        f"{slug[:i].upper()}/{slug[i + 1 :].upper()}"
        for i, char in enumerate(slug)
        if char == "-" and 0 < i < len(slug) - 1
    ]


def _rows(queryset) -> list[NumberedRow]:
    return [
        NumberedRow(id=pk, number=number, parent_id=parent_id, position=position)
        for pk, number, parent_id, position in queryset.values_list(
            "pk", "number", "parent_id", "position"
        )
    ]


class _Resolver:
    """A link's target among recorded outcomes and documents: by IRI, else by code."""

    def __init__(self):
        self._eids: dict[int, dict[str, int]] = {}

    def resolve(self, link: DraftLink, href: str) -> None:
        found = self._by_iri(href) or self._by_code(link.target_label)
        if isinstance(found, Outcome):
            link.target_outcome_id, link.target_code = found.pk, found.citation_code
        elif isinstance(found, OutcomeDocument):
            link.target_document_id, link.target_code = found.pk, found.code

    def _by_iri(self, href: str) -> Outcome | OutcomeDocument | None:
        match = _WORK_IRI.match(href.strip())
        if match is None:
            return None
        documents = list(OutcomeDocument.objects.filter(code__in=_codes_for_slug(match["slug"])))
        if len(documents) != 1:
            return None
        document = documents[0]
        if not match["eid"]:
            return document
        if document.pk not in self._eids:
            found = eids_for(_rows(document.outcomes.all()))
            self._eids[document.pk] = {eid: pk for pk, eid in found.items()}
        pk = self._eids[document.pk].get(match["eid"])
        return Outcome.objects.select_related("document").get(pk=pk) if pk else None

    @staticmethod
    def _by_code(code: str) -> Outcome | OutcomeDocument | None:
        code = code.strip()
        if not code:
            return None
        return (
            Outcome.objects.filter(citation_code=code).first()
            or OutcomeDocument.objects.filter(code=code).first()
        )


def _is_link(p, concepts: _Concepts) -> bool:
    refs = p.findall(akn("ref"))
    return len(refs) == 1 and bool(concepts.link_of(refs[0]))


def draft_from_akn(data: bytes) -> Draft:
    """Read an Akoma Ntoso `statement` back into a draft; refuse what is not one."""
    tree = _parse(data)
    _check_schema(tree)
    root = tree.getroot()
    statement = root[0]
    if statement.tag != akn("statement"):
        raise ValidationError(
            _("This Akoma Ntoso file holds a “%(type)s”; Talanoa reads a “statement”.")
            % {"type": etree.QName(statement).localname},
            code="not_statement",
        )
    draft = Draft()
    _read_document(statement, draft)
    reader = _OutcomeReader(statement, draft)
    reader.read(statement.find(akn("mainBody")), None)
    draft.source_text = "\n".join(reader.lines)
    _warn(draft)
    return draft


class _OutcomeReader:
    """The numbered elements of a statement's body, in document order, as the draft's
    outcomes; `lines` is the source text the review shows beside them."""

    def __init__(self, statement, draft: Draft):
        self.draft = draft
        self.concepts = _Concepts(statement)
        self.resolver = _Resolver()
        self.lines: list[str] = []

    def read(self, element, parent_number: str | None) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            num = child.find(akn("num"))
            if num is not None:
                self._read_outcome(child, _one_line(num), parent_number)
            elif child.tag not in (akn("content"), akn("intro"), akn("wrapUp"), akn("p")):
                self.read(child, parent_number)  # a container without a number

    def _read_outcome(self, element, number: str, parent_number: str | None) -> None:
        if parent_number and number.startswith("("):
            number = parent_number + number  # "(a)" under "3" is cited as 3(a)
        outcome = DraftOutcome(
            number=number,
            text="",
            kind=self.concepts.kind_of(element),
            parent_number=parent_number,
            tlp=_tlp_value(element.get(f"{{{TALANOA_NS}}}tlp")),
            source_line=len(self.lines) + 1,
        )
        outcome.text = "\n".join(self._text_lines(element, outcome))
        self.draft.outcomes.append(outcome)
        self.lines.extend(f"{number} {outcome.text}".split("\n"))
        self.read(element, number)
        outcome.is_section = not outcome.kind and any(
            o.parent_number == number for o in self.draft.outcomes
        )

    def _text_lines(self, element, outcome: DraftOutcome) -> list[str]:
        """The lines of its heading and content; its links go to `outcome.links`."""
        text_lines = []
        heading = element.find(akn("heading"))
        if heading is not None:
            text_lines.append(_one_line(heading))
        for block_name in ("content", "intro"):
            block = element.find(akn(block_name))
            if block is None:
                continue
            for item in block:
                if not isinstance(item.tag, str):
                    continue
                if item.tag == akn("p") and _is_link(item, self.concepts):
                    outcome.links.append(_read_link(item, self.concepts, self.resolver))
                elif item.tag == akn("p"):
                    line = _text(item)
                    # Ours hold one line each, spaces kept; a line break inside a <p>
                    # is another writer's layout, insignificant as in HTML.
                    text_lines.append(" ".join(line.split()) if "\n" in line else line)
                else:
                    text_lines.append(_one_line(item))
        return text_lines


def _tlp_value(label: str | None) -> int | None:
    """ "TLP:AMBER" → TLP.AMBER; None for no label or one Talanoa does not know."""
    by_label = {str(level.label): level.value for level in TLP}
    return by_label.get((label or "").strip())


def _read_document(statement, draft: Draft) -> None:
    name = statement.get("name", "")
    if name in OutcomeDocument.Kind.values:
        draft.kind = name
    else:
        draft.warnings.append(
            _("The statement is a “%(name)s”, not a kind Talanoa knows: choose one.")
            % {"name": name}
        )
    preface = statement.find(akn("preface"))
    if preface is not None:
        for field, tag in (
            ("title", "docTitle"),
            ("short_title", "shortTitle"),
            ("code", "docNumber"),
        ):
            element = preface.find(f".//{akn(tag)}")
            if element is not None:
                setattr(draft, field, _one_line(element))
    label = statement.find(f".//{{{TALANOA_NS}}}tlp")
    if label is not None:
        draft.tlp = _tlp_value(label.text)
    work = statement.find(f"{akn('meta')}/{akn('identification')}/{akn('FRBRWork')}")
    if not draft.code:
        alias = work.find(f"{akn('FRBRalias')}[@name='citationCode']")
        draft.code = alias.get("value", "") if alias is not None else ""
    for date in work.iterfind(akn("FRBRdate")):
        if date.get("name") == "adoption":
            draft.adopted_on = date.get("date", "")[:10]


def _read_link(p, concepts: _Concepts, resolver: _Resolver) -> DraftLink:
    ref = p.find(akn("ref"))
    link = DraftLink(
        kind=concepts.link_of(ref),
        phrase=_one_line(p),
        target_label=_one_line(ref),
    )
    resolver.resolve(link, ref.get("href", ""))
    return link


def _warn(draft: Draft) -> None:
    seen: set[str] = set()
    for outcome in draft.outcomes:
        if outcome.number in seen:
            draft.warnings.append(
                _("Outcome number %(number)s appears twice.") % {"number": outcome.number}
            )
        seen.add(outcome.number)
    for outcome, link in draft.unresolved:
        draft.warnings.append(
            _(
                "%(number)s: the reference to “%(label)s” names no recorded outcome or "
                "document; it is flagged, not guessed."
            )
            % {"number": outcome.number, "label": link.target_label or link.phrase}
        )
