"""Digital public goods as offers: which focus areas a DPG serves, and the bundled registry subset.

The Digital Public Goods Alliance registry (github:DPGAlliance/publicgoods-candidates, Unlicense) lists
software, content, data and AI models nominated or recognised as digital public goods. GapBridge bundles
the records that serve at least one of its focus areas, with the fields an offer needs, in
``data/offers/dpg-offers.json.gz`` (built by ``python -m gapbridge.offers.dpg /path/to/dpg-registry``;
``data/offers/PROVENANCE.md`` says how). A DPG's focus areas come from keyword rules over its name,
description and sectors (below): the registry's own sectors (health, climate, education…) do not say which
digital divide a tool helps close. Pure Python: no Django.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any, Final

BUNDLED: Final = Path(__file__).resolve().parents[3] / "data" / "offers" / "dpg-offers.json.gz"
SOURCE: Final = (
    "github:DPGAlliance/publicgoods-candidates nominees/*.json, "
    "digitalpublicgoods/*.json@a1d99f08b175143bb562f7377beefb1de41a6186"
)
REGISTRY_URL: Final = "https://www.digitalpublicgoods.net/registry"

#: focus area -> pattern over "name description sectors" (English; the registry is written in English)
RULES: Final[dict[str, re.Pattern[str]]] = {
    "connectivity-infrastructure": re.compile(
        r"\b(connectivity|broadband|internet access|wi-?fi|mesh network|telecom\w*|network infrastructure|"
        r"offline-first|sms|ussd|mobile network)\b",
        re.I,
    ),
    "digital-skills": re.compile(
        r"\b(digital literacy|digital skills?|e-?learning|learning management|online courses?|mooc|coding|"
        r"curricul\w+|teachers?|training platform|learning platform|educational content)\b",
        re.I,
    ),
    "ecommerce-sme": re.compile(
        r"\b(e-?commerce|marketplaces?|online shop\w*|small businesses|smes?|msmes?|entrepreneurs?|"
        r"enterprises?|merchants?|invoic\w+|point of sale|erp|accounting)\b",
        re.I,
    ),
    "digital-payments": re.compile(
        r"\b(payments?|mobile money|fintech|financial inclusion|financial services|wallets?|banking|"
        r"micro-?finance|"
        r"remittances?|cash transfers?|loans?|credit)\b",
        re.I,
    ),
    "data-regulation": re.compile(
        r"\b(data protection|privacy|consent|open data|data governance|data sharing|digital identity|"
        r"identity|interoperab\w+|standards?|registr(y|ies)|statistic\w*|census)\b",
        re.I,
    ),
    "digital-taxation": re.compile(r"\b(tax\w*|revenue (collection|administration)|customs duties)\b", re.I),
    "emerging-technology": re.compile(
        r"\b(artificial intelligence|ai|machine learning|language models?|cyber\w*|security|blockchain|"
        r"encryption|computer vision|speech recognition|nlp)\b",
        re.I,
    ),
    "research-innovation": re.compile(
        r"\b(research\w*|scientific|open science|innovation|laborator\w+|repositor(y|ies) of publications)\b",
        re.I,
    ),
    "trade-facilitation": re.compile(
        r"\b(trade|customs|logistics|supply chains?|single window|exports?|imports?|procurement)\b", re.I
    ),
}


def focus_areas_of(record: dict[str, Any]) -> list[str]:
    text = " ".join(
        [
            str(record.get("name", "")),
            str(record.get("description", "")),
            " ".join(record.get("sectors") or []),
        ]
    )
    return [area for area, pattern in RULES.items() if pattern.search(text)]


def load_bundled(path: Path = BUNDLED) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise ValueError(f"{path}: expected an object with a 'records' list")
    records: list[dict[str, Any]] = data["records"]
    return records


def build(registry: Path, out: Path = BUNDLED) -> int:
    """Write the bundled subset from the registry folder (dpg-nominees.json, dpg-screening.json)."""
    nominees = json.loads((registry / "dpg-nominees.json").read_text(encoding="utf-8"))
    screening_file = registry / "dpg-screening.json"
    screening = json.loads(screening_file.read_text(encoding="utf-8")) if screening_file.exists() else []
    deployed = {s["id"]: (s.get("locations") or {}).get("deploymentCountries") or [] for s in screening}
    records: list[dict[str, Any]] = []
    for item in sorted(nominees, key=lambda x: x["id"]):
        record = {
            "id": item["id"],
            "name": item.get("name", "").strip(),
            "description": " ".join(str(item.get("description", "")).split()),
            "website": item.get("website", ""),
            "stage": item.get("stage", ""),
            "type": item.get("type") or [],
            "sectors": item.get("sectors") or [],
            "sdgs": sorted({s.get("SDGNumber") for s in item.get("SDGs") or [] if s.get("SDGNumber")}),
            "licenses": [lic.get("spdx", "") for lic in item.get("license") or [] if lic.get("spdx")],
            "organizations": [
                {k: o.get(k, "") for k in ("name", "website", "org_type")}
                for o in item.get("organizations") or []
            ],
            "deployment_countries": sorted(set(deployed.get(item["id"], []))),
        }
        record["focus_areas"] = focus_areas_of(record)
        if record["name"] and record["description"] and record["focus_areas"]:
            records.append(record)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"source": SOURCE, "licence": "Unlicense (public domain)", "records": records}
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, indent=0, sort_keys=True)
    return len(records)


if __name__ == "__main__":  # pragma: no cover - build script
    count = build(Path(sys.argv[1]))
    print(f"wrote {count} records to {BUNDLED}")
