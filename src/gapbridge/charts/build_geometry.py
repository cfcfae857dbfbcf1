"""Build `data/geo/world-110m.json.gz`, the world geometry the choropleth draws, from the npm package
`world-atlas` (Natural Earth admin-0 countries as TopoJSON).

Run once by a maintainer, never at request time: ``python -m gapbridge.charts.build_geometry`` fetches the
pinned tarball with ``npm pack`` into a temporary directory (or reads one given with ``--tarball``), checks
its SHA-256, projects the 1:110m countries with Equal Earth into a 1000-unit-wide viewBox, quantizes to
0.1 unit, simplifies each shared arc lightly (so neighbours keep a common border), maps ISO numeric ids to
alpha-3 with pycountry, and adds a small circle for every ISO-coded state that 1:110m omits (taken from the
1:10m file in the same package). The output is deterministic: rebuilding gives identical bytes.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import math
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pycountry

from gapbridge.charts.projection import EQUAL_EARTH_HALF_WIDTH, equal_earth

PACKAGE = "world-atlas"
VERSION = "2.0.2"
# Pinned so a re-published or tampered tarball cannot silently change the map.
TARBALL_SHA256 = "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97"
FORMAT_VERSION = 1

VIEW_WIDTH = 1000.0
# Coordinates are stored in tenths of a viewBox unit: 0.1 unit is ~0.04 mm on a 1000 px wide map.
QUANT = 10
# Douglas–Peucker tolerance in viewBox units; 1:110m is already coarse, this only removes near-collinear
# points left after quantization.
SIMPLIFY_TOLERANCE = 0.25
PAD = 4.0
MARKER_RADIUS = 2.5
ANTARCTICA = "010"

# pycountry's names are ISO reference names ("Congo, The Democratic Republic of the"); these two have no
# readable common or official name there.
NAME_OVERRIDES = {"COD": "Democratic Republic of the Congo", "PSE": "Palestine"}
# Natural Earth map labels for the shapes that have no ISO code (drawn grey, never linked).
CODELESS_NAMES = {"N. Cyprus": "Northern Cyprus"}

LonLat = tuple[float, float]
Point = tuple[int, int]  # projected, in tenths of a viewBox unit
Ring = list[Point]


def _display_name(iso3: str | None, ne_name: str) -> str:
    """Prefer a short ISO-based English name; Natural Earth's are map labels ("Dem. Rep. Congo")."""
    if iso3 is None:
        return CODELESS_NAMES.get(ne_name, ne_name)
    if iso3 in NAME_OVERRIDES:
        return NAME_OVERRIDES[iso3]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return ne_name
    common = getattr(country, "common_name", None)
    if common:
        return str(common)
    if "," not in country.name:
        return str(country.name)
    official = getattr(country, "official_name", None)
    if official and not official.startswith("the "):
        return str(official)
    return ne_name


def _iso3(numeric: str | None) -> str | None:
    if numeric is None:
        return None
    country = pycountry.countries.get(numeric=numeric)
    return None if country is None else str(country.alpha_3)


class _Projector:
    """Projects degrees to quantized viewBox units (y down), before the final vertical crop."""

    def __init__(self) -> None:
        self.scale = VIEW_WIDTH / (2 * EQUAL_EARTH_HALF_WIDTH)

    def __call__(self, lon: float, lat: float) -> Point:
        x, y = equal_earth(lon, lat)
        return (
            round((x + EQUAL_EARTH_HALF_WIDTH) * self.scale * QUANT),
            round(-y * self.scale * QUANT),
        )


def _decode_arcs(topology: dict[str, Any], wanted: set[int] | None) -> dict[int, list[LonLat]]:
    """Undo TopoJSON delta encoding and quantization: arcs as (longitude, latitude) lists."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: dict[int, list[LonLat]] = {}
    for index, arc in enumerate(topology["arcs"]):
        if wanted is not None and index not in wanted:
            continue
        qx = qy = 0
        points: list[LonLat] = []
        for dx, dy in arc:
            qx += dx
            qy += dy
            points.append((qx * sx + tx, qy * sy + ty))
        arcs[index] = points
    return arcs


def _simplify_arc(arc: list[LonLat], project: _Projector) -> list[LonLat]:
    """Thin an arc in projected space but keep geographic points, so the antimeridian cut still works.

    Runs are split where the arc jumps across the antimeridian: those two points must survive.
    """
    projected = [project(lon, lat) for lon, lat in arc]
    keep: list[int] = []
    start = 0
    for i in range(1, len(arc) + 1):
        if i == len(arc) or abs(arc[i][0] - arc[i - 1][0]) > 180:
            run = list(range(start, i))
            kept = _douglas_peucker([projected[j] for j in run], SIMPLIFY_TOLERANCE)
            keep.extend(run[j] for j in kept)
            start = i
    return [arc[j] for j in keep]


def _douglas_peucker(points: Sequence[Point], tolerance: float) -> list[int]:
    """Indices kept by Douglas–Peucker; both ends always stay, so arcs shared by two countries stay joined."""
    if len(points) < 3:
        return list(range(len(points)))
    tol2 = (tolerance * QUANT) ** 2
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        seg2 = dx * dx + dy * dy
        best, best_d2 = -1, tol2
        for i in range(first + 1, last):
            px, py = points[i]
            if seg2 == 0:
                d2 = float((px - ax) ** 2 + (py - ay) ** 2)
            else:
                cross = dx * (py - ay) - dy * (px - ax)
                d2 = cross * cross / seg2
            if d2 > best_d2:
                best, best_d2 = i, d2
        if best >= 0:
            keep[best] = True
            stack.extend(((first, best), (best, last)))
    return [i for i, k in enumerate(keep) if k]


def _ring(arc_refs: Sequence[int], arcs: dict[int, list[LonLat]]) -> list[LonLat]:
    ring: list[LonLat] = []
    for ref in arc_refs:
        # TopoJSON: a negative reference ~i means arc i walked backwards.
        points = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def _clip(ring: list[LonLat], bound: float, keep_below: bool) -> list[LonLat]:
    """Sutherland–Hodgman against the meridian `lon = bound` (the clip region is a half-plane)."""
    out: list[LonLat] = []
    for i, (lon, lat) in enumerate(ring):
        plon, plat = ring[i - 1]
        inside = lon <= bound if keep_below else lon >= bound
        prev_inside = plon <= bound if keep_below else plon >= bound
        if inside != prev_inside:
            t = (bound - plon) / (lon - plon)
            out.append((bound, plat + t * (lat - plat)))
        if inside:
            out.append((lon, lat))
    return out


def _cut_antimeridian(ring: list[LonLat]) -> list[list[LonLat]]:
    """Split a ring that crosses ±180° into pieces that each stay on one side of the map.

    The unprojected data keeps such rings whole (d3 clips at draw time); projected naively they would
    streak across the whole map. Longitudes are unwrapped to be continuous, then the ring is clipped to
    each 360°-wide window and shifted back.
    """
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        prev = unwrapped[-1][0]
        lon += 360 * round((prev - lon) / 360)
        unwrapped.append((lon, lat))
    lo = min(lon for lon, _ in unwrapped)
    hi = max(lon for lon, _ in unwrapped)
    if lo >= -180 and hi <= 180:
        return [ring]
    if abs(unwrapped[-1][0] - unwrapped[0][0]) > 180:
        raise SystemExit("a ring encircles a pole (only Antarctica does; it should have been dropped)")
    pieces = []
    for k in range(math.floor((lo + 180) / 360), math.ceil((hi - 180) / 360) + 1):
        window = _clip(_clip(unwrapped, 360 * k - 180, False), 360 * k + 180, True)
        if len(window) >= 3:
            pieces.append([(lon - 360 * k, lat) for lon, lat in window])
    return pieces


def _project_ring(ring: list[LonLat], project: _Projector) -> Ring:
    projected = [project(lon, lat) for lon, lat in ring]
    deduped = [p for i, p in enumerate(projected) if i == 0 or p != projected[i - 1]]
    if len(deduped) > 1 and deduped[0] == deduped[-1]:
        deduped.pop()
    return deduped


def _rings(
    polygons: list[list[list[int]]],
    arcs: dict[int, list[LonLat]],
    project: _Projector,
    outer_only: bool = False,
) -> list[Ring]:
    rings: list[Ring] = []
    for polygon in polygons:
        for refs in polygon[:1] if outer_only else polygon:
            for piece in _cut_antimeridian(_ring(refs, arcs)):
                if len(projected := _project_ring(piece, project)) >= 3:
                    rings.append(projected)
    return rings


def _polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def _area2(ring: Ring) -> int:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))


def _centroid(ring: Ring) -> tuple[float, float]:
    a = _area2(ring)
    if a == 0:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        f = x0 * y1 - x1 * y0
        cx += (x0 + x1) * f
        cy += (y0 + y1) * f
    return cx / (3 * a), cy / (3 * a)


def _num(tenths: int) -> str:
    """Tenths of a unit as the shortest exact decimal ("12", "-0.3")."""
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), QUANT)
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def _path(rings: Iterable[Ring], y_offset: int) -> str:
    """Absolute move-to, then relative line-tos: relative deltas of quantized points are small and exact."""
    parts: list[str] = []
    for ring in rings:
        x0, y0 = ring[0]
        out = [f"M{_num(x0)},{_num(y0 - y_offset)}l"]
        prev = ring[0]
        steps = []
        for x, y in ring[1:]:
            steps.append(f"{_num(x - prev[0])},{_num(y - prev[1])}")
            prev = (x, y)
        out.append(" ".join(steps))
        out.append("z")
        parts.append("".join(out))
    return "".join(parts)


def _marker_path(cx: float, cy: float) -> str:
    """A circle as two arcs, so small states are `<path>` elements like every other country."""
    r = MARKER_RADIUS
    x = round((cx / QUANT - r) * QUANT)
    y = round(cy)
    return f"M{_num(x)},{_num(y)}a{r},{r} 0 1,0 {2 * r:g},0a{r},{r} 0 1,0 {-2 * r:g},0z"


def build(countries_110m: dict[str, Any], countries_10m: dict[str, Any]) -> dict[str, Any]:
    """Return the bundle (a JSON-ready dict) from the two parsed TopoJSON topologies."""
    project = _Projector()
    arcs = {i: _simplify_arc(arc, project) for i, arc in _decode_arcs(countries_110m, None).items()}
    shapes: list[tuple[str | None, str, list[Ring]]] = []
    for geometry in countries_110m["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        if numeric == ANTARCTICA:
            continue
        if rings := _rings(_polygons(geometry), arcs, project):
            shapes.append((_iso3(numeric), geometry["properties"]["name"], rings))

    # Antarctica is left out on purpose (no data, a fifth of the map's height); keep its marker out too.
    drawn = {iso3 for iso3, _, _ in shapes if iso3} | {"ATA"}
    markers: list[tuple[str, str, tuple[float, float]]] = []
    geometries_10m = countries_10m["objects"]["countries"]["geometries"]
    missing = [g for g in geometries_10m if (iso := _iso3(g.get("id"))) and iso not in drawn]
    wanted = {ref if ref >= 0 else ~ref for g in missing for poly in _polygons(g) for ref in poly[0]}
    arcs_10m = _decode_arcs(countries_10m, wanted)
    for geometry in missing:
        iso3 = _iso3(geometry["id"])
        outers = _rings(_polygons(geometry), arcs_10m, project, outer_only=True)
        if iso3 is None or iso3 in drawn or not outers:
            continue
        drawn.add(iso3)
        largest = max(outers, key=lambda r: abs(_area2(r)))
        markers.append((iso3, geometry["properties"]["name"], _centroid(largest)))

    ys = [y for _, _, rings in shapes for ring in rings for _, y in ring]
    ys += [round(cy) for _, _, (_, cy) in markers]
    y_offset = min(ys) - round(PAD * QUANT)
    height = math.ceil((max(ys) - y_offset) / QUANT + PAD)

    countries = [
        {"iso3": iso3, "name": _display_name(iso3, ne_name), "kind": "shape", "d": _path(rings, y_offset)}
        for iso3, ne_name, rings in shapes
    ]
    countries += [
        {
            "iso3": iso3,
            "name": _display_name(iso3, ne_name),
            "kind": "marker",
            "d": _marker_path(cx, cy - y_offset),
        }
        for iso3, ne_name, (cx, cy) in markers
    ]
    # Sorted so the file diff stays readable when the source changes; codeless shapes go last.
    countries.sort(key=lambda c: (c["iso3"] is None, c["iso3"] or "", c["name"]))
    return {
        "format": FORMAT_VERSION,
        "source": f"npm {PACKAGE}@{VERSION} (Natural Earth 4.1.0 admin-0 countries, 1:110m + 1:10m markers)",
        "projection": "Equal Earth",
        "viewBox": [0, 0, round(VIEW_WIDTH), height],
        "countries": countries,
    }


def _fetch_tarball(workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
    )
    return workdir / f"{PACKAGE}-{VERSION}.tgz"


def _read_member(tar: tarfile.TarFile, name: str) -> dict[str, Any]:
    member = tar.extractfile(f"package/{name}")
    if member is None:
        raise SystemExit(f"{name} missing from the {PACKAGE} tarball")
    data: dict[str, Any] = json.load(member)
    return data


def write_bundle(bundle: dict[str, Any], out: Path) -> None:
    raw = json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).encode()
    buffer = io.BytesIO()
    # mtime=0 and no filename in the header keep the output byte-identical across rebuilds.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--tarball", type=Path, help=f"a local {PACKAGE}-{VERSION}.tgz (default: npm pack)")
    parser.add_argument("--out", type=Path, default=Path("data/geo/world-110m.json.gz"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball: Path = args.tarball or _fetch_tarball(Path(tmp))
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
        if digest != TARBALL_SHA256:
            raise SystemExit(f"{tarball}: SHA-256 {digest} does not match the pinned {TARBALL_SHA256}")
        with tarfile.open(tarball, "r:gz") as tar:
            bundle = build(_read_member(tar, "countries-110m.json"), _read_member(tar, "countries-10m.json"))
    write_bundle(bundle, args.out)
    kinds = [c["kind"] for c in bundle["countries"]]
    print(
        f"wrote {args.out}: {len(kinds)} entries ({kinds.count('shape')} shapes, "
        f"{kinds.count('marker')} markers), {args.out.stat().st_size} bytes"
    )


if __name__ == "__main__":
    main()
