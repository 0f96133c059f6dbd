"""A script imports an outcome statement through the API: preview the parsed draft, save it,
or send back a corrected draft; the secretariat's only, all or nothing (issue 7)."""

import io

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from fixtures.jhops import KOROR_COMMUNIQUE_PATH, load_jhops
from forums.models import Meeting
from outcomes.importing.statement import MAX_UPLOAD_BYTES
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/outcome-documents/import/"
KOROR = KOROR_COMMUNIQUE_PATH.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def jhops(db):
    load_jhops()


def client_of(username: str) -> APIClient:
    client = APIClient()
    user = get_user_model().objects.get(username=username)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


@pytest.fixture
def script(jhops):
    return client_of("secretariat")


def body(**overrides) -> dict:
    return {
        "meeting": Meeting.objects.get(forum__acronym="JHOPS", sequence=6).pk,
        "kind": "communique",
        "title": "Joint Communiqué of the 6th JHoPS Meeting",
        "code": "JHOPS/6",
        **overrides,
    }


def saved_rows() -> tuple:
    return (
        OutcomeDocument.objects.count(),
        Outcome.objects.count(),
        OutcomeLink.objects.count(),
        Outcome.history.count(),
    )


# --- preview ------------------------------------------------------------------------------


def test_the_preview_returns_the_parsed_draft_and_saves_nothing(script):
    before = saved_rows()

    response = script.post(URL, body(text=KOROR), format="json")

    assert response.status_code == 200, response.json()
    draft = response.json()
    assert [item["number"] for item in draft["outcomes"]] == [
        *("1", "2", "3", "4", "5", "6", "6.1", "6.2", "6.3", "6.4"),
        *("7", "8", "9", "10"),
    ]
    by_number = {item["number"]: item for item in draft["outcomes"]}
    assert by_number["6"]["kind"] == "decision"
    assert by_number["6.2"]["parent_number"] == "6"
    assert by_number["6.2"]["source_line"] == 8
    assert [(link["kind"], link["target_code"]) for link in by_number["6.2"]["links"]] == [
        ("pursuant_to", "JHOPS/4/16")
    ]
    assert by_number["6"]["links"][0]["target_code"] == "JHOPS/4"
    assert draft["warnings"] == []
    assert draft["unresolved"] == 0
    assert draft["source_text"] == KOROR
    assert saved_rows() == before


def test_an_unrecorded_reference_is_null_in_the_preview_with_a_warning(script):
    text = "Members reaffirmed their commitment to the 2019 Boe Declaration."

    draft = script.post(URL, body(text=text), format="json").json()

    link = draft["outcomes"][0]["links"][0]
    assert link["target_code"] is None
    assert link["target_outcome_id"] is None and link["target_document_id"] is None
    assert link["resolved"] is False
    assert link["target_label"] == "2019 Boe Declaration"
    assert draft["unresolved"] == 1
    assert draft["warnings"] == [
        "1: “2019 Boe Declaration” is not recorded; link it by hand or leave it out."
    ]


def test_an_uploaded_file_is_previewed_like_text(script):
    upload = SimpleUploadedFile("koror.txt", KOROR.encode("utf-8"), content_type="text/plain")

    response = script.post(URL, {**body(), "file": upload}, format="multipart")

    assert response.status_code == 200, response.json()
    assert len(response.json()["outcomes"]) == 14  # a form without `preview` previews


def test_an_akoma_ntoso_file_is_read_as_such_with_its_numbers_kinds_and_links(script):
    from outcomes.akoma_ntoso import document_to_akn

    koror = OutcomeDocument.objects.get(code="JHOPS/5")
    officer = get_user_model().objects.get(username="secretariat")
    xml = document_to_akn(koror, user=officer)
    upload = SimpleUploadedFile("koror.akn.xml", xml, content_type="application/akn+xml")

    response = script.post(URL, {**body(), "file": upload}, format="multipart")

    assert response.status_code == 200, response.json()
    outcomes = response.json()["outcomes"]
    recorded = list(koror.outcomes.order_by("position"))
    assert [(o["number"], o["kind"]) for o in outcomes] == [(o.number, o.kind) for o in recorded]
    six = next(o for o in outcomes if o["number"] == "6")
    targets = sorted(link["target_code"] for link in six["links"])
    assert targets == ["JHOPS/4", "JHOPS/4/15", "JHOPS/4/16"]


# --- save ---------------------------------------------------------------------------------


def test_preview_false_saves_the_document_with_its_outcomes_and_links(script):
    response = script.post(URL, body(text=KOROR, preview=False), format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["code"], created["outcome_count"]) == ("JHOPS/6", 14)
    document = OutcomeDocument.objects.get(pk=created["id"])
    links = {
        (link.source.citation_code, (link.target_outcome or link.target_document).__str__())
        for link in OutcomeLink.objects.filter(source__document=document)
    }
    codes = {
        (link.source.citation_code, link.kind, getattr(link.target_outcome, "citation_code", None))
        for link in OutcomeLink.objects.filter(source__document=document)
    }
    assert len(links) == 3
    assert ("JHOPS/6/6.2", "pursuant_to", "JHOPS/4/16") in codes
    assert ("JHOPS/6/6.3", "pursuant_to", "JHOPS/4/15") in codes
    assert document.source_text == KOROR  # kept by the import service, as the admin's is
    secretariat = get_user_model().objects.get(username="secretariat")
    assert {h.history_user for h in Outcome.history.filter(document_id=document.pk)} == {
        secretariat
    }


def test_a_corrected_draft_is_saved_as_corrected(script):
    draft = script.post(URL, body(text=KOROR), format="json").json()
    items = {item["number"]: item for item in draft["outcomes"]}
    items["7"]["kind"] = "agreement"
    # Retarget by citation code (the code wins over the ids), and drop the other link.
    items["6"]["links"][0]["target_code"] = "JHOPS/5/6"
    items["6.3"]["links"] = []

    response = script.post(URL, body(draft=draft, preview=False), format="json")

    assert response.status_code == 201, response.json()
    document = OutcomeDocument.objects.get(code="JHOPS/6")
    assert document.outcomes.get(number="7").kind == "agreement"
    links = {
        (link.source.number, link.kind, link.target_outcome.citation_code)
        for link in OutcomeLink.objects.filter(source__document=document)
    }
    assert links == {("6", "reaffirms", "JHOPS/5/6"), ("6.2", "pursuant_to", "JHOPS/4/16")}
    # The text the preview read travels with the draft and is kept with the document.
    assert document.source_text == KOROR


def test_an_uploaded_file_saved_keeps_the_text_read_from_it(script):
    upload = SimpleUploadedFile("koror.txt", KOROR.encode("utf-8"), content_type="text/plain")

    response = script.post(URL, {**body(preview="false"), "file": upload}, format="multipart")

    assert response.status_code == 201, response.json()
    assert OutcomeDocument.objects.get(code="JHOPS/6").source_text == KOROR


def test_a_corrected_draft_may_be_previewed_again(script):
    draft = script.post(URL, body(text=KOROR), format="json").json()
    draft["outcomes"][0]["links"] = [{"kind": "implements", "target_code": "jhops/4/16"}]

    again = script.post(URL, body(draft=draft), format="json")

    assert again.status_code == 200, again.json()
    link = again.json()["outcomes"][0]["links"][0]
    assert (link["target_code"], link["resolved"]) == ("JHOPS/4/16", True)
    assert not OutcomeDocument.objects.filter(code="JHOPS/6").exists()


# --- refusals: a 400 naming the field, nothing saved --------------------------------------


def blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    content = io.BytesIO()
    writer.write(content)
    return content.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("request_body", "field", "message"),
    [
        ({"text": ""}, "text", "There is no text to import."),
        ({"text": "  \n "}, "text", "There is no text to import."),
        ({"file": upload("scan.pdf", blank_pdf())}, "file", "The PDF has no text layer"),
        ({"file": upload("a.txt", b"\x00\x01binary" * 40)}, "file", "This is not a text file"),
        (
            {"file": upload("a.txt", b"a" * (MAX_UPLOAD_BYTES + 1))},
            "file",
            "The file is larger than 5 MB",
        ),
        ({"file": upload("a.exe", b"MZ\x90\x00")}, "file", "Upload the statement as .txt"),
        (
            {"text": "1. Members agreed.\n1. Members agreed again."},
            "text",
            "Number 1 appears twice (lines 1 and 2).",
        ),
    ],
    ids=["empty", "blank", "scanned-pdf", "binary-txt", "oversized", "wrong-type", "duplicates"],
)
def test_bad_input_is_a_400_on_its_field_and_saves_nothing(script, request_body, field, message):
    before = saved_rows()
    payload = body(preview=False, **request_body)
    is_file = "file" in request_body

    response = script.post(URL, payload, format="multipart" if is_file else "json")

    assert response.status_code == 400, response.content
    assert any(message in text for text in response.json()[field]), response.json()
    assert saved_rows() == before


def corrected_draft(script, change) -> dict:
    draft = script.post(URL, body(text=KOROR), format="json").json()
    change({item["number"]: item for item in draft["outcomes"]}, draft)
    return draft


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            lambda items, draft: items["9"].update(number="8"),
            "outcomes",
            "Outcome number used twice in the document: 8.",
        ),
        (
            lambda items, draft: items["3"].update(parent_number="9"),
            "outcomes",
            "3: its parent 9 is not before it.",
        ),
        (
            lambda items, draft: items["6.2"]["links"][0].update(target_code="JHOPS/4/99"),
            "draft",
            "6.2: No outcome or document is recorded as “JHOPS/4/99”.",
        ),
        (
            lambda items, draft: items["6.2"]["links"][0].update(
                target_code=None, target_outcome_id=987654
            ),
            "draft",
            "6.2: No outcome or document is recorded as “#987654”.",
        ),
        (
            lambda items, draft: items["6.2"].update(number="6 2"),
            "draft",
            "outcomes[7].number: Numbers like 16",
        ),
        (lambda items, draft: draft.update(outcomes=[]), "draft", "outcomes: "),
    ],
    ids=[
        "number-twice",
        "parent-after-child",
        "unknown-code",
        "unknown-id",
        "bad-number",
        "no-outcomes",
    ],
)
def test_a_bad_corrected_draft_is_a_400_and_saves_nothing(script, change, field, message):
    draft = corrected_draft(script, change)
    before = saved_rows()

    response = script.post(URL, body(draft=draft, preview=False), format="json")

    assert response.status_code == 400, response.content
    assert any(message in text for text in response.json()[field]), response.json()
    assert saved_rows() == before


def test_a_code_already_taken_is_a_400_on_the_code(script):
    before = saved_rows()
    response = script.post(URL, body(text=KOROR, code="JHOPS/5", preview=False), format="json")
    assert response.status_code == 400
    assert (
        "JHOPS/5 already starts another document's citation codes" in (response.json()["code"][0])
    )
    assert saved_rows() == before


def test_text_and_draft_together_are_refused(script):
    draft = script.post(URL, body(text=KOROR), format="json").json()
    response = script.post(URL, body(text=KOROR, draft=draft), format="json")
    assert response.status_code == 400
    assert response.json() == {"draft": ["Send one of text, file or draft, not text too."]}


def test_unknown_fields_are_refused_by_name(script):
    response = script.post(URL, body(text=KOROR, chair="Palau"), format="json")
    assert response.status_code == 400
    assert response.json() == {"chair": ["Unknown field."]}


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["chair", "wg-lead", "delegate", "observer"])
def test_only_the_secretariat_may_import(jhops, username):
    before = saved_rows()
    response = client_of(username).post(URL, body(text=KOROR, preview=False), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the secretariat may do this."}
    assert saved_rows() == before


def test_an_anonymous_script_is_asked_to_sign_in(jhops):
    response = APIClient().post(URL, body(text=KOROR), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
