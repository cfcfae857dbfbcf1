"""Organisation files: every budget kind, expenditure and document link is stored, exported as valid IATI
2.03 and re-imported with the same counts and per-currency sums (QA finding 3.5).

The expected figures come from a plain lxml pass over the source files, independent of the adapter.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from lxml import etree

from gapbridge.accounts import services as accounts
from gapbridge.accounts.models import Role
from gapbridge.iati.schema import validate_file
from gapbridge.projects.export import export_organisations
from gapbridge.projects.models import IatiOrganisation, OrganisationBudget
from gapbridge.projects.models.imports import (
    OrganisationDocumentLink,
    OrganisationExpenditure,
    OrganisationRecipientBudget,
)
from tests import factories

from .test_projects_support import IATI, ORGANISATION, run_import

pytestmark = pytest.mark.django_db

#: The official organisation examples of every 2.x version (bundled, see data/iati/PROVENANCE.md), and the
#: real bundled organisation file.
EXAMPLES = IATI / "examples"
FILES = [
    ORGANISATION,
    *(EXAMPLES / f"organisation-standard-example-annotated-{v}.xml" for v in ("2.01", "2.02", "2.03")),
]
#: element kind -> (XML tag, tag of its lines)
KINDS = {
    "total": ("total-budget", "budget-line"),
    "org": ("recipient-org-budget", "budget-line"),
    "region": ("recipient-region-budget", "budget-line"),
    "country": ("recipient-country-budget", "budget-line"),
    "expenditure": ("total-expenditure", "expense-line"),
}

Figures = dict[str, Any]


Sums = defaultdict[str, Decimal]


def _add(sums: Sums, value: Any, currency: str | None) -> None:
    sums[currency or ""] += Decimal(str(value).strip())


def _add_value(sums: Sums, element: Any, default: str | None) -> None:
    value = element.find("value")
    assert value is not None, f"{element.tag} without value"
    _add(sums, value.text, value.get("currency") or default)


def plain_figures(path: Path) -> dict[str, Figures]:
    """Per organisation identifier: count, lines and per-currency sums of each kind; document links."""
    out: dict[str, Figures] = {}
    for org in etree.parse(str(path)).getroot().iter("iati-organisation"):
        identifier = (
            org.findtext("organisation-identifier") or org.findtext("iati-identifier") or ""
        ).strip()
        default = org.get("default-currency")
        figures: Figures = {}
        for kind, (tag, line_tag) in KINDS.items():
            sums: Sums = defaultdict(Decimal)
            line_sums: Sums = defaultdict(Decimal)
            elements = org.findall(tag)
            lines = 0
            for element in elements:
                _add_value(sums, element, default)
                for line in element.findall(line_tag):
                    lines += 1
                    _add_value(line_sums, line, default)
            figures[kind] = (len(elements), lines, dict(sums), dict(line_sums))
        links = org.findall("document-link")
        figures["document-link"] = (
            len(links),
            sum(len(link.findall("category")) for link in links),
            sum(len(link.findall("language")) for link in links),
            sum(len(link.findall("recipient-country")) for link in links),
            sum(link.find("document-date") is not None for link in links),
        )
        out[identifier] = figures
    return out


def _stored_money(rows: Any) -> tuple[int, int, dict[str, Decimal], dict[str, Decimal]]:
    sums: Sums = defaultdict(Decimal)
    line_sums: Sums = defaultdict(Decimal)
    count = lines = 0
    for row in rows:
        count += 1
        _add(sums, row.value_text, row.currency)
        for line in row.lines:
            lines += 1
            _add(line_sums, line["value"], line["currency"])
    return count, lines, dict(sums), dict(line_sums)


def stored_figures() -> dict[str, Figures]:
    """The same figures from the registry tables."""
    out: dict[str, Figures] = {}
    for org in IatiOrganisation.objects.all():
        figures: Figures = {"total": _stored_money(OrganisationBudget.objects.filter(organisation=org))}
        for kind in ("org", "region", "country"):
            rows = OrganisationRecipientBudget.objects.filter(organisation=org, kind=kind)
            figures[kind] = _stored_money(rows)
        figures["expenditure"] = _stored_money(OrganisationExpenditure.objects.filter(organisation=org))
        links = list(OrganisationDocumentLink.objects.filter(organisation=org))
        figures["document-link"] = (
            len(links),
            sum(len(link.categories) for link in links),
            sum(len(link.languages) for link in links),
            sum(len(link.recipient_countries) for link in links),
            sum(link.document_date is not None for link in links),
        )
        out[org.organisation_identifier] = figures
    return out


def organisation_rows() -> dict[str, list[str]]:
    """Every organisation-file row, the organisation by identifier, without surrogate ids."""
    models: dict[str, type[Model]] = {
        "organisation": IatiOrganisation,
        "total": OrganisationBudget,
        "recipient": OrganisationRecipientBudget,
        "expenditure": OrganisationExpenditure,
        "document-link": OrganisationDocumentLink,
    }
    out = {}
    for name, model in models.items():
        fields = [
            "organisation__organisation_identifier" if f.attname == "organisation_id" else f.attname
            for f in model._meta.concrete_fields
            if f.attname != "id"
        ]
        out[name] = sorted(repr(row) for row in model._default_manager.values_list(*fields))
    return out


@pytest.mark.parametrize("source", FILES, ids=lambda p: p.name)
def test_organisation_file_export_keeps_every_element_and_reimports_alike(
    source: Path, tmp_path: Path
) -> None:
    expected = plain_figures(source)
    summary = run_import([source]).as_dict()
    assert summary["organisations"]["new"] == len(expected) and not summary["errors"]
    assert stored_figures() == expected

    out = tmp_path / "organisations.xml"
    result = export_organisations(IatiOrganisation.objects.all(), str(out))
    assert result.written == len(expected) and not result.unwritable and not result.left_out
    assert validate_file(out, "2.03") == []
    assert plain_figures(out) == expected

    IatiOrganisation.objects.all().delete()  # a fresh registry for the re-import of the export
    assert run_import([out]).as_dict()["organisations"]["new"] == len(expected)
    assert stored_figures() == expected

    before = organisation_rows()
    again = run_import([out]).as_dict()["organisations"]
    assert again == {"new": 0, "updated": 0, "unchanged": len(expected)}
    assert organisation_rows() == before


def test_the_bundled_example_keeps_its_documents_and_budget_lines() -> None:
    run_import([ORGANISATION])
    figures = stored_figures()["XM-LMH-7"]
    assert figures["org"][0] == 179
    assert figures["country"][0] == 17
    assert figures["region"][0] == 1
    assert figures["document-link"][0] == 129
    assert figures["total"][1] > 0  # total-budget budget-lines were dropped before
    link = OrganisationDocumentLink.objects.order_by("position").first()
    assert link is not None and link.url.startswith("http") and link.title and link.categories


def test_importing_every_organisation_file_twice_writes_nothing_the_second_time() -> None:
    # three of them are versions of one organisation with the same last-updated-datetime
    first = run_import(FILES).as_dict()["organisations"]
    assert first["new"] == IatiOrganisation.objects.count()
    before = organisation_rows()
    second = run_import(FILES).as_dict()["organisations"]
    assert second == {"new": 0, "updated": 0, "unchanged": len(FILES)}
    assert organisation_rows() == before

    IatiOrganisation.objects.all().delete()  # any order of the files gives the same registry
    run_import(list(reversed(FILES)))
    assert organisation_rows() == before


def test_the_secretariat_reads_an_organisation_file_in_the_admin_but_cannot_edit_it() -> None:
    run_import([ORGANISATION])
    organisation = IatiOrganisation.objects.get(organisation_identifier="XM-LMH-7")
    budget = OrganisationRecipientBudget.objects.filter(organisation=organisation, kind="country").first()
    link = OrganisationDocumentLink.objects.filter(organisation=organisation).first()
    assert budget is not None and link is not None
    sec = accounts.add_user(
        None, "sec", "sec@example.org", factories.PASSWORD, role=Role.SECRETARIAT, bootstrap=True
    )
    admin = Client()
    admin.force_login(sec)
    assert "XM-LMH-7" in admin.get("/admin/projects/iatiorganisation/").content.decode()
    page = admin.get(f"/admin/projects/iatiorganisation/{organisation.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert budget.recipient_code in html and budget.value_text in html, "recipient budgets are shown"
    assert link.url.replace("&", "&amp;") in html, "document links are shown"
    assert admin.get("/admin/projects/iatiorganisation/add/").status_code == 403
    posted = admin.post(f"/admin/projects/iatiorganisation/{organisation.pk}/delete/", {"post": "yes"})
    assert posted.status_code == 403 and IatiOrganisation.objects.filter(pk=organisation.pk).exists()
