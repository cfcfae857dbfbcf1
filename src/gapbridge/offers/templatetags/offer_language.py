"""Template filters for offers and needs in the reader's language (see `gapbridge.offers.content`).

{% load offer_language content_language %}
{% with shown=offer|in_language %}<h1 lang="{{ shown.lang }}">{{ shown.fields.title }}</h1>
{% fallback_notice shown %}{% endwith %}
<a href="...">{{ need|title_in_language }}</a>
"""

from __future__ import annotations

from django import template

from gapbridge.offers.content import Translatable, shown
from gapbridge.web.content_language import Shown

register = template.Library()


@register.filter
def in_language(obj: Translatable) -> Shown:
    """The version of an offer or a need to show in the active language."""
    return shown(obj)


@register.filter
def title_in_language(obj: Translatable) -> str:
    """Its title in the active language when translated, else the original title."""
    return shown(obj).fields["title"]
