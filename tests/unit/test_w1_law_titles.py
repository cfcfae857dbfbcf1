"""Law titles and links from the UNCTAD cyberlaw tracker are read as plain text (no HTML tags or entities)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gapbridge.countries.reference_files import clean_title, clean_url, read_economies, read_legal

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kenya Information and<br>Communications Act", "Kenya Information and Communications Act"),
        (
            "LAW no. LP284/2004<br/>of 22.07.2004<BR />on electronic commerce",
            "LAW no. LP284/2004 of 22.07.2004 on electronic commerce",
        ),
        ("Loi sur l&#39;information des<br>consommateurs", "Loi sur l'information des consommateurs"),
        ("Code &quot;civil&quot; &amp; <span class='x'>penal</span>", 'Code "civil" & penal'),
        ("\xa0Consumer Protection Act 2020 ", "Consumer Protection Act 2020"),
        ("Vanuatu Cybercrime Act No.\xa022 of 2021", "Vanuatu Cybercrime Act No. 22 of 2021"),
        ("E-commerce  Guidelines\n(draft)", "E-commerce Guidelines (draft)"),
        ("Escaped &lt;br&gt;tag", "Escaped tag"),
        ("Tax for turnover < 5 million & more", "Tax for turnover < 5 million & more"),
        ("AT&T &sect 3 &notanentity", "AT&T &sect 3 &notanentity"),
    ],
)
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


def test_clean_url_decodes_references_only_where_closed() -> None:
    assert (
        clean_url("http://x.am/l.php?sel=show&amp;ID=1506&amp;lang=eng")
        == "http://x.am/l.php?sel=show&ID=1506&lang=eng"
    )
    # "&section=" is a parameter, not the legacy entity "&sect" that html.unescape alone would decode
    assert clean_url(" http://x.kr/a.do?menuId=2&section=lawNm ") == "http://x.kr/a.do?menuId=2&section=lawNm"


def test_bundled_titles_have_no_html_left() -> None:
    economies = read_economies(REFERENCE)
    rows = read_legal(REFERENCE, {e.m49: e.iso3 for e in economies if e.m49})
    laws = [(row.iso3, url, title) for row in rows for url, title in row.laws]
    assert len(laws) > 1000
    leftovers = [
        (iso3, title)
        for iso3, _url, title in laws
        if re.search(r"<\s*/?\s*[A-Za-z][^<>]*>|&#?\w+;|\s\s|\xa0", title) or title != title.strip()
    ]
    assert leftovers == []
    assert not [url for _iso3, url, _title in laws if "&amp;" in url]
    kenya = [title for iso3, _url, title in laws if iso3 == "KEN" and "Communications (Amendment)" in title]
    assert kenya == ["Kenya Information and Communications (Amendment) Act, 2013"]
