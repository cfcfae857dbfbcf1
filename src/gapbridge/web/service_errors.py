"""A service's refusal shown on a form: "budget_usd: must be 0 or more" goes to the budget field, under its
label, without the API's field name; a message about no field of the form stays at the top."""

from __future__ import annotations

import re
from typing import Any

#: "field_name: …" (with a no-break space before the colon in French) at the start of a service message
_FIELD = re.compile(r"^([a-z][a-z0-9_]*)[ \u00a0\u202f]?:\s*(.+)$", re.DOTALL)


def add_service_error(form: Any, exc: Exception) -> None:
    text = str(exc)
    found = _FIELD.match(text)
    if found and found.group(1) in form.fields:
        form.add_error(found.group(1), found.group(2))
    else:
        form.add_error(None, text)
