"""Outcome documents as Akoma Ntoso XML (OASIS LegalDocML 1.0, a `statement`).

`document_to_akn` writes one document as far as a person may see it, valid against the
OASIS schema; outcomes/importing/akoma_ntoso.py checks a file against that schema
(`validate_akn`) and reads it back into a draft, by the identifiers and markup below.

Identifiers (Akoma Ntoso Naming Convention 1.0, "AKN NC"), all derived from the citation
codes, which never change once published, so that a link made today still resolves later:

- Work IRI: `/akn/int/statement/<code>`, where <code> is the document's citation prefix in
  lower case with "/" as "-" (JHOPS/4 → jhops-4, JHOPS/5-AP → jhops-5-ap). "int": the
  forums are international. The document's kind (communiqué, action plan …) is the
  statement's `name`, not a part of the IRI: correcting a kind must not move the IRI.
  The date is not part of it either (AKN NC puts one there): adoption dates are often
  unknown and filled in later, and a citation must not move when they are.
  FRBRthis adds the component: `/akn/int/statement/jhops-4/!main`.
- Expression: the original English text, `<work>/eng@` (FRBRthis `<work>/eng@/!main`).
- Manifestation: this XML, `<work>/eng@.xml` (FRBRthis `<work>/eng@/!main.xml`).
- FRBRdate (all three levels, so that the same document always gives the same file): the
  adoption date (name "adoption"), else the meeting's first day ("meeting"), else the day
  the document was recorded in Talanoa ("recorded").
- FRBRauthor: the forum, a TLCOrganization (eId: its acronym in lower case); the
  manifestation's author is Talanoa (#talanoa), which made the markup.
- The citation code itself is kept as FRBRalias name="citationCode", FRBRnumber and
  docNumber, and in our proprietary block.

Outcomes are nested `<paragraph>` elements, each with `<num>` (the number as cited) and its
text, one `<p>` per line, in `<content>` (or `<intro>` when it has sub-items; a section,
an outcome with no kind and sub-items, is written like any other). eIds follow AKN NC
3.0-style composition: the parent's eId, "__", then "para_" and the number's own part
(letters and digits, brackets and dots dropped), one level per part the number adds to
its parent's:

    16 → para_16        6.2 under 6 → para_6__para_2     3.(2)(f) under 3.(2) under 3
    → para_3__para_2__para_f          3(2)(a) directly under 3 → para_3__para_2__para_a

Two numbers that differ only by punctuation (6.2 and 6(2) under 6) would share an eId; the
later one in document order takes "-<position>" after it, so eIds stay unique.

Each outcome's kind is `refersTo="#<kind>"`, a TLCConcept whose href is
/ontology/concept/talanoa/outcomeKind/<kind>. Each link is a `<p class="link">` after the
text: "Pursuant to <ref refersTo="#pursuantTo" href="/akn/int/statement/jhops-4/~para_16">
JHOPS/4/16</ref>": the relation as a TLCConcept (/ontology/concept/talanoa/link/<kind>),
the target as its Work IRI plus "~" and its eId (AKN NC portion), or the Work IRI alone for
a whole document, and the citation code as the text. Documents linked to are listed as
`activeRef`s. The TLP labels go in `<proprietary source="#talanoa">`, in our namespace
TALANOA_NS: the document's, and, on an outcome stricter than its document, a `tal:tlp`
attribute.

Only what the reader may see is written: the document must be visible to them (else
OutcomeDocument.DoesNotExist, and the caller answers 404), its outcomes are those of
Outcome.objects.visible_to(user), and a link is written only when its target is visible
too. An outcome whose parent the reader may not see is written at the top level.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone, translation
from lxml import etree

from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from readlog.models import Channel
from readlog.services import record_reads

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
# Our own namespace, for what Akoma Ntoso has no element for (TLP labels).
TALANOA_NS = "urn:talanoa:akn:1.0"
MEDIA_TYPE = "application/akn+xml"

COUNTRY = "int"
LANGUAGE = "eng"
WORK_PREFIX = f"/akn/{COUNTRY}/statement/"
KIND_CONCEPT = "/ontology/concept/talanoa/outcomeKind/"
LINK_CONCEPT = "/ontology/concept/talanoa/link/"
TALANOA_ORGANIZATION = "/ontology/organization/talanoa"
FORUM_ORGANIZATION = f"/ontology/organization/{COUNTRY}/"

# Link kinds as AKN names them (camelCase eIds), and the words that introduce them; looked
# up with a link's kind as stored, a plain str.
LINK_EIDS: dict[str, str] = {
    OutcomeLink.Kind.REAFFIRMS: "reaffirms",
    OutcomeLink.Kind.PURSUANT_TO: "pursuantTo",
    OutcomeLink.Kind.SUPERSEDES: "supersedes",
    OutcomeLink.Kind.IMPLEMENTS: "implements",
}
LINK_WORDS: dict[str, str] = {
    OutcomeLink.Kind.REAFFIRMS: "Reaffirms",
    OutcomeLink.Kind.PURSUANT_TO: "Pursuant to",
    OutcomeLink.Kind.SUPERSEDES: "Supersedes",
    OutcomeLink.Kind.IMPLEMENTS: "Implements",
}
LINK_ORDER = list(OutcomeLink.Kind.values)

_NUMBER_PART = re.compile(r"[0-9A-Za-z]+")
# Characters XML 1.0 cannot carry (a PDF's form feed, a stray NUL): dropped on export.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def akn(tag: str) -> str:
    return f"{{{AKN_NS}}}{tag}"


# --- identifiers ------------------------------------------------------------------------


def work_slug(code: str) -> str:
    return code.lower().replace("/", "-")


def work_iri(code: str) -> str:
    return WORK_PREFIX + work_slug(code)


def download_name(document: OutcomeDocument) -> str:
    """JHOPS/4 → JHOPS-4.akn.xml."""
    return f"{document.code.replace('/', '-')}.akn.xml"


def number_parts(number: str) -> list[str]:
    return _NUMBER_PART.findall(number) or ["x"]


@dataclass(frozen=True)
class NumberedRow:
    """What an eId is made of: an outcome's number, its parent and its place."""

    id: int
    number: str
    parent_id: int | None
    position: int


def eids_for(rows: Iterable[NumberedRow]) -> dict[int, str]:
    """The eId of each outcome among `rows` (one document's); see the module docstring.

    A parent missing from `rows` (one the reader may not see) makes its child top-level.
    """
    by_id = {row.id: row for row in rows}
    eids: dict[int, str] = {}
    used: set[str] = set()

    def eid_of(row: NumberedRow) -> str:
        if row.id in eids:
            return eids[row.id]
        parts = number_parts(row.number)
        parent = by_id.get(row.parent_id) if row.parent_id is not None else None
        prefix = ""
        if parent is not None:
            prefix = eid_of(parent) + "__"
            inherited = number_parts(parent.number)
            if len(parts) > len(inherited) and parts[: len(inherited)] == inherited:
                parts = parts[len(inherited) :]
        eid = prefix + "__".join(f"para_{part}" for part in parts)
        if eid in used:
            eid = f"{eid}-{row.position}"
        used.add(eid)
        eids[row.id] = eid
        return eid

    for row in sorted(by_id.values(), key=lambda r: r.position):
        eid_of(row)
    return eids


# --- export -----------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _sub(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, akn(tag), {k: v for k, v in attributes.items() if v})
    if text is not None:
        element.text = _clean(text)
    return element


def _english(label) -> str:
    with translation.override("en"):
        return str(label)


def _frbr_date(document: OutcomeDocument) -> tuple[datetime.date, str]:
    if document.adopted_on:
        return document.adopted_on, "adoption"
    if document.meeting.start_date:
        return document.meeting.start_date, "meeting"
    first = document.history.order_by("history_date").values_list("history_date", flat=True)
    recorded = first.first()
    return (recorded.date() if recorded else timezone.now().date()), "recorded"


def _organization_eid(forum, taken: set[str]) -> str:
    eid = re.sub(r"[^a-z0-9-]", "", forum.acronym.lower()) or "forum"
    return eid if eid not in taken else f"org-{eid}"


def document_to_akn(document: OutcomeDocument, *, user) -> bytes:
    """The document as an Akoma Ntoso `statement`, with only what `user` may see."""
    if not OutcomeDocument.objects.visible_to(user).filter(pk=document.pk).exists():
        raise OutcomeDocument.DoesNotExist("This document is not visible to this person.")
    document = OutcomeDocument.objects.select_related("meeting__forum").get(pk=document.pk)
    forum = document.meeting.forum
    visible = Outcome.objects.visible_to(user)
    outcomes = list(
        visible.filter(document=document)
        .order_by("position")
        .only("pk", "number", "parent_id", "position", "text", "kind", "tlp")
    )
    record_reads(reader=user, channel=Channel.AKOMA_NTOSO, items=[document, *outcomes])
    eids = eids_for(NumberedRow(o.pk, o.number, o.parent_id, o.position) for o in outcomes)
    links = _visible_links(outcomes, user)
    targets = _target_iris(links, user, own=(document.pk, eids))

    root = etree.Element(akn("akomaNtoso"), nsmap={None: AKN_NS, "tal": TALANOA_NS})
    statement = _sub(root, "statement", name=document.kind)
    kinds_used = [k for k in Outcome.Kind.values if any(o.kind == k for o in outcomes)]
    links_used = [k for k in LINK_ORDER if any(link.kind == k for link in links)]
    reserved = set(kinds_used) | {LINK_EIDS[k] for k in links_used} | {"talanoa"}
    forum_eid = _organization_eid(forum, reserved)
    _write_meta(statement, document, forum, forum_eid, kinds_used, links_used, links)
    _write_preface(statement, document, forum, forum_eid)
    _write_body(statement, document, outcomes, eids, links, targets)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_body(statement, document, outcomes, eids, links, targets) -> None:
    """The outcomes as nested paragraphs, each with its links after its text."""
    body = _sub(statement, "mainBody")
    ids = {o.pk for o in outcomes}
    children: dict[int | None, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        children[outcome.parent_id if outcome.parent_id in ids else None].append(outcome)
    links_of: dict[int, list[OutcomeLink]] = defaultdict(list)
    for link in links:
        links_of[link.source_id].append(link)

    def write(parent_element, outcome: Outcome) -> None:
        element = _sub(
            parent_element,
            "paragraph",
            eId=eids[outcome.pk],
            refersTo=f"#{outcome.kind}" if outcome.kind else None,
        )
        if outcome.tlp > document.tlp:
            element.set(f"{{{TALANOA_NS}}}tlp", TLP(outcome.tlp).label)
        _sub(element, "num", outcome.number)
        block = _sub(element, "intro" if children.get(outcome.pk) else "content")
        for line in outcome.text.split("\n"):
            _sub(block, "p", line)
        for link in links_of.get(outcome.pk, ()):
            iri, code = targets[link.pk]
            p = _sub(block, "p", LINK_WORDS[link.kind] + " ", **{"class": "link"})
            _sub(p, "ref", code, refersTo=f"#{LINK_EIDS[link.kind]}", href=iri)
        for child in children.get(outcome.pk, ()):
            write(element, child)

    for outcome in children.get(None, ()):
        write(body, outcome)
    if not outcomes:
        # The body cannot be empty; a reader who may see no outcome gets this line.
        _sub(body, "p", "No outcome of this document is visible to you.", **{"class": "empty"})


def _visible_links(outcomes: list[Outcome], user) -> list[OutcomeLink]:
    """Links out of these outcomes whose far end the reader may see, in a stable order."""
    if not outcomes:
        return []
    reaches_visible = Q(target_outcome__in=Outcome.objects.visible_to(user).values("pk")) | Q(
        target_document__in=OutcomeDocument.objects.visible_to(user).values("pk")
    )
    links = list(
        OutcomeLink.objects.filter(source__in=[o.pk for o in outcomes])
        .filter(reaches_visible)
        .select_related("target_outcome__document", "target_document")
    )

    def target_code(link: OutcomeLink) -> str:
        if link.target_outcome is not None:
            return link.target_outcome.citation_code
        assert link.target_document is not None  # link_has_exactly_one_target
        return link.target_document.code

    # Not by pk: a re-imported copy must list its links as the original does.
    return sorted(links, key=lambda link: (LINK_ORDER.index(link.kind), target_code(link)))


def _target_iris(
    links: list[OutcomeLink], user, *, own: tuple[int, dict[int, str]]
) -> dict[int, tuple[str, str]]:
    """Link pk → (href, citation code) of its target; eIds within what the reader sees."""
    own_document, own_eids = own
    documents = {
        link.target_outcome.document_id for link in links if link.target_outcome is not None
    } - {own_document}
    rows: dict[int, list[NumberedRow]] = defaultdict(list)
    if documents:
        queryset = Outcome.objects.visible_to(user).filter(document__in=documents)
        for pk, number, parent_id, position, document_id in queryset.values_list(
            "pk", "number", "parent_id", "position", "document_id"
        ):
            rows[document_id].append(NumberedRow(pk, number, parent_id, position))
    eids = {document_id: eids_for(found) for document_id, found in rows.items()}
    eids[own_document] = own_eids
    targets = {}
    for link in links:
        if link.target_outcome is not None:
            target = link.target_outcome
            eid = eids.get(target.document_id, {}).get(target.pk)
            iri = work_iri(target.document.code) + (f"/~{eid}" if eid else "")
            targets[link.pk] = (iri, target.citation_code)
        else:
            assert link.target_document is not None  # link_has_exactly_one_target
            targets[link.pk] = (work_iri(link.target_document.code), link.target_document.code)
    return targets


def _write_meta(statement, document, forum, forum_eid, kinds, link_kinds, links) -> None:
    meta = _sub(statement, "meta")
    _write_identification(meta, document, forum_eid)
    _write_references(meta, forum, forum_eid, kinds, link_kinds, links)
    proprietary = _sub(meta, "proprietary", source="#talanoa")
    tlp = etree.SubElement(proprietary, f"{{{TALANOA_NS}}}tlp")
    tlp.text = TLP(document.tlp).label
    code = etree.SubElement(proprietary, f"{{{TALANOA_NS}}}citationCode")
    code.text = document.code


def _write_identification(meta, document, forum_eid: str) -> None:
    """FRBR: the work, its English expression, this XML manifestation (module docstring)."""
    identification = _sub(meta, "identification", source="#talanoa")
    work = work_iri(document.code)
    expression = f"{work}/{LANGUAGE}@"
    day, day_name = _frbr_date(document)

    frbr_work = _sub(identification, "FRBRWork")
    _sub(frbr_work, "FRBRthis", value=f"{work}/!main")
    _sub(frbr_work, "FRBRuri", value=work)
    _sub(frbr_work, "FRBRalias", value=document.code, name="citationCode")
    _sub(frbr_work, "FRBRdate", date=day.isoformat(), name=day_name)
    _sub(frbr_work, "FRBRauthor", href=f"#{forum_eid}")
    _sub(frbr_work, "FRBRcountry", value=COUNTRY)
    _sub(frbr_work, "FRBRnumber", value=document.code)

    frbr_expression = _sub(identification, "FRBRExpression")
    _sub(frbr_expression, "FRBRthis", value=f"{expression}/!main")
    _sub(frbr_expression, "FRBRuri", value=expression)
    _sub(frbr_expression, "FRBRdate", date=day.isoformat(), name=day_name)
    _sub(frbr_expression, "FRBRauthor", href=f"#{forum_eid}")
    _sub(frbr_expression, "FRBRlanguage", language=LANGUAGE)

    frbr_manifestation = _sub(identification, "FRBRManifestation")
    _sub(frbr_manifestation, "FRBRthis", value=f"{expression}/!main.xml")
    _sub(frbr_manifestation, "FRBRuri", value=f"{expression}.xml")
    _sub(frbr_manifestation, "FRBRdate", date=day.isoformat(), name=day_name)
    _sub(frbr_manifestation, "FRBRauthor", href="#talanoa")


def _write_references(meta, forum, forum_eid: str, kinds, link_kinds, links) -> None:
    """The documents linked to, the two organizations, the kinds of outcome and of link."""
    references = _sub(meta, "references", source="#talanoa")
    cited: dict[str, str] = {}
    for link in links:
        target = link.target_outcome.document if link.target_outcome else link.target_document
        cited.setdefault(target.code, target.title)
    for code, title in sorted(cited.items()):
        _sub(
            references, "activeRef", eId=f"ref_{work_slug(code)}", href=work_iri(code), showAs=title
        )
    _sub(references, "TLCOrganization", eId="talanoa", href=TALANOA_ORGANIZATION, showAs="Talanoa")
    _sub(
        references,
        "TLCOrganization",
        eId=forum_eid,
        href=FORUM_ORGANIZATION + work_slug(forum.acronym),
        showAs=forum.name,
    )
    for kind in kinds:
        _sub(
            references,
            "TLCConcept",
            eId=kind,
            href=KIND_CONCEPT + kind,
            showAs=_english(Outcome.Kind(kind).label),
        )
    for kind in link_kinds:
        _sub(
            references,
            "TLCConcept",
            eId=LINK_EIDS[kind],
            href=LINK_CONCEPT + LINK_EIDS[kind],
            showAs=LINK_WORDS[kind].lower(),
        )


def _write_preface(statement, document, forum, forum_eid) -> None:
    preface = _sub(statement, "preface")
    long_title = _sub(preface, "longTitle")
    _sub(_sub(long_title, "p"), "docTitle", document.title)
    if document.short_title:
        _sub(_sub(preface, "p", **{"class": "shortTitle"}), "shortTitle", document.short_title)
    _sub(_sub(preface, "p", **{"class": "docNumber"}), "docNumber", document.code)
    _sub(
        _sub(preface, "p", **{"class": "docAuthority"}),
        "docAuthority",
        forum.name,
        refersTo=f"#{forum_eid}",
    )
    if document.adopted_on:
        _sub(
            _sub(preface, "p", **{"class": "docDate"}),
            "docDate",
            document.adopted_on.isoformat(),
            date=document.adopted_on.isoformat(),
        )
