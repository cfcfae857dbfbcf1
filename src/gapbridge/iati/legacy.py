"""IATI 1.x -> 2.x code mapping: the one table of codes fixed by the 2.01 upgrade, plus name lookups.

In IATI 1.0x several codelists used English text as the code; 2.01 made them language-neutral numbers.
Two kinds of mapping exist:

* **Derived from the codelists** — where the 1.x code is the 2.x *name* (OrganisationRole
  ``Funding`` -> ``1``; BudgetType ``Original`` -> ``1``), the code is looked up by name,
  case-insensitively, in the bundled official codelist (:data:`NAME_DERIVED`).
* **Fixed by the upgrade** — where the 1.x code is an abbreviation, the mapping is the table below
  (:data:`LEGACY_CODES`). Sources: ``IATI/IATI-Upgrades en/upgrade-changelogs/integer-upgrade-to-2-01/
  2-01-changes.rst`` ("Codelist Changes"), and the 1.x codelists ``IATI/IATI-Codelists
  TransactionType.xml, Vocabulary.xml @5381c556`` for the meaning of each 1.x code.

Two corrections to the upgrade changelog, both checked against the codelists: it prints ``Q3`` for
Sale of Equity (the 1.x code is ``QS``), and its SectorVocabulary table numbers the 1.x codes
alphabetically (ADT 1, COFOG 2, DAC 3 …), which contradicts the 2.x SectorVocabulary codelist itself
(1 = "OECD DAC CRS Purpose Codes (5 digit)", 2 = "(3 digit)", 3 = COFOG, 4 = NACE, 5 = NTEE,
6 = AidData, 99 = Reporting Organisation, 98 = Reporting Organisation 2). We follow the codelist.
1.x vocabularies ``ISO`` and ``WB`` have no 2.x equivalent and stay unmapped (reported as unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gapbridge.iati.codelists import Codelists

#: 2.x codelist name -> {1.x code (case-folded): 2.x code}. The only hand-written codes in the adapter.
LEGACY_CODES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "TransactionType": MappingProxyType(
            {
                "if": "1",  # Incoming Funds
                "c": "2",  # Commitment -> Outgoing Commitment
                "d": "3",  # Disbursement
                "e": "4",  # Expenditure
                "ir": "5",  # Interest Repayment
                "lr": "6",  # Loan Repayment
                "r": "7",  # Reimbursement
                "qp": "8",  # Purchase of Equity
                "qs": "9",  # Sale of Equity (changelog misprints "Q3")
                "cg": "10",  # Credit Guarantee
            }
        ),
        "ActivityDateType": MappingProxyType(
            {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}
        ),
        "SectorVocabulary": MappingProxyType(
            {
                "dac": "1",
                "dac-3": "2",
                "cofog": "3",
                "nace": "4",
                "ntee": "5",
                "adt": "6",
                "ro": "99",
                "ro2": "98",
            }
        ),
        "PolicyMarkerVocabulary": MappingProxyType({"dac": "1", "ro": "99"}),
    }
)

#: Codelists whose 1.x codes are the English names of the 2.x codes.
NAME_DERIVED: frozenset[str] = frozenset({"OrganisationRole", "BudgetType"})


def to_v2(list_name: str, value: str, codelists: Codelists) -> str | None:
    """The 2.x code for a 1.x ``value`` of ``list_name``, or ``None`` when no mapping applies."""
    table = LEGACY_CODES.get(list_name)
    if table is not None:
        mapped = table.get(value.strip().casefold())
        if mapped is not None:
            return mapped
    if list_name in NAME_DERIVED:
        return codelists.code_for_name(list_name, value)
    return None
