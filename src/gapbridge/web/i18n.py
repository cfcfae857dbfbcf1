"""Small language helpers for views."""

from typing import Literal

from django.utils.translation import get_language_bidi


def text_dir() -> Literal["ltr", "rtl"]:
    return "rtl" if get_language_bidi() else "ltr"
