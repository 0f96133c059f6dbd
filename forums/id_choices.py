"""Choices of rows by id, where a posted id past the database's integers is "not one of
the choices" rather than a failed query: SQLite cannot bind it and PostgreSQL refuses it,
so Django's own fields and widgets turn such a value into a 500."""

from django import forms
from django.core.exceptions import ValidationError

from forums.api.base import MAX_ID


def can_be_an_id(value) -> bool:
    return str(value).isdigit() and int(value) <= MAX_ID


class ModelMultipleChoiceOfIds(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not can_be_an_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
