"""``{{ url|web_url }}``: the address if it is a web address (http, https, ftp), else "" — so published text
(IATI document links, offers written through the API before URLs were checked) never becomes a
``javascript:`` or ``data:`` link."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template

register = template.Library()

SCHEMES = frozenset({"http", "https", "ftp", "ftps"})


@register.filter
def web_url(url: object) -> str:
    text = str(url or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in SCHEMES else ""
