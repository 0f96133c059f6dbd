"""The pages: thin views that read through `visible_to()` and write through the services.

Every page works without JavaScript: forms post and redirect (post/redirect/get), and
lists are paginated on the server so that a page stays light on a slow link.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forums.access import audience_of
from forums.audit import PreconditionFailed
from forums.models import ApiToken, Forum, Meeting, Profile
from forums.second_factor import standing_of
from forums.services import api_token_revoke, profile_set_language
from forums.tokens import live_tokens_of
from outcomes.importing.uploads import oversized_fields
from outcomes.models import Outcome, OutcomeDocument
from pages.due import due_sections
from pages.forms import (
    ChairSummaryForm,
    CsvImportForm,
    ImplementationFilterForm,
    ReportForm,
    TaskUpdateForm,
)
from pages.home import person_home
from pages.implementation import export_csv, implementation_rows
from pages.lineage import lineage_of
from readlog.models import Channel
from readlog.services import record_reads
from reports import policy as reports_policy
from reports.api import report_file_response
from reports.content import allowed_levels, report_today
from reports.models import ChairSummary, GeneratedReport
from reports.services import (
    WRITE_SUMMARY,
    TooLongForNow,
    chair_summary_save,
    report_generate,
    report_mark_sent,
    report_request,
)
from workinggroups import csv_exchange, policy
from workinggroups.implementation import with_standings
from workinggroups.models import (
    CalendarFeed,
    Task,
    TaskUpdate,
    WorkingGroup,
    WorkingGroupMembership,
)
from workinggroups.services import (
    calendar_feed_for,
    calendar_feed_revoke,
    reminder_preference_for,
    task_update_status,
)

PUBLIC_OUTCOMES_PER_PAGE = 25
# A forum's state of implementation, a page at a time: 100 outcomes keep a page under
# 100 KB on a phone whatever the number of outcomes (45 KB at 500 outcomes:
# tests/browser/test_home_and_implementation.py).
IMPLEMENTATION_PER_PAGE = 100


def _form_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


# --- home and the public pages -----------------------------------------------------------


@require_GET
def home(request):
    """The forums for anyone; signed in, the person's forums and what needs them there."""
    if request.user.is_authenticated:
        member = request.profile.member if request.profile else None
        context = person_home(request.user, member=member, now=timezone.now())
        return render(request, "pages/my_home.html", context)
    forums = Forum.objects.order_by("acronym")
    return render(request, "pages/home.html", {"forums": forums})


@require_GET
def forum_public(request, acronym: str):
    """What a forum has published: its meetings and its TLP:CLEAR outcomes, for anyone."""
    forum = get_object_or_404(Forum, acronym__iexact=acronym)
    meetings = forum.meetings.with_host_name().order_by("-sequence")
    # The public page shows what the public may read, whoever is signed in.
    outcomes = (
        Outcome.objects.visible_to(None)
        .filter(document__meeting__forum=forum)
        .select_related("document__meeting")
        .order_by("-document__meeting__sequence", "document__code", "position")
    )
    page = Paginator(outcomes, PUBLIC_OUTCOMES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "pages/forum.html", {"forum": forum, "meetings": meetings, "page": page})


def _implementation(request, acronym: str):
    """The forum, its filter form, and the rows the form asks for (None if it is wrong)."""
    forum = get_object_or_404(Forum, acronym__iexact=acronym)
    form = ImplementationFilterForm(request.GET, meetings=forum.meetings.order_by("-sequence"))
    if not form.is_valid():
        return forum, form, None
    rows = implementation_rows(
        forum=forum, reader=request.user, filters=form.cleaned_data, now=timezone.now()
    )
    return forum, form, rows


@require_GET
def forum_implementation(request, acronym: str):
    """Where each of a forum's active outcomes stands, as far as the reader may know."""
    forum, form, rows = _implementation(request, acronym)
    context = {"forum": forum, "form": form}
    if rows is None:
        return render(request, "pages/implementation.html", context, status=400)
    page = Paginator(rows, IMPLEMENTATION_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "pages/implementation.html", {**context, "page": page})


@require_GET
def forum_implementation_export(request, acronym: str):
    """The same rows as the page, with the same filters, as a spreadsheet."""
    forum, form, rows = _implementation(request, acronym)
    if rows is None:
        return HttpResponseBadRequest(
            " ".join(str(e) for errors in form.errors.values() for e in errors),
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(export_csv(rows), content_type="text/csv; charset=utf-8")
    disposition = content_disposition_header(
        True, f"talanoa-{forum.acronym.lower()}-implementation-{timezone.localdate()}.csv"
    )
    assert disposition is not None  # None only when neither an attachment nor named
    response["Content-Disposition"] = disposition
    return response


def _shown(request, *lists) -> None:
    """Log the TLP:RED items a page shows. A queryset is evaluated here and its results
    kept, so the template reads the same rows without a second query."""
    for items in lists:
        record_reads(reader=request.user, channel=Channel.PAGE, items=items)


# --- my work -------------------------------------------------------------------------------


@login_required
@require_GET
def my_work(request):
    tasks = list(
        Task.objects.visible_to(request.user)
        .of_person(request.user)
        .open()
        .select_related("working_group", "reports_to__forum")
        # Undated work last on every database (SQLite sorts NULL first, PostgreSQL last).
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    seats = WorkingGroupMembership.objects.current().filter(person=request.user)
    groups = (
        WorkingGroup.objects.visible_to(request.user)
        .filter(pk__in=seats.values("working_group_id"))
        .select_related("established_by__forum")
        .order_by("name")
    )
    _shown(request, tasks, groups)
    return render(
        request,
        "pages/my_work.html",
        {
            "sections": due_sections(tasks, reader=request.user, now=timezone.now()),
            "groups": groups,
        },
    )


# --- a task --------------------------------------------------------------------------------


def _task_page(request, task: Task, form: TaskUpdateForm | None, *, conflict=None, status=200):
    outcomes = (
        Outcome.objects.visible_to(request.user)
        .filter(tasks=task)
        .select_related("document")
        .order_by("document__code", "position")
    )
    updates = (
        TaskUpdate.objects.visible_to(request.user)
        .filter(task=task)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )
    _shown(request, [task], outcomes, updates)
    return render(
        request,
        "pages/task.html",
        {
            "task": task,
            "outcomes": outcomes,
            "updates": updates,
            "form": form,
            "conflict": conflict,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def task_detail(request, pk: int):
    readable = (
        Task.objects.visible_to(request.user)
        .with_changes_seen_by(request.user)
        .select_related("working_group", "reports_to__forum", "lead")
    )
    task = get_object_or_404(readable, pk=pk)
    may_post = policy.may_post_update(request.user, task) and task.is_open
    if request.method == "GET":
        return _task_page(request, task, TaskUpdateForm(task=task) if may_post else None)
    if not may_post:
        raise PermissionDenied(_("Only members of the task's working group may post updates."))
    form = TaskUpdateForm(request.POST, task=task)
    if not form.is_valid():
        return _task_page(request, task, form, status=400)
    data = form.cleaned_data
    try:
        task_update_status(
            actor=request.user,
            task=task,
            status=data["status"],
            progress=data["progress"],
            note=data["note"],
            expected_version=data["expected_version"],
        )
    except PreconditionFailed:
        # Someone moved the task after this form was opened: show what they did and keep
        # the author's note, against the new version, so nothing typed is lost.
        task = readable.get(pk=pk)
        fresh = TaskUpdateForm(task=task, initial={**data, "expected_version": task.seen_version})
        status_field = fresh.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        if not status_field.valid_value(data["status"]):
            fresh.initial["status"] = task.status
        latest = TaskUpdate.objects.visible_to(request.user).filter(task=task).last()
        return _task_page(request, task, fresh, conflict=latest or True, status=409)
    except ValidationError as error:
        _form_errors(form, error)
        return _task_page(request, task, form, status=400)
    messages.success(request, _("Your update is posted."))
    return redirect("pages:task", pk=task.pk)


# --- a working group ------------------------------------------------------------------------


@require_GET
def working_group_detail(request, pk: int):
    group = get_object_or_404(
        WorkingGroup.objects.visible_to(request.user).select_related(
            "established_by__forum", "reports_to", "establishing_outcome__document"
        ),
        pk=pk,
    )
    members = (
        WorkingGroupMembership.objects.current()
        .filter(working_group=group)
        .select_related("person", "represents")
        .order_by("role", "represents__name", "person__last_name")
    )
    tasks = list(
        Task.objects.visible_to(request.user)
        .filter(working_group=group)
        .select_related("reports_to")
        .order_by("due_on", "pk")
    )
    by_status = [
        (label, [task for task in tasks if task.status == value])
        for value, label in Task.Status.choices
    ]
    establishing = group.establishing_outcome
    if establishing is not None and not (
        Outcome.objects.visible_to(request.user).filter(pk=establishing.pk).exists()
    ):
        establishing = None
    _shown(request, [group], tasks)
    return render(
        request,
        "pages/working_group.html",
        {
            "group": group,
            "members": members,
            "by_status": [(label, rows) for label, rows in by_status if rows],
            "task_count": len(tasks),
            "establishing": establishing,
            "may_post": policy.may_post_updates_in(request.user, group.pk),
        },
    )


@require_GET
def working_group_export(request, pk: int):
    group = get_object_or_404(WorkingGroup.objects.visible_to(request.user), pk=pk)
    response = HttpResponse(
        csv_exchange.export_tasks(group=group, user=request.user),
        content_type="text/csv; charset=utf-8",
    )
    disposition = content_disposition_header(
        True, f"talanoa-working-group-{group.pk}-tasks-{timezone.localdate()}.csv"
    )
    assert disposition is not None  # None only when neither an attachment nor named
    response["Content-Disposition"] = disposition
    return response


@login_required
@require_http_methods(["GET", "POST"])
def working_group_import(request, pk: int):
    """Upload or paste rows, see what would change, then apply all of it or nothing."""
    group = get_object_or_404(WorkingGroup.objects.visible_to(request.user), pk=pk)
    if not policy.may_post_updates_in(request.user, group.pk):
        raise PermissionDenied(_("Only members of this working group may import updates."))
    preview = None
    form = CsvImportForm(
        request.POST or None,
        request.FILES or None,
        oversized="file" in oversized_fields(request),
    )
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if request.POST.get("action") == "apply":
                applied = csv_exchange.apply_import(group=group, user=request.user, text=text)
                messages.success(
                    request,
                    translation.ngettext(
                        "%(count)d update imported.", "%(count)d updates imported.", len(applied)
                    )
                    % {"count": len(applied)},
                )
                return redirect("pages:working-group", pk=group.pk)
            preview = csv_exchange.preview_import(group=group, user=request.user, text=text)
        except ValidationError as error:
            form.add_error(None, error)
        except PreconditionFailed:
            form.add_error(
                None,
                _("A task changed after the preview; nothing was imported. Preview again."),
            )
    status = 400 if form.errors or (preview is not None and not preview.ok) else 200
    return render(
        request,
        "pages/csv_import.html",
        {"group": group, "form": form, "preview": preview},
        status=status if request.method == "POST" else 200,
    )


# --- a meeting -------------------------------------------------------------------------------

VERSIONS_PER_PAGE = 10


@require_GET
def meeting_detail(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.with_host_name().select_related("forum"), pk=pk)
    return _meeting_page(request, meeting)


def _meeting_page(request, meeting: Meeting, *, report_form: ReportForm | None = None, status=200):
    context = {
        **_meeting_record(request, meeting),
        **_meeting_brief(request, meeting, report_form),
    }
    return render(request, "pages/meeting.html", context, status=status)


def _meeting_record(request, meeting: Meeting) -> dict:
    """What the meeting adopted and the work reporting to it, as far as the reader may see."""
    outcomes = Outcome.objects.visible_to(request.user).order_by("position")
    documents = (
        OutcomeDocument.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .order_by("code")
        .prefetch_related(Prefetch("outcomes", queryset=outcomes, to_attr="visible_outcomes"))
    )
    work = list(
        Task.objects.visible_to(request.user)
        .filter(reports_to=meeting)
        .select_related("working_group")
        .order_by("working_group__name", "due_on", "pk")
    )
    groups = (
        WorkingGroup.objects.visible_to(request.user)
        .filter(established_by=meeting)
        .order_by("name")
    )
    adopted = [outcome for document in documents for outcome in document.visible_outcomes]
    _shown(request, documents, adopted, work, groups)
    # A meeting whose dates are not known has taken place once a later one is recorded.
    if meeting.start_date is not None:
        started = meeting.start_date <= timezone.localdate()
    else:
        started = Meeting.objects.after(meeting).exists()
    return {
        "meeting": meeting,
        "documents": documents,
        "carried_over": [t for t in work if t.is_open] if started else [],
        "due_here": [] if started else work,
        "done_here": [t for t in work if not t.is_open] if started else [],
        "groups": groups,
        "chairs": meeting.chairs.select_related("member", "person"),
    }


def _meeting_brief(request, meeting: Meeting, report_form: ReportForm | None) -> dict:
    """The leaders' brief: the chair's summary, the report form and the versions made."""
    audience = audience_of(request.user)
    for_chairs = audience.is_secretariat or meeting.forum_id in audience.chaired_forums
    if report_form is None and for_chairs:
        report_form = ReportForm(
            levels=allowed_levels(request.user, meeting),
            initial={"as_of": report_today(), "language": translation.get_language()},
        )
    versions = None
    if for_chairs:
        made = (
            GeneratedReport.objects.visible_to(request.user)
            .filter(meeting=meeting)
            .select_related("requested_by", "sent_by")
        )
        versions = Paginator(made, VERSIONS_PER_PAGE).get_page(request.GET.get("versions"))
    return {
        "summary": ChairSummary.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related("updated_by")
        .first(),
        "speaks_for_meeting": reports_policy.speaks_for(request.user, meeting.pk),
        "report_form": report_form,
        "versions": versions,
    }


@login_required
@require_GET
def meeting_report(request, pk: int):
    """A new version of the chair's report, within the asker's clearance, kept under
    their name: the HTML opens in the browser, PDF and Word are downloaded."""
    meeting = get_object_or_404(Meeting.objects.with_host_name().select_related("forum"), pk=pk)
    form = ReportForm(request.GET, levels=allowed_levels(request.user, meeting))
    if not form.is_valid():
        return _meeting_page(request, meeting, report_form=form, status=400)
    data = form.cleaned_data
    asked = {
        "meeting": meeting,
        "level": data["tlp"],
        "fmt": data["format"],
        "as_of": data["as_of"] or report_today(),
        "language": data["language"] or None,
    }
    try:
        report = report_generate(actor=request.user, **asked)
    except TooLongForNow as too_long:
        report_request(actor=request.user, **asked)
        messages.info(
            request,
            _(
                "This report is long (%(rows)s rows): it is being made for you and will be "
                "listed here, ready to download, within a few minutes."
            )
            % {"rows": too_long.rows},
        )
        return redirect("pages:meeting", pk=meeting.pk)
    except ValidationError as error:
        _form_errors(form, error)
        return _meeting_page(request, meeting, report_form=form, status=400)
    return report_file_response(report)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_summary(request, pk: int):
    """The chair's summary, written by the meeting's chairs or the secretariat for them."""
    meeting = get_object_or_404(Meeting.objects.select_related("forum"), pk=pk)
    if not reports_policy.may_write_summary(request.user, meeting):
        raise PermissionDenied(WRITE_SUMMARY)
    summary = ChairSummary.objects.filter(meeting=meeting).select_related("updated_by").first()
    if request.method == "GET":
        return _summary_page(request, meeting, ChairSummaryForm(summary=summary), summary)
    form = ChairSummaryForm(request.POST, summary=summary)
    if not form.is_valid():
        return _summary_page(request, meeting, form, summary, status=400)
    try:
        chair_summary_save(actor=request.user, meeting=meeting, **form.cleaned_data)
    except PreconditionFailed:
        # Someone saved since this form was opened: show theirs, keep what this writer
        # typed, against the new version, so that saving again is a choice made knowingly.
        summary = ChairSummary.objects.select_related("updated_by").get(meeting=meeting)
        initial = {**form.cleaned_data, "expected_version": summary.version}
        fresh = ChairSummaryForm(initial=initial, summary=summary)
        return _summary_page(request, meeting, fresh, summary, conflict=True, status=409)
    except ValidationError as error:
        _form_errors(form, error)
        return _summary_page(request, meeting, form, summary, status=400)
    messages.success(request, _("The chair's summary is saved."))
    return redirect(reverse("pages:meeting", args=[meeting.pk]) + "#summary")


def _summary_page(request, meeting, form, summary, *, conflict: bool = False, status=200):
    return render(
        request,
        "pages/meeting_summary.html",
        {"meeting": meeting, "form": form, "summary": summary, "conflict": conflict},
        status=status,
    )


@login_required
@require_POST
def report_sent(request, pk: int, report_pk: int):
    """Record that leaders were sent this version (the meeting's chairs, the secretariat)."""
    report = get_object_or_404(
        GeneratedReport.objects.visible_to(request.user).select_related("meeting__forum"),
        pk=report_pk,
        meeting_id=pk,
    )
    try:
        report_mark_sent(actor=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Marked as sent to leaders: %(name)s.") % {"name": report.download_name}
        )
    return redirect(reverse("pages:meeting", args=[pk]) + "#versions")


# --- an outcome ------------------------------------------------------------------------------


@require_GET
def outcome_detail(request, code: str):
    outcome = get_object_or_404(
        Outcome.objects.visible_to(request.user).select_related(
            "document__meeting__forum", "parent"
        ),
        citation_code=code,
    )
    [outcome] = with_standings([outcome], request.user, timezone.now())
    # A TLP:RED sub-item may name other recipients than its parent: never cite a parent
    # the reader may not open.
    if outcome.parent_id and not (
        Outcome.objects.visible_to(request.user).filter(pk=outcome.parent_id).exists()
    ):
        outcome.parent = None
    parts = Outcome.objects.visible_to(request.user).filter(parent=outcome).order_by("position")
    _shown(request, [outcome], parts)
    return render(
        request,
        "pages/outcome.html",
        {"outcome": outcome, "parts": parts, **lineage_of(outcome, request.user)},
    )


# --- the person's own settings ------------------------------------------------------------


@login_required
@require_GET
def my_settings(request):
    feed = CalendarFeed.objects.filter(person=request.user).first()
    preference = reminder_preference_for(request.user)
    feed_url = (
        request.build_absolute_uri(reverse("calendar:feed", args=[feed.token])) if feed else None
    )
    return render(
        request,
        "pages/settings.html",
        {
            "feed_url": feed_url,
            # webcal:// is the same address for a calendar program to subscribe to: a
            # phone or desktop opens its calendar on it, where https:// downloads a file.
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else None,
            "preferences_url": reverse(
                "reminders:preferences", args=[preference.unsubscribe_token]
            ),
            "api_tokens": live_tokens_of(request.user),
            "token_days": settings.API_TOKEN_TTL_DAYS,
            "second_factor": standing_of(request.user),
        },
    )


@login_required
@require_POST
def api_token_revoke_mine(request, token_id: int):
    """Revoke one of the person's own API tokens: the script holding it is signed out."""
    # Another person's token is "not found", as if it did not exist.
    token = get_object_or_404(
        ApiToken.objects.select_related("user"), pk=token_id, user=request.user
    )
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("pages:settings")


@login_required
@require_POST
def calendar_address(request):
    """Create the person's calendar address, or replace it (revoking the old one)."""
    feed = CalendarFeed.objects.filter(person=request.user).first()
    if feed is None:
        calendar_feed_for(request.user)
        messages.success(request, _("Your calendar address is ready: add it to your calendar."))
    else:
        calendar_feed_revoke(actor=request.user, feed=feed)
        messages.success(
            request,
            _("The old address no longer works. Subscribe your calendar to the new one."),
        )
    return redirect("pages:settings")


@require_POST
def set_language(request):
    """Switch the interface language: on the profile when signed in, else in a cookie."""
    language = request.POST.get("language", "")
    if not translation.check_for_language(language) or language not in dict(
        Profile.Language.choices
    ):
        return HttpResponseBadRequest(_("Talanoa speaks English and French."))
    if request.user.is_authenticated:
        profile_set_language(actor=request.user, user=request.user, language=language)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("pages:home")
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
