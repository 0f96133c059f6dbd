"""A meeting and the people around it, for the chair's summary and its versions.

- `chair` sits as the meeting's chair (Chair.person); an empty chair seat names nobody;
- `other_chair` chairs another meeting of the same forum (reads its AMBER, as a chair);
- `delegate` represents a member state of the forum (reads TLP:GREEN);
- `officer` is the secretariat; `stranger` has no standing in the forum.
"""

import pytest

from forums.models import Chair, ForumMembership
from tests.conftest import secretariat_officer
from tests.factories import ForumFactory, MeetingFactory, MemberFactory, ProfileFactory, UserFactory


@pytest.fixture
def brief(db):
    forum = ForumFactory.create(acronym="HOS")
    meeting = MeetingFactory.create(forum=forum, sequence=5)
    earlier = MeetingFactory.create(forum=forum, sequence=4, start_date=None, end_date=None)
    chair = ProfileFactory.create(user__username="chair").user
    Chair.objects.create(meeting=meeting, member=chair.profile.member, person=chair)
    # A co-chair's seat with nobody named yet: its person is NULL.
    Chair.objects.create(meeting=meeting, member=MemberFactory.create(), role="co_chair")
    other_chair = ProfileFactory.create(user__username="other.chair").user
    Chair.objects.create(meeting=earlier, member=other_chair.profile.member, person=other_chair)
    delegate = ProfileFactory.create(user__username="delegate").user
    ForumMembership.objects.create(
        forum=forum, member=delegate.profile.member, role=ForumMembership.Role.MEMBER
    )
    return {
        "forum": forum,
        "meeting": meeting,
        "earlier": earlier,
        "chair": chair,
        "other_chair": other_chair,
        "delegate": delegate,
        "officer": secretariat_officer(),
        "stranger": UserFactory.create(username="stranger"),
    }
