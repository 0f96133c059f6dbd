"""What every Talanoa admin page shares: each write goes through a service (one door per
write, CONVENTIONS.md), and a service's refusal is shown on the form with nothing saved.

Django's admin validates the form and the inlines, then saves. A service may still refuse
at save time (an illegal status move, a lead who is not in the group, a race on a unique
constraint). The change view runs in a transaction, so we let the refusal roll it back,
then render the same view again with the refusal attached to the form or inline row it
came from: the officer sees why, next to what they typed, and nothing is half-saved.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin

from forums.audit import attribute_change, save_validated
from forums.id_choices import ModelMultipleChoiceOfIds, can_be_an_id
from forums.people import (
    PERSON_LABEL_RELATED,
    PersonChoiceField,
    PersonMultipleChoiceField,
    person_label,
)

if TYPE_CHECKING:
    # The mixins below are only ever mixed into ModelAdmin: for the type checker they are one.
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object

_REFUSAL = "_talanoa_refusal"


class Refused(Exception):
    """A service refused a write from an admin form; says which form (or inline row) asked."""

    def __init__(self, error: ValidationError, *, model=None, index: int | None = None):
        super().__init__(error)
        self.error = error
        self.model = model  # None: the page's own form; else the inline's model
        self.index = index


def show_refusal(form: forms.BaseForm, error: ValidationError) -> None:
    """Put each message on its field when the form has it, else at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, ValidationError(errors).messages)


def as_validation_error(error: ValidationError | PermissionDenied) -> ValidationError:
    """A policy's refusal (PermissionDenied) shown on the form like a service's."""
    if isinstance(error, ValidationError):
        return error
    return ValidationError(str(error) or _("You may not make this change."))


def adopt(instance: models.Model, saved: models.Model) -> models.Model:
    """Make the admin's form instance the row a creating service saved.

    Creating services build their own instance; the admin goes on using the one its form
    built (for many-to-many fields, inlines and the redirect), so it takes over the row.
    """
    for field in saved._meta.concrete_fields:
        setattr(instance, field.attname, getattr(saved, field.attname))
    instance._state.adding = False
    instance._state.db = saved._state.db
    return instance


def refusing_form(form_class: type[forms.BaseForm], error: ValidationError):
    # A subclass of the admin's own form, known only at run time.
    class RefusedForm(form_class):  # type: ignore[valid-type,misc]
        def clean(self):
            cleaned_data = super().clean()
            show_refusal(self, error)
            return cleaned_data

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


class AutocompleteOfIds(AutocompleteSelect):
    """An autocomplete that shows a posted value only when it can be an id: one past the
    database's integers fails the query that names it before the form can say it is no
    choice (a 500 instead of "Select a valid choice")."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if can_be_an_id(v)], attr)


class AutocompleteOfIdsMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if can_be_an_id(v)], attr)


class PersonPickersMixin(_ModelAdmin):
    """Every picker of people, on a page or in an inline, names them "Name (Agency, State)"
    (forums/people.py): in its list as in the value it shows once chosen. Autocompletes
    take only what can be an id."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.remote_field.model is get_user_model():
            kwargs.setdefault("form_class", PersonChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", AutocompleteOfIds(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault(
            "form_class",
            PersonMultipleChoiceField
            if db_field.remote_field.model is get_user_model()
            else ModelMultipleChoiceOfIds,
        )
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                AutocompleteOfIdsMultiple(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ServiceAdminMixin(PersonPickersMixin):
    """Saves through services; see the module docstring for how refusals are shown."""

    def record(self, request, obj, form, change: bool) -> None:
        """Save the page's own object; admins whose model has a service override this."""
        save_validated(obj, actor=request.user)

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # saving an untouched form would write an empty history row
        try:
            self.record(request, obj, form, change)
        except (ValidationError, PermissionDenied) as error:
            raise Refused(as_validation_error(error)) from error

    def save_formset(self, request, form, formset, change):
        inline = self._inline_for(request, form.instance, formset.model)
        rows = formset.save(commit=False)
        position = {id(row_form.instance): i for i, row_form in enumerate(formset.forms)}
        for obj in formset.deleted_objects:
            # Only join rows are deletable (the Secretariat group's permissions): the
            # history row keeps who removed what.
            attribute_change(obj, actor=request.user)
            obj.delete()
        for obj in rows:
            try:
                inline.record(request, obj, change=not obj._state.adding)
            except (ValidationError, PermissionDenied) as error:
                raise Refused(
                    as_validation_error(error), model=formset.model, index=position.get(id(obj))
                ) from error
        formset.save_m2m()

    def _inline_for(self, request, obj, model):
        for inline in self.get_inline_instances(request, obj if obj.pk else None):
            if inline.model is model:
                return inline
        raise PermissionDenied

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refusal:
            # The view's transaction has rolled back everything written so far.
            setattr(request, _REFUSAL, refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal is not None and refusal.model is None:
            return refusing_form(form_class, refusal.error)
        return form_class

    def act_on_each(
        self, request, queryset, service: Callable[[models.Model], object], done: str, **params
    ) -> None:
        """Run a service on each chosen row; one refusal does not stop the others."""
        moved = 0
        for obj in queryset:
            try:
                with transaction.atomic():
                    service(obj)
            except (ValidationError, PermissionDenied) as refusal:
                error = as_validation_error(refusal)
                self.message_user(
                    request,
                    _("%(object)s: %(messages)s")
                    % {"object": obj, "messages": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                moved += 1
        if moved:
            self.message_user(request, done % {"count": moved, **params}, messages.SUCCESS)


class ServiceInlineMixin(PersonPickersMixin):
    """An inline whose rows are saved one by one through `record`, refusals shown per row."""

    def record(self, request, obj, change: bool) -> None:
        save_validated(obj, actor=request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset_class = super().get_formset(request, obj, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal is None or refusal.model is not self.model:
            return formset_class

        class RefusedFormSet(formset_class):
            def clean(self):
                super().clean()
                if refusal.index is not None and refusal.index < len(self.forms):
                    show_refusal(self.forms[refusal.index], refusal.error)
                else:
                    raise ValidationError(refusal.error.messages)

        return RefusedFormSet


class AuditedAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """Admin of a model with history: the History page shows who changed what, old → new."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # SIMPLE_HISTORY_REVERT_DISABLED only hides the button; a POST would still save
        # the old version past the services' transition maps.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class AuditedInline(ServiceInlineMixin, admin.TabularInline):
    extra = 0


class AuditedStackedInline(ServiceInlineMixin, admin.StackedInline):
    extra = 0


class ReadOnlyAdminMixin:
    """For append-only records (hosting changes, task updates): written by services only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def cut(text: object) -> str:
    """A long text in a list cell, cut to the column (admin.css) with all of it on hover."""
    return format_html('<span class="cut" title="{}">{}</span>', text, text)


def person_column(field: str, description) -> Callable[[object, models.Model], str]:
    """A list column naming the person in `field` as every picker does; the list selects
    person_column_related(field) with its rows."""

    @admin.display(description=description, ordering=f"{field}__first_name")
    def column(model_admin, obj) -> str:
        person = getattr(obj, field)
        return person_label(person) if person is not None else "—"

    return column


def person_column_related(field: str) -> list[str]:
    return [f"{field}__{path}" for path in PERSON_LABEL_RELATED]


class CountryInUseFilter(admin.SimpleListFilter):
    """The countries the listed rows are in, by name: not the world's 250 (a model's
    `country` field)."""

    title = gettext_lazy("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            model_admin.model._default_manager.exclude(country="")
            .order_by()
            .values_list("country", flat=True)
            .distinct()
        )
        return sorted(((code, countries.name(code)) for code in codes), key=lambda c: str(c[1]))

    def queryset(self, request, queryset):
        return queryset.filter(country=self.value()) if self.value() else queryset
