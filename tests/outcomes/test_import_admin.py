"""The secretariat imports an outcome statement in the admin: paste or upload, review and
correct the parsed draft beside its source, save all or nothing (issue 7)."""

import html
import io
from html.parser import HTMLParser

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import MultiWidget
from django.urls import reverse

from fixtures.jhops import KOROR_COMMUNIQUE_PATH, KOROR_KINDS, load_jhops
from forums.models import Meeting
from outcomes.importing.statement import MAX_UPLOAD_BYTES
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from tests.factories import UserFactory
from tests.second_factor import SignedInClient
from workinggroups.models import Task, WorkingGroup

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:outcomes_outcomedocument_import")
KOROR = KOROR_COMMUNIQUE_PATH.read_text(encoding="utf-8")
# One reference to a document Talanoa does not hold: flagged, and kept in words.
BOE = "Members reaffirmed their commitment to the 2019 Boe Declaration on Regional Security."


@pytest.fixture
def jhops(db):
    load_jhops()


@pytest.fixture
def secretariat(jhops):
    return get_user_model().objects.get(username="secretariat")


@pytest.fixture
def officer(client, secretariat):
    client.force_login(secretariat)
    return client


def sixth_meeting() -> Meeting:
    return Meeting.objects.get(forum__acronym="JHOPS", sequence=6)


def details(**overrides) -> dict:
    return {
        "meeting": str(sixth_meeting().pk),
        "kind": OutcomeDocument.Kind.COMMUNIQUE,
        "title": "Joint Communiqué of the 6th JHoPS Meeting",
        "short_title": "6th JHoPS Communiqué",
        "code": "JHOPS/6",
        "adopted_on": "",
        "tlp": "0",
        "text": "",
        **overrides,
    }


def form_values(form) -> dict:
    """What the browser posts back for `form` as rendered."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if isinstance(bound.field.widget, MultiWidget):
            parts = bound.field.widget.decompress(value)
            assert parts is not None, "a multi-widget's value splits into its parts"
            for i, part in enumerate(parts):
                data[f"{bound.html_name}_{i}"] = str(part)
        elif value is True:
            data[bound.html_name] = "on"
        else:
            data[bound.html_name] = str(value)
    return data


def review_data(response) -> dict:
    """The review page's form, posted back untouched."""
    context = response.context
    data = {"draft": context["draft_token"], **form_values(context["meta_form"])}
    for formset in (context["rows"], context["links"]):
        data |= form_values(formset.management_form)
        for form in formset.forms:
            data |= form_values(form)
    return data


def row(response, number: str):
    """The review row whose outcome was read with `number`."""
    for form in response.context["rows"].forms:
        if form.item.number == number:
            return form.prefix
    raise AssertionError(f"no row {number}")


def link_row(response, target_label_start: str):
    for form in response.context["links"].forms:
        if form.link.target_label.startswith(target_label_start):
            return form.prefix
    raise AssertionError(f"no link to {target_label_start}")


def preview(client, **overrides):
    response = client.post(IMPORT_URL, details(**overrides))
    assert response.status_code == 200
    return response


def reviewed(client, **overrides):
    response = preview(client, **overrides)
    assert "draft_token" in response.context, response.context["source_form"].errors
    return response


def page_errors(response) -> str:
    return html.unescape(response.content.decode())


def imported_rows() -> dict[str, int]:
    """Rows an import would write, history included: equal before and after = nothing saved."""
    models = (OutcomeDocument, Outcome, OutcomeLink, WorkingGroup, Task)
    counts = {model.__name__: model._default_manager.count() for model in models}
    counts |= {f"{model.__name__} history": model.history.count() for model in models}
    return counts


# --- the way in ---------------------------------------------------------------------------


def test_the_document_list_offers_the_import_to_the_secretariat(officer):
    page = officer.get(reverse("admin:outcomes_outcomedocument_changelist")).content.decode()
    assert IMPORT_URL in page
    assert "Import an outcome statement…" in page


def test_staff_without_the_add_permission_are_refused_the_import(client, jhops):
    client.force_login(UserFactory.create(username="staff-only", is_staff=True))
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, details(text=KOROR)).status_code == 403
    assert OutcomeDocument.objects.filter(code="JHOPS/6").count() == 0


def test_the_import_refuses_a_post_without_the_csrf_token(secretariat):
    # The view reads the body itself (to bound uploads first), then checks the token.
    browser = SignedInClient(enforce_csrf_checks=True)
    browser.force_login(secretariat)
    assert browser.post(IMPORT_URL, details(text=KOROR)).status_code == 403
    page = browser.get(IMPORT_URL)
    token = page.context["csrf_token"]
    accepted = browser.post(IMPORT_URL, details(text=KOROR, csrfmiddlewaretoken=str(token)))
    assert accepted.status_code == 200
    assert "draft_token" in accepted.context


def test_the_first_step_asks_for_the_document_and_its_text(officer):
    response = officer.get(IMPORT_URL)
    assert response.status_code == 200
    assert set(response.context["meta_form"].fields) == {
        "meeting",
        "kind",
        "title",
        "short_title",
        "code",
        "adopted_on",
        "place",
        "tlp",
    }
    # Each of these may be left to the text's title block.
    for name in ("kind", "title", "adopted_on", "place"):
        assert not response.context["meta_form"].fields[name].required
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".txt,.docx,.pdf,.xml"' in page
    assert "autocomplete" in page  # the meeting is picked by searching


# --- paste, review, correct, save ---------------------------------------------------------


def test_the_preview_shows_each_outcome_its_links_and_the_numbered_source(officer):
    response = reviewed(officer, text=f"{KOROR}\n{BOE}")

    items = [entry["item"] for entry in response.context["items"]]
    assert [item.number for item in items] == [
        *("1", "2", "3", "4", "5", "6"),
        *("6.1", "6.2", "6.3", "6.4"),
        *("7", "8", "9", "10", "11"),
    ]
    page = response.content.decode()
    assert "→ JHOPS/4/16" in page
    assert "→ JHOPS/4/15" in page
    assert "→ JHOPS/4" in page
    # The unrecorded reference is flagged, with its words, and warned about on top.
    assert 'class="link-not-recorded"' in page
    assert "not recorded: “2019 Boe Declaration”" in page
    assert response.context["draft"].warnings == [
        "11: “2019 Boe Declaration” is not recorded; link it by hand or leave it out."
    ]
    # The source beside it, line by line, and each item says where it starts.
    assert response.context["source_lines"][7].startswith("- a terms of reference")
    assert '<th scope="row" class="line-number">8</th><td>- a terms of reference' in page
    assert 'href="#line-8"' in page
    # Nothing is saved by reading.
    assert not OutcomeDocument.objects.filter(code="JHOPS/6").exists()


class SourceColumn(HTMLParser):
    """The review's source column as a reader sees it: each row's anchor and number, and
    any list item (whose marker the browser would number a second time)."""

    def __init__(self):
        super().__init__()
        self.inside = self.in_number = False
        self.rows: list[tuple[str, str]] = []
        self.list_items = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("class") == "statement-source":
            self.inside = True
        elif self.inside and tag == "li":
            self.list_items += 1
        elif self.inside and tag == "tr":
            self.rows.append((attrs.get("id") or "", ""))
        elif self.inside and tag == "th":
            self.in_number = True

    def handle_endtag(self, tag):
        if tag == "section":
            self.inside = False
        elif tag == "th":
            self.in_number = False

    def handle_data(self, data):
        if self.in_number and self.rows:
            anchor, number = self.rows[-1]
            self.rows[-1] = (anchor, number + data.strip())


def test_the_source_column_numbers_each_line_once(officer):
    # Numbered paragraphs (whose own numbers a list's markers doubled: "3. 2. Members"),
    # blank lines, sub-items and Windows line ends, over a thousand lines.
    paragraphs = [
        f"{n}. Members agreed to item {n}, including:\r\n(a) a first step;\r\n(b) a second.\r\n"
        for n in range(1, 260)
    ]
    text = "\r\n".join(paragraphs)
    lines = text.replace("\r\n", "\n").split("\n")
    assert len(lines) > 1000

    column = SourceColumn()
    column.feed(reviewed(officer, text=text).content.decode())

    expected = [str(n) for n in range(1, len(lines) + 1)]
    assert [number for _, number in column.rows] == expected
    assert [anchor for anchor, _ in column.rows] == [f"line-{n}" for n in expected]
    assert column.list_items == 0


def test_a_reviewed_koror_communique_is_saved_with_its_corrections(officer, secretariat):
    response = reviewed(officer, text=f"{KOROR}\n{BOE}")
    data = review_data(response)
    # Corrections: paragraph 7 "acknowledged … and committed" is read as an agreement;
    # paragraph 6 reiterates Koror's own paragraph 6, not the whole Denarau Outcome.
    data[f"{row(response, '7')}-kind"] = Outcome.Kind.AGREEMENT
    data[f"{link_row(response, '2022 Denarau')}-target"] = "JHOPS/5/6"

    saved = officer.post(IMPORT_URL, data)

    document = OutcomeDocument.objects.get(code="JHOPS/6")
    assert saved.status_code == 302
    assert saved["Location"] == reverse("admin:outcomes_outcomedocument_change", args=[document.pk])
    assert (document.meeting, document.kind) == (sixth_meeting(), "communique")
    outcomes = {o.number: o for o in document.outcomes.all()}
    assert list(outcomes) == [
        *("1", "2", "3", "4", "5", "6"),
        *("6.1", "6.2", "6.3", "6.4"),
        *("7", "8", "9", "10", "11"),
    ]
    expected_kinds = {str(n): kind for n, kind in enumerate(KOROR_KINDS, 1)}
    expected_kinds["7"] = Outcome.Kind.AGREEMENT
    assert {n: outcomes[n].kind for n in expected_kinds} == expected_kinds
    assert outcomes["6.2"].parent == outcomes["6"]
    assert outcomes["6.2"].citation_code == "JHOPS/6/6.2"

    links = {
        (link.source.number, link.kind, (link.target_outcome or link.target_document).pk)
        for link in OutcomeLink.objects.filter(source__document=document)
    }
    recorded = {
        o.citation_code: o for o in Outcome.objects.filter(document__meeting__sequence__lt=6)
    }
    assert links == {
        ("6", "reaffirms", recorded["JHOPS/5/6"].pk),
        ("6.2", "pursuant_to", recorded["JHOPS/4/16"].pk),
        ("6.3", "pursuant_to", recorded["JHOPS/4/15"].pk),
    }
    assert outcomes["11"].source_note == (
        "Unresolved reference (reaffirms): “2019 Boe Declaration”."
    )
    assert not outcomes["11"].links_out.exists()

    # Every row written names the officer on its history.
    assert {h.history_user for h in document.history.all()} == {secretariat}
    assert {h.history_user for h in Outcome.history.filter(document_id=document.pk)} == {
        secretariat
    }
    assert {h.history_user for h in OutcomeLink.history.filter(source__document=document)} == {
        secretariat
    }

    page = officer.get(saved["Location"]).content.decode()
    assert (
        "15 outcome(s) and 3 link(s) imported; 1 reference(s) left unresolved "
        "(in each outcome&#x27;s source note)."
    ) in page


def test_the_pasted_text_is_kept_as_the_documents_source_and_shown_folded(officer):
    pasted = f"{KOROR}\r\n{BOE}\r\n"
    response = reviewed(officer, text=pasted)

    saved = officer.post(IMPORT_URL, review_data(response))

    assert saved.status_code == 302
    document = OutcomeDocument.objects.get(code="JHOPS/6")
    assert document.source_text == pasted  # as pasted, line ends and all
    page = officer.get(saved["Location"])
    assert [(f.name, f.classes) for f in page.context["adminform"]] == [
        (None, ""),
        ("Source text", "collapse"),
    ]
    # Shown, never a field to edit.
    assert "source_text" not in page.context["adminform"].form.fields
    shown = html.unescape(page.content.decode())
    assert "Members reaffirmed their commitment to the 2019 Boe Declaration" in shown
    # A document recorded by hand has no text to show, and no empty fold for it.
    by_hand = OutcomeDocument.objects.get(code="JHOPS/5")
    change = reverse("admin:outcomes_outcomedocument_change", args=[by_hand.pk])
    assert [f.name for f in officer.get(change).context["adminform"]] == [None]


def test_an_uploaded_file_is_kept_as_the_text_read_from_it(officer):
    upload = SimpleUploadedFile("koror.txt", KOROR.encode("utf-8"), content_type="text/plain")
    response = officer.post(IMPORT_URL, {**details(), "file": upload})
    assert "draft_token" in response.context, response.context["source_form"].errors

    assert officer.post(IMPORT_URL, review_data(response)).status_code == 302

    assert OutcomeDocument.objects.get(code="JHOPS/6").source_text == KOROR


def test_a_link_can_be_dropped_or_left_unresolved_in_the_review(officer):
    response = reviewed(officer, text=KOROR)
    data = review_data(response)
    data[f"{link_row(response, '2022 Denarau')}-drop"] = "on"
    data[f"{link_row(response, 'Outcome 15')}-target"] = ""

    assert officer.post(IMPORT_URL, data).status_code == 302

    document = OutcomeDocument.objects.get(code="JHOPS/6")
    sources = OutcomeLink.objects.filter(source__document=document)
    assert [link.target_outcome.citation_code for link in sources] == ["JHOPS/4/16"]
    kept = document.outcomes.get(number="6.3")
    assert kept.source_note == (
        "Unresolved reference (pursuant to): “Outcome 15 of Denarau Outcome”."
    )


def test_renumbering_an_outcome_carries_its_sub_items_along(officer):
    response = reviewed(officer, text=KOROR)
    data = review_data(response)
    data[f"{row(response, '6')}-number"] = "6bis"

    assert officer.post(IMPORT_URL, data).status_code == 302

    document = OutcomeDocument.objects.get(code="JHOPS/6")
    parent = document.outcomes.get(number="6bis")
    assert parent.children.count() == 4


def test_an_uploaded_word_file_is_read_like_a_paste(officer):
    import docx

    word = docx.Document()
    word.add_paragraph("Members agreed to meet in Honiara.")
    word.add_paragraph("Members welcomed the report of the working group.")
    content = io.BytesIO()
    word.save(content)
    upload = SimpleUploadedFile("communique.docx", content.getvalue())

    response = reviewed(officer, file=upload)

    items = [entry["item"] for entry in response.context["items"]]
    assert [(i.number, i.kind) for i in items] == [("1", "agreement"), ("2", "welcome")]


# --- a working group from the paragraph that establishes it -------------------------------


def test_ticking_the_working_group_option_sets_up_the_group_and_its_tasks(officer, secretariat):
    response = reviewed(officer, text=KOROR)
    fields = response.context["rows"].forms
    with_option = [f.item.number for f in fields if "establishes_group" in f.fields]
    assert with_option == ["6"]  # only a paragraph with sub-items can establish one
    assert "These items are the tasks of a working group this paragraph establishes" in (
        response.content.decode()
    )
    data = review_data(response)
    data[f"{row(response, '6')}-establishes_group"] = "on"
    data[f"{row(response, '6')}-group_name"] = "JHoPS 2024 Intersessional Working Group"

    saved = officer.post(IMPORT_URL, data)

    assert saved.status_code == 302
    group = WorkingGroup.objects.get(name="JHoPS 2024 Intersessional Working Group")
    establishing = Outcome.objects.get(citation_code="JHOPS/6/6")
    assert group.establishing_outcome == establishing
    assert group.established_by == sixth_meeting()
    assert group.mandate == establishing.text
    assert group.reports_to == Meeting.objects.get(forum__acronym="JHOPS", sequence=7)
    tasks = list(group.tasks.order_by("pk"))
    assert len(tasks) == 4
    # The item's words, with the capital a title starts with.
    assert establishing.children.get(number="6.1").text.startswith("support for the Chair")
    assert tasks[0].title == (
        "Support for the Chair\u2019s engagement with the Pacific Islands Forum"
    )
    served = [sorted(t.outcomes.values_list("citation_code", flat=True)) for t in tasks]
    assert served == [
        ["JHOPS/6/6.1"],
        ["JHOPS/4/16", "JHOPS/6/6.2"],
        ["JHOPS/4/15", "JHOPS/6/6.3"],
        ["JHOPS/6/6.4"],
    ]
    assert {t.reports_to for t in tasks} == {group.reports_to}
    assert {h.history_user for t in tasks for h in t.history.all()} == {secretariat}
    page = officer.get(saved["Location"]).content.decode()
    assert "set up with 4 task(s)." in page


# A paragraph in the words of a real outcome record, and a plain list the forum agreed.
ESTABLISHING = """\
1. Members agreed to establish an intersessional working group to develop the following, \
including:
(a) development of a regional ToR; and
(b) a calendar of exchanges between border agencies;
(c) options for pooled training, including:
(d) a review of the Dialogue's funding, or
2. Members adopted the following priorities for 2025:
(a) information sharing between border agencies;
(b) joint training for frontline officers.
"""


def test_a_paragraph_that_establishes_a_working_group_has_the_option_ticked(officer):
    response = reviewed(officer, text=ESTABLISHING)

    rows = {form.item.number: form for form in response.context["rows"].forms}
    assert rows["1"]["establishes_group"].value() is True
    # Items under words that establish nothing are the forum's, not a group's tasks.
    assert rows["2"]["establishes_group"].value() is False
    assert 'name="outcomes-0-establishes_group" id="id_outcomes-0-establishes_group" checked' in (
        response.content.decode()
    )

    saved = officer.post(IMPORT_URL, review_data(response))

    assert saved.status_code == 302
    group = WorkingGroup.objects.get(establishing_outcome__document__code="JHOPS/6")
    assert group.establishing_outcome.number == "1"
    # Each title as a task list would say it: the list's "; and", "including:" gone.
    assert list(group.tasks.order_by("pk").values_list("title", "description")) == [
        ("Development of a regional ToR", ""),
        ("A calendar of exchanges between border agencies", ""),
        ("Options for pooled training", ""),
        ("A review of the Dialogue's funding", ""),
    ]


def test_unticking_the_option_sets_up_no_group(officer):
    response = reviewed(officer, text=ESTABLISHING)
    data = review_data(response)
    data.pop(f"{row(response, '1')}-establishes_group")

    assert officer.post(IMPORT_URL, data).status_code == 302

    assert OutcomeDocument.objects.get(code="JHOPS/6").outcomes.count() == 8
    assert not WorkingGroup.objects.filter(establishing_outcome__document__code="JHOPS/6")


def test_a_refused_working_group_leaves_nothing_saved_not_even_the_document(officer):
    response = reviewed(officer, text=KOROR)
    data = review_data(response)
    data[f"{row(response, '6')}-establishes_group"] = "on"
    # Two sub-items with the same words make two tasks of the same title: refused.
    data[f"{row(response, '6.2')}-text"] = data[f"{row(response, '6.1')}-text"]
    before = imported_rows()

    refused = officer.post(IMPORT_URL, data)

    assert refused.status_code == 200
    assert "This working group already has a task with this title." in page_errors(refused)
    assert imported_rows() == before


# --- bad input: a clear message, nothing saved --------------------------------------------


def blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    content = io.BytesIO()
    writer.write(content)
    return content.getvalue()


@pytest.mark.parametrize(
    ("source", "field", "message"),
    [
        ({"text": "   \n  "}, "text", "There is no text to import"),
        (
            {"file": SimpleUploadedFile("scan.pdf", blank_pdf())},
            "file",
            "The PDF has no text layer: it is probably a scan.",
        ),
        (
            {"file": SimpleUploadedFile("statement.txt", b"\x00\x01\x02binary\x00" * 50)},
            "file",
            "This is not a text file; save the statement as plain text (.txt).",
        ),
        (
            {"file": SimpleUploadedFile("statement.txt", b"a" * (MAX_UPLOAD_BYTES + 1))},
            "file",
            "The file is larger than 5 MB; upload the statement alone.",
        ),
        (
            {"file": SimpleUploadedFile("statement.odt", b"PK\x03\x04 not ours")},
            "file",
            "Upload the statement as .txt, .docx, a .pdf with text or Akoma Ntoso .xml "
            "(not “statement.odt”).",
        ),
        (
            {"text": "1. Members agreed.\n2. Members noted.\n1. Members agreed again."},
            "text",
            "Number 1 appears twice (lines 1 and 3).",
        ),
        (
            {"text": KOROR, "file": SimpleUploadedFile("statement.txt", KOROR.encode())},
            None,
            "Paste the text or upload a file, not both.",
        ),
    ],
    ids=["empty", "scanned-pdf", "binary-txt", "oversized", "wrong-type", "duplicates", "both"],
)
def test_unreadable_input_is_explained_on_the_first_step(officer, source, field, message):
    before = imported_rows()

    response = preview(officer, **source)

    assert "draft_token" not in response.context
    form = response.context["source_form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in error for error in errors), form.errors
    assert message in page_errors(response)
    assert imported_rows() == before


def test_an_oversized_file_is_dropped_as_it_arrives(officer):
    big = SimpleUploadedFile("statement.txt", b"Members agreed. " * (MAX_UPLOAD_BYTES // 8))
    response = preview(officer, file=big)
    # The rest of the form arrived: what the officer typed is still there.
    assert response.context["meta_form"]["title"].value() == details()["title"]
    assert "larger than 5 MB" in str(response.context["source_form"].errors["file"])


def test_a_paste_too_large_for_a_form_is_explained_and_nothing_is_read(officer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    before = imported_rows()

    response = officer.post(IMPORT_URL, details(text="Members agreed. " * 2_000))

    assert response.status_code == 200
    assert "The text is too large to send in one form" in page_errors(response)
    assert "draft_token" not in response.context
    assert imported_rows() == before


def corrected(client, change) -> tuple:
    response = reviewed(client, text=KOROR)
    data = review_data(response)
    change(response, data)
    before = imported_rows()
    return client.post(IMPORT_URL, data), before


def test_a_number_used_twice_in_the_review_is_refused(officer):
    def change(response, data):
        data[f"{row(response, '9')}-number"] = "8"

    refused, before = corrected(officer, change)

    assert refused.status_code == 200
    assert "Outcome number used twice in the document: 8." in page_errors(refused)
    assert imported_rows() == before


def test_a_parent_after_its_child_is_refused(officer):
    def change(response, data):
        data[f"{row(response, '3')}-parent_number"] = "9"

    refused, before = corrected(officer, change)

    assert refused.status_code == 200
    assert "3: its parent 9 is not before it." in page_errors(refused)
    assert imported_rows() == before


def test_a_link_to_a_target_that_does_not_exist_is_refused_on_its_row(officer):
    def change(response, data):
        data[f"{link_row(response, 'Outcome 16')}-target"] = "JHOPS/4/99"

    refused, before = corrected(officer, change)

    assert refused.status_code == 200
    target_errors = [
        form.errors.get("target") for form in refused.context["links"].forms if form.errors
    ]
    assert target_errors == [["No outcome or document is recorded as “JHOPS/4/99”."]]
    assert imported_rows() == before


def test_a_document_code_already_taken_is_refused_on_its_field(officer):
    def change(response, data):
        data["code"] = ""  # the default, JHOPS/6 … taken meanwhile by another document

    response = reviewed(officer, text=KOROR)
    data = review_data(response)
    change(response, data)
    OutcomeDocument.objects.create(
        meeting=sixth_meeting(), kind="communique", title="Recorded meanwhile", code="JHOPS/6"
    )
    data["add_another"] = "on"  # the meeting has a document now: a second one is asked for
    before = imported_rows()

    refused = officer.post(IMPORT_URL, data)

    assert refused.status_code == 200
    assert refused.context["meta_form"].errors["code"] == [
        "JHOPS/6 already starts another document's citation codes; give this one a suffix, "
        "e.g. JHOPS/6-AP."
    ]
    assert imported_rows() == before


def test_an_altered_draft_is_refused(officer):
    response = reviewed(officer, text=KOROR)
    data = review_data(response)
    data["draft"] = data["draft"].replace(data["draft"][5], "x" if data["draft"][5] != "x" else "y")
    before = imported_rows()

    refused = officer.post(IMPORT_URL, data, follow=True)

    assert refused.status_code == 200
    assert "This preview has expired or was altered; read the statement again." in (
        page_errors(refused)
    )
    assert imported_rows() == before


def test_a_review_with_rows_added_on_the_way_is_refused(officer):
    response = reviewed(officer, text=KOROR)
    data = review_data(response)
    data["outcomes-TOTAL_FORMS"] = str(int(data["outcomes-TOTAL_FORMS"]) + 1)
    data |= {"outcomes-14-number": "99", "outcomes-14-text": "Smuggled in."}
    before = imported_rows()

    refused = officer.post(IMPORT_URL, data)

    assert refused.status_code == 200
    assert imported_rows() == before
    assert not Outcome.objects.filter(text="Smuggled in.").exists()
