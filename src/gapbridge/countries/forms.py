"""Form fields that name economies and country groups in the visitor's language.

`ModelChoiceField` labels options with `str(obj)`, which is the English name; these fields use
`Economy.name` / `CountryGroup.display_name` instead and sort by the translated label (accents ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue

from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.countries.queries import fold

#: How people sort labels: accents ignored, case folded ("Égypte" comes after "Dominique").
sort_key = fold


class _SortedByLabel(ModelChoiceIterator):
    """Options in the order of their (translated) labels, the empty choice first."""

    def __iter__(self) -> Iterator[tuple[ModelChoiceIteratorValue | str, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        choices = [self.choice(obj) for obj in self.queryset.all()]
        yield from sorted(choices, key=lambda choice: sort_key(str(choice[1])))


def _label(obj: Any) -> str:
    if isinstance(obj, Economy):
        return obj.name
    if isinstance(obj, CountryGroup):
        return obj.display_name
    return str(obj)


class LocalizedModelChoiceField(forms.ModelChoiceField):
    iterator = _SortedByLabel

    def label_from_instance(self, obj: Any) -> str:
        return _label(obj)


class LocalizedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = _SortedByLabel

    def label_from_instance(self, obj: Any) -> str:
        return _label(obj)
