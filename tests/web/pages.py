"""Helpers of the page tests: a signed-in client, a page's text, the messages at its top."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def top_messages(response: Any) -> str:
    """The messages shown at the top of a page (not the rest of it: forms name their fields by code)."""
    found = re.search(r'<ul class="flash"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""
