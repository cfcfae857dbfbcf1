"""Translatable display names for the codes that pure domain code and the bundled data spell in English.

`gapbridge.domain.gapindex` names its pillars, indicators and units in English and must not import Django;
the reference data stores regions and group names in English. Pages look the display name up here by code
(or by the English text for units, regions and data-gap reasons) and get the active language's version; an
unknown code falls back to the stored English text, so new data never breaks a page.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gapbridge.countries.models import IncomeGroup
from gapbridge.domain import gapindex

PILLAR_NAMES: dict[str, Promise] = {
    "connectivity": _("Connectivity"),
    "affordability": _("Affordability"),
    "skills": _("Skills and human capital"),
    "finance": _("Digital finance and payments"),
    "policy": _("Policy and regulation"),
    "trust": _("Trust and security"),
    "economy": _("Digital economy and trade"),
}

#: GapBridge's nine focus areas (slugs of data/focus-areas/focus-areas.csv), in the reader's language.
FOCUS_AREA_NAMES: dict[str, Promise] = {
    "connectivity-infrastructure": _("Connectivity infrastructure"),
    "digital-skills": _("Digital skills"),
    "ecommerce-sme": _("E-commerce and SME support"),
    "digital-payments": _("Digital payments"),
    "data-regulation": _("Cross-border data and regulation"),
    "digital-taxation": _("Digital taxation"),
    "emerging-technology": _("Trustworthy emerging technology"),
    "research-innovation": _("R&D and innovation"),
    "trade-facilitation": _("Trade facilitation"),
}

INDICATOR_NAMES: dict[str, Promise] = {
    "internet_users": _("Internet users"),
    "mobile_subscriptions": _("Mobile subscriptions"),
    "fixed_broadband": _("Fixed broadband subscriptions"),
    "electricity_access": _("Access to electricity"),
    "mobile_data_price": _("Cost of 1 GB of mobile data"),
    "gni_per_capita": _("GNI per capita (Atlas method)"),
    "adult_literacy": _("Adult literacy rate"),
    "gtmi_digitalskills": _("Digital skills (GovTech Maturity Index)"),
    "account_ownership": _("Account ownership"),
    "gtmi_epayments": _("Government e-payments (GovTech Maturity Index)"),
    "law_etransactions": _("Electronic transactions law"),
    "law_consumer_protection": _("Consumer protection law"),
    "law_data_protection": _("Data protection law"),
    "law_cybercrime": _("Cybercrime law"),
    "gci_overall": _("Global Cybersecurity Index"),
    "secure_servers": _("Secure Internet servers"),
    "digital_services_exports_pc": _("Digitally-deliverable services exports"),
    "ict_business_internet": _("Businesses using the Internet"),
    "gtmi_eprocurement": _("Government e-procurement (GovTech Maturity Index)"),
}

UNITS: dict[str, Promise] = {
    # xgettext:no-python-format (a unit, never %-formatted)
    gapindex.UNIT_PCT_POPULATION: _("% of population"),
    # xgettext:no-python-format (a unit, never %-formatted)
    gapindex.UNIT_PCT_ADULTS: _("% of people aged 15+"),
    # xgettext:no-python-format (a unit, never %-formatted)
    gapindex.UNIT_PCT_BUSINESSES: _("% of businesses"),
    # xgettext:no-python-format (a unit, never %-formatted)
    gapindex.UNIT_PCT_GNI: _("% of monthly GNI per capita"),
    gapindex.UNIT_PER_100: _("per 100 people"),
    gapindex.UNIT_PER_MILLION: _("per million people"),
    gapindex.UNIT_USD: _("current US$"),
    gapindex.UNIT_USD_PER_CAPITA: _("current US$ per capita"),
    gapindex.UNIT_GTMI: _("GTMI 2022 indicator score"),
    gapindex.UNIT_GCI: _("score 0-100"),
    gapindex.UNIT_LEGISLATION: _("1 = law, 0.5 = draft law, 0 = no law"),
}

GAP_REASONS: dict[str, Promise] = {
    gapindex.GAP_NO_OBSERVATION: _("no observation"),
    gapindex.GAP_OUTSIDE_WINDOW: _("no observation in window"),
}

# UN M49 regions and sub-regions, as the bundled economies file spells them.
REGIONS: dict[str, Promise] = {
    "Africa": _("Africa"),
    "Americas": _("Americas"),
    "Asia": _("Asia"),
    "Europe": _("Europe"),
    "Oceania": _("Oceania"),
    "Australia and New Zealand": _("Australia and New Zealand"),
    "Central Asia": _("Central Asia"),
    "Eastern Asia": _("Eastern Asia"),
    "Eastern Europe": _("Eastern Europe"),
    "Latin America and the Caribbean": _("Latin America and the Caribbean"),
    "Melanesia": _("Melanesia"),
    "Micronesia": _("Micronesia"),
    "Northern Africa": _("Northern Africa"),
    "Northern America": _("Northern America"),
    "Northern Europe": _("Northern Europe"),
    "Polynesia": _("Polynesia"),
    "South-eastern Asia": _("South-eastern Asia"),
    "Southern Asia": _("Southern Asia"),
    "Southern Europe": _("Southern Europe"),
    "Sub-Saharan Africa": _("Sub-Saharan Africa"),
    "Western Asia": _("Western Asia"),
    "Western Europe": _("Western Europe"),
}

# Country groups of the bundled reference data, by code.
GROUP_NAMES: dict[str, Promise] = {
    "dco": _("Digital Cooperation Organization member states"),
    "income-h": _("High income (World Bank FY2025)"),
    "income-l": _("Low income (World Bank FY2025)"),
    "income-lm": _("Lower-middle income (World Bank FY2025)"),
    "income-um": _("Upper-middle income (World Bank FY2025)"),
    "ldc": _("Least developed countries (UN)"),
    "lldc": _("Landlocked developing countries (UN)"),
    "sids": _("Small island developing States (UN)"),
    "wto-member": _("WTO members"),
    "wto-observer": _("WTO observers"),
}

LAW_STATUS: dict[str, Promise] = {
    "law in force": _("law in force"),
    "draft only": _("draft only"),
    "none": _("none"),
    "no data": _("no data"),
}


def _lookup(table: dict[str, Promise], key: str, default: str) -> str:
    label = table.get(key)
    return str(label) if label is not None else default


def focus_area_name(slug: str, default: str = "") -> str:
    return _lookup(FOCUS_AREA_NAMES, slug, default or slug)


def pillar_name(code: str, default: str = "") -> str:
    return _lookup(PILLAR_NAMES, code, default or code)


def indicator_name(code: str, default: str = "") -> str:
    return _lookup(INDICATOR_NAMES, code, default or code)


def unit(text: str) -> str:
    return _lookup(UNITS, text, text)


def gap_reason(text: str) -> str:
    return _lookup(GAP_REASONS, text, text)


def region(text: str) -> str:
    return _lookup(REGIONS, text, text)


def group_name(code: str, default: str = "") -> str:
    """A country group's name; also the synthetic "region:<name>" and "income:<code>" peer groups."""
    kind, _sep, value = code.partition(":")
    if kind == "region" and value:
        return region(value)
    if kind == "income" and value in IncomeGroup.values:
        return str(IncomeGroup(value).label)
    return _lookup(GROUP_NAMES, code, default or code)
