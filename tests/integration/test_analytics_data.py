"""A small IATI file for the analytics tests, imported through the registry's own importer.

The activities reproduce what the real data does (see docs/analytics.md): a donor disbursing to an
implementer that reports the money as incoming funds (a traceability link), a second publisher
republishing the donor's activity under the same identifier, a similar project of a third publisher
in French with a shared partner, and unrelated activities.

Expected, by the documented rule (USD):
- disbursements: gross 600k (donor) + 600k (copy) + 800k (implementer) + 50k (roads) + 90k (Niger)
  = 2,140k; de-duplicated 600k + 200k + 50k + 90k = 940k (the copy weighs 0; the implementer received
  600k of its 800k from the donor);
- commitments: gross 1,000k + 1,000k (copy) + 300k (French project) = 2,300k; de-duplicated 1,300k.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gapbridge.projects.models import Activity

DONOR = "GB-GOV-1-300123"
IMPLEMENTER = "KE-NGO-1-DS01"
FRENCH = "FR-3-KE-77"
ROADS = "DE-1-ROADS-5"
NIGER = "GB-GOV-1-NE-9"


def _activity(
    identifier: str,
    publisher: str,
    title: str,
    description: str,
    *,
    country: str = "KE",
    sector: str = "11330",
    lang: str = "en",
    partners: tuple[tuple[str, str, str], ...] = (),
    transactions: str = "",
    start: str = "2021-01-01",
    end: str = "2030-12-31",
    english_title: str = "",
) -> str:
    orgs = "".join(
        f'<participating-org ref="{ref}" role="{role}" type="22"><narrative>{name}</narrative>'
        "</participating-org>"
        for ref, role, name in partners
    )
    title_en = f'<narrative xml:lang="en">{english_title}</narrative>' if english_title else ""
    return f"""
  <iati-activity last-updated-datetime="2024-01-01T00:00:00" xml:lang="{lang}" default-currency="USD">
    <iati-identifier>{identifier}</iati-identifier>
    <reporting-org ref="{publisher}" type="10"><narrative>{publisher} agency</narrative></reporting-org>
    <title><narrative>{title}</narrative>{title_en}</title>
    <description type="1"><narrative>{description}</narrative></description>
    <participating-org ref="{publisher}" role="1" type="10"><narrative>{publisher} agency</narrative>
    </participating-org>
    {orgs}
    <activity-status code="2"/>
    <activity-date iso-date="{start}" type="2"/>
    <activity-date iso-date="{end}" type="3"/>
    <recipient-country code="{country}" percentage="100"/>
    <sector vocabulary="1" code="{sector}" percentage="100"/>
    {transactions}
  </iati-activity>"""


def _tx(type_: str, value: int, date: str, extra: str = "") -> str:
    return (
        f'<transaction><transaction-type code="{type_}"/><transaction-date iso-date="{date}"/>'
        f'<value currency="USD" value-date="{date}">{value}</value>{extra}</transaction>'
    )


DONOR_TX = _tx("2", 1_000_000, "2021-02-01") + _tx(
    "3",
    600_000,
    "2021-06-01",
    f'<receiver-org ref="KE-NGO-1" receiver-activity-id="{IMPLEMENTER}">'
    "<narrative>Kenya Digital Trust</narrative></receiver-org>",
)
SKILLS_EN = (
    "Digital skills training for young people in Kenya: coding clubs, digital literacy and online jobs"
)

ACTIVITIES = [
    _activity(
        DONOR,
        "GB-GOV-1",
        "Digital skills for young people in Kenya",
        SKILLS_EN,
        partners=(("KE-NGO-1", "4", "Kenya Digital Trust"),),
        transactions=DONOR_TX,
    ),
    _activity(
        IMPLEMENTER,
        "KE-NGO-1",
        "Kenya youth digital skills and coding clubs",
        "Coding clubs and digital literacy training for young people in Kenya, funded by the UK",
        partners=(("GB-GOV-1", "1", "UK Government"), ("KE-GOV-ICT", "4", "Ministry of ICT")),
        transactions=_tx(
            "1",
            600_000,
            "2021-06-15",
            f'<provider-org ref="GB-GOV-1" provider-activity-id="{DONOR}">'
            "<narrative>UK</narrative></provider-org>",
        )
        + _tx("4", 800_000, "2022-03-01"),
    ),
    _activity(
        FRENCH,
        "FR-3",
        "Compétences numériques pour les jeunes au Kenya",
        "Formation au numérique, clubs de programmation et compétences numériques pour les jeunes au Kenya",
        lang="fr",
        english_title="Digital skills for youth in Kenya",
        partners=(("KE-NGO-1", "4", "Kenya Digital Trust"), ("KE-GOV-ICT", "4", "Ministry of ICT")),
        transactions=_tx("2", 300_000, "2022-01-10"),
    ),
    _activity(
        ROADS,
        "DE-1",
        "Rural roads maintenance in western Kenya",
        "Maintenance of rural roads and bridges after floods",
        sector="21020",
        transactions=_tx("3", 50_000, "2022-05-01"),
    ),
    _activity(
        NIGER,
        "GB-GOV-1",
        "Rural broadband for Niger",
        "Fibre backbone and community internet access points in rural Niger",
        country="NE",
        sector="22040",
        transactions=_tx("3", 90_000, "2022-05-01"),
    ),
]
# the same donor activity as republished by another organisation (same identifier, another publisher)
COPY = _activity(
    DONOR,
    "US-EIN-1",
    "Digital skills for young people in Kenya",
    SKILLS_EN,
    partners=(("KE-NGO-1", "4", "Kenya Digital Trust"),),
    transactions=DONOR_TX,
)


def write_fixture(folder: Path) -> list[Path]:
    """Two files (publishers' copies of one identifier must come from separate files or runs)."""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">'
    first = folder / "analytics-fixture.xml"
    first.write_text(head + "".join(ACTIVITIES) + "\n</iati-activities>\n", encoding="utf-8")
    second = folder / "analytics-fixture-copy.xml"
    second.write_text(head + COPY + "\n</iati-activities>\n", encoding="utf-8")
    return [first, second]


def load_fixture(folder: Path) -> dict[str, int]:
    """Import the fixture through the registry; returns {identifier or identifier@publisher: activity id}."""
    from gapbridge.projects import services

    summary = services.import_files(None, write_fixture(folder))
    assert not summary.errors, summary.errors
    found: dict[str, int] = {}
    for pk, identifier, publisher in Activity.objects.values_list("id", "iati_identifier", "publisher_ref"):
        found.setdefault(identifier, pk)
        found[f"{identifier}@{publisher}"] = pk
    return found


@pytest.mark.django_db
def test_the_fixture_imports_with_both_copies_of_the_donor_activity(tmp_path: Path) -> None:
    ids = load_fixture(tmp_path)
    assert Activity.objects.count() == 6
    copies = Activity.objects.filter(iati_identifier=DONOR)
    assert {a.publisher_ref for a in copies} == {"GB-GOV-1", "US-EIN-1"}
    assert sum(1 for a in copies if a.is_primary) == 1
    assert f"{IMPLEMENTER}@KE-NGO-1" in ids
