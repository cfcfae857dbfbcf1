"""Every interface string is translated into French, Spanish and Arabic, and the catalogues are up to date.

English is the source language (the msgids), so a string marked for translation and missing from a `.po`
file, left empty, left fuzzy, or translated with different placeholders fails here. The last test runs
Django's `makemessages` (GNU xgettext) on a copy of the code and compares the extracted msgids with the
committed catalogues, so a string marked in a template or in Python but never extracted fails too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "gapbridge"
LOCALE = PACKAGE / "locale"
LANGUAGES = ("fr", "es", "ar")
# gettext's plural rules: French one/other, Spanish one/many/other, Arabic zero/one/two/few/many/other.
NPLURALS = {"fr": 2, "es": 3, "ar": 6}
FORMAT_FLAGS = {"python-format", "python-brace-format"}
# printf-style conversions without the space flag: xgettext flags "% of" as python-format although
# nothing formats it, and "% d" in a translation is ordinary text, not a placeholder.
PRINTF = re.compile(r"%(?:\([A-Za-z_]\w*\))?[#0\-+]*\d*(?:\.\d+)?[sdifgeErxXc%]")
BRACES = re.compile(r"\{[A-Za-z_]\w*\}")


def _catalog(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def _messages(lang: str) -> list[Message]:
    return [m for m in _catalog(lang) if m.id]


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    s = message.string
    return tuple(s) if isinstance(s, (list, tuple)) else (s or "",)


def _key(message: Message) -> tuple[str | None, tuple[str, ...]]:
    return (message.context, _ids(message))


def placeholders(text: str) -> Counter[str]:
    """Named printf placeholders, brace fields and literal %% of a format string, with their counts."""
    found = Counter(m.group(0) for m in PRINTF.finditer(text))
    found.update(BRACES.findall(text))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_header_names_the_language_and_its_plural_rule(lang: str) -> None:
    catalog = _catalog(lang)
    assert not catalog.fuzzy, f"the {lang} catalogue header is marked fuzzy"
    assert str(catalog.locale) == lang
    assert catalog.num_plurals == NPLURALS[lang]
    header = dict(catalog.mime_headers)
    assert header.get("Language") == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(lang: str) -> None:
    messages = _messages(lang)
    assert len(messages) > 300, "the catalogue should hold the whole interface"
    empty = [m.id for m in messages if not all(_strings(m))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not empty, f"{len(empty)} untranslated {lang} messages, e.g. {empty[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy {lang} messages, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_messages_have_every_form(lang: str) -> None:
    plurals = [m for m in _messages(lang) if m.pluralizable]
    assert plurals, "the interface has plural messages (e.g. '%(n)s economies')"
    wrong = [m.id[0] for m in plurals if len(_strings(m)) != NPLURALS[lang]]
    assert not wrong, f"{lang} plural messages without {NPLURALS[lang]} forms: {wrong[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept_exactly(lang: str) -> None:
    wrong = []
    for message in _messages(lang):
        if not FORMAT_FLAGS & set(message.flags):
            continue
        ids = _ids(message)
        # The singular and plural msgids may differ in the count placeholder only (e.g. "one" vs "%(n)s").
        expected = placeholders(ids[-1]) | placeholders(ids[0])
        for form in _strings(message):
            if placeholders(form) != expected:
                wrong.append((ids[0], form))
    assert not wrong, f"{lang} translations whose placeholders differ from the English: {wrong[:5]}"


def test_placeholder_check_catches_a_changed_or_dropped_placeholder() -> None:
    assert placeholders("%(n)s of %(total)s economies") == placeholders("%(total)s : %(n)s économies")
    assert placeholders("%(n)s of %(total)s") != placeholders("%(n)s sur %(totl)s")
    assert placeholders("{country} is in {region}") != placeholders("{country} est en région")
    assert placeholders("data coverage %(c)s%%") != placeholders("couverture %(c)s %")
    assert placeholders("% of need") == placeholders("% de la part") == Counter()


def test_the_catalogues_hold_the_same_messages() -> None:
    keys = {lang: {_key(m) for m in _messages(lang)} for lang in LANGUAGES}
    assert keys["fr"] == keys["es"] == keys["ar"]


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run makemessages on a copy of the package (once per module); returns the copy's locale folder.

    The copy's catalogues are the committed ones merged with what the code marks now, with the flags
    (python-format, no-python-format) that xgettext derives from the code."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed, so makemessages cannot run here")
    tmp_path = tmp_path_factory.mktemp("i18n")
    copy = tmp_path / "gapbridge"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "static"))
    # makemessages writes into settings.LOCALE_PATHS[0]: point it at the copy, never at the real catalogues.
    (tmp_path / "i18n_check_settings.py").write_text(
        f"from gapbridge.settings import *  # noqa: F403\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "i18n_check_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "GAPBRIDGE_ENV": os.environ.get("GAPBRIDGE_ENV", "test"),
    }
    command = [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "--ignore", "migrations/*"]
    for lang in LANGUAGES:
        command += ["-l", lang]
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return copy / "locale"


def test_catalogues_are_up_to_date_with_templates_and_code(fresh_catalogues: Path) -> None:
    """Compare the msgids makemessages extracts from a copy of the package with the committed catalogues."""
    for lang in LANGUAGES:
        with (fresh_catalogues / lang / "LC_MESSAGES" / "django.po").open("rb") as handle:
            fresh = {_key(m) for m in read_po(handle, locale=lang) if m.id}
        committed = {_key(m) for m in _messages(lang)}
        missing, stale = sorted(fresh - committed), sorted(committed - fresh)
        assert not missing, (
            f"{len(missing)} marked strings are not in the {lang} catalogue (run `make messages` and "
            f"translate them): {missing[:5]}"
        )
        assert not stale, f"{len(stale)} {lang} messages are no longer in the code: {stale[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogues_pass_msgfmt_check(fresh_catalogues: Path, lang: str) -> None:
    """`msgfmt --check` on the catalogue as the code marks it now: a literal "% of" that xgettext
    misreads as a python-format directive must carry `# xgettext:no-python-format` (or be written
    `%%` in a string that is %-formatted), else compiling the translation fails or drops it."""
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    po = fresh_catalogues / lang / "LC_MESSAGES" / "django.po"
    done = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(po)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]


# --- user-facing errors are marked for translation -----------------------------------------------------

#: Exceptions whose message reaches a person: shown on a page (form errors, the messages framework) or
#: returned in the API's error envelope (`gapbridge.api.errors`).
USER_FACING_ERRORS = {
    "AdviceError",
    "AlertError",
    "BarrierError",
    "LinkError",
    "MembershipError",
    "OrganizationError",
    "PermissionDenied",
    "PledgeError",
    "QueryError",
    "ValidationError",
    "DoesNotExist",
    "Http404",
}
#: Modules whose errors are user-facing (the apps owned by the web layer; charts and reference-data
#: loading raise developer errors and are not listed).
USER_FACING_MODULES = [
    *sorted((PACKAGE / "barriers").glob("[!_]*.py")),
    *sorted((PACKAGE / "pledges").glob("[!_]*.py")),
    *sorted((PACKAGE / "analytics").glob("[!_]*.py")),
    *sorted((PACKAGE / "organizations").glob("[!_]*.py")),
    PACKAGE / "countries" / "api.py",
    PACKAGE / "countries" / "api_reference.py",
    PACKAGE / "countries" / "queries.py",
    PACKAGE / "countries" / "services.py",
    PACKAGE / "projects" / "api.py",
    PACKAGE / "projects" / "views.py",
    PACKAGE / "web" / "views.py",
]


def _unmarked_messages(source: str) -> list[tuple[int, str]]:
    """`raise SomeUserError("…")` / `f"…"` and `messages.error(request, "…")` with a bare string."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in USER_FACING_ERRORS:
            message = node.args[0]
        elif name in {"success", "error", "info", "warning"} and isinstance(func, ast.Attribute):
            if not (isinstance(func.value, ast.Name) and func.value.id == "messages") or len(node.args) < 2:
                continue
            message = node.args[1]
        elif name == "add_error" and len(node.args) >= 2:
            message = node.args[1]
        else:
            continue
        if isinstance(message, ast.JoinedStr) or (
            isinstance(message, ast.Constant) and isinstance(message.value, str) and message.value.strip()
        ):
            found.append((node.lineno, ast.unparse(message)[:80]))
    return found


def test_user_facing_error_messages_are_marked_for_translation() -> None:
    unmarked = [
        f"{path.relative_to(PACKAGE)}:{line}: {text}"
        for path in USER_FACING_MODULES
        for line, text in _unmarked_messages(path.read_text(encoding="utf-8"))
    ]
    assert not unmarked, "mark these with gettext and named placeholders:\n" + "\n".join(unmarked)


def test_the_unmarked_message_check_finds_bare_and_formatted_strings() -> None:
    source = (
        'raise BarrierError("give a reason")\n'
        'raise QueryError(f"bad {x!r}")\n'
        'raise BarrierError(_("give a reason"))\n'
        'raise QueryError(_("bad %(x)s") % {"x": x})\n'
        'messages.error(request, "failed")\n'
        "raise BarrierError(str(exc))\n"
    )
    assert [line for line, _text in _unmarked_messages(source)] == [1, 2, 5]


def test_french_puts_a_no_break_space_before_a_closing_colon() -> None:
    """French typography: "Statut :" with a no-break space (U+00A0), never "Statut:" nor a breakable space."""
    wrong = [
        (m.id, s)
        for m in _messages("fr")
        if isinstance(m.id, str) and m.id.endswith(":")
        for s in _strings(m)
        if s and not s.endswith("\u00a0:")
    ]
    assert not wrong, wrong[:10]
