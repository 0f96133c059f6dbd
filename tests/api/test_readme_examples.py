"""The README's API examples work as pasted: its `sh` block, run by bash against a live
server holding the demo data (the JHoPS record, its demo logins and the DEMO forum), gets
its own token and reaches every endpoint it names, with only the server's address changed.
"""

import json
import re
import shutil
import subprocess

import pytest

from fixtures.demo_activity import load_demo_activity
from fixtures.jhops import load_jhops
from forums.tokens import live_token_for_key
from tests.test_production import ROOT
from workinggroups.models import Task, TaskUpdate

ADDRESS_LINE = "S=http://127.0.0.1:8000\n"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def readme_api_examples() -> str:
    section = (ROOT / "README.md").read_text().split("## The REST API", 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found, "no sh block in the README's API section"
    return found.group(1)


def json_documents(text: str) -> list[dict]:
    """The JSON answers curl printed one after another, with no separator."""
    decoder, documents, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        document, at = decoder.raw_decode(text, at)
        documents.append(document)
    return documents


@pytest.fixture
def demo_data(transactional_db):
    assert load_jhops(demo_users=True)
    assert load_demo_activity()


def test_the_readme_curl_examples_run_as_pasted(live_server, demo_data):
    examples = readme_api_examples()
    assert ADDRESS_LINE in examples  # the one line a reader changes for another port
    script = examples.replace(ADDRESS_LINE, f"S={live_server.url}\n")

    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", f'{script}\nprintf "\\n%s\\n" "$T"'],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    *printed, token = done.stdout.strip().splitlines()
    assert live_token_for_key(token).user.username == "wg-member"
    tasks, outcomes, lineage, update = json_documents("\n".join(printed))
    (task,) = tasks["results"]
    assert task["title"].startswith("Terms of reference or MoU")
    assert [outcome["citation_code"] for outcome in outcomes["results"]] == ["JHOPS/4/16"]
    assert {"builds_on", "taken_forward_by"} <= set(lineage)
    assert update["task"]["status"] == Task.Status.IN_PROGRESS
    posted = TaskUpdate.objects.get(task_id=task["id"])
    assert (posted.author.username, posted.note) == ("wg-member", "Draft ToR circulated")
