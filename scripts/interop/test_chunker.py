"""Interop test: SkyShard's chunker vs the real lsst.sphgeom.Chunker.

Run:  SKYSHARD_BIN=/path/to/skyshard pytest -s scripts/interop/test_chunker.py

* Point location: for >= 100,000 seeded random positions (plus poles, RA 0/360, stripe/chunk
  boundaries) `skyshard sky locate` must give the (chunkId, subChunkId) sphgeom assigns. sphgeom has no
  point-location call, so the reference is getSubChunksIntersecting(degenerate Box at the point): a
  single pair, except within ~1e-12 rad of a boundary where sphgeom (dilating its boxes by 5e-12 rad)
  lists every candidate and ours must be one of them.
* Region coverage: for >= 200 random circles, boxes and polygons per configuration, `skyshard sky chunks`
  must be a superset of sphgeom's getChunksIntersecting. Exception, reported separately: chunks sphgeom
  lists for a polygon only because its polygon bounding box is loose (e.g. any polygon spanning RA 0
  gets an all-longitude bounding box) and that are *proved* disjoint from the polygon with sphgeom's own
  exact ConvexPolygon/ConvexPolygon test against a polygon enclosing the chunk box.
  Sub-chunk sets of circles and boxes are checked the same way.
"""
from __future__ import annotations

import math
import os
import random
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chunker_reference as R  # noqa: E402

sg = pytest.importorskip("lsst.sphgeom")

CONFIGS = [(340, 3), (18, 2), (85, 12)]
POINTS = {(340, 3): 100_000, (18, 2): 20_000, (85, 12): 20_000}
REGIONS_PER_KIND = {(340, 3): 200, (18, 2): 200, (85, 12): 200}
SEED = 20240611


# The `skyshard` fixture (path of the binary: $SKYSHARD_BIN, else .build/debug/skyshard) is conftest.py's.


def run(binary: str, args: list[str], stdin: str) -> list[str]:
    proc = subprocess.run([binary, "sky", *args], input=stdin, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"skyshard sky {' '.join(args)} failed: {proc.stderr}"
    return proc.stdout.splitlines()


def positions(rng: random.Random, n: int, stripes: int, substripes: int) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for lon in (0.0, 90.0, 180.0, 359.9999999999, 360.0 - 1e-13, 360.0):
        pts += [(lon, 90.0), (lon, -90.0), (lon, 89.99999999), (lon, -89.99999999), (lon, 0.0)]
    for _ in range(500):  # RA 0/360 seam
        lat = math.degrees(math.asin(rng.uniform(-1, 1)))
        pts += [(0.0, lat), (rng.choice([1e-13, 1e-9, 360.0 - 1e-9, 359.99999999999994]), lat)]
    h = 180.0 / (stripes * substripes)
    for _ in range(2000):  # sub-stripe (hence stripe) boundaries
        lat = min(90.0, max(-90.0, rng.randrange(stripes * substripes + 1) * h - 90.0 + rng.choice([0.0, 1e-10, -1e-10])))
        pts.append((rng.uniform(0, 360), lat))
    while len(pts) < n:
        pts.append((rng.uniform(0, 360), math.degrees(math.asin(rng.uniform(-1, 1)))))
    return pts


@pytest.mark.parametrize("stripes,substripes", CONFIGS)
def test_point_locations_match_sphgeom(skyshard: str, stripes: int, substripes: int) -> None:
    rng = random.Random(SEED + stripes * 100 + substripes)
    pts = positions(rng, POINTS[(stripes, substripes)], stripes, substripes)
    # Chunk-boundary longitudes for random stripes (needs the layout, from sphgeom).
    ch = sg.Chunker(stripes, substripes)
    all_chunks = ch.getAllChunks()
    for _ in range(2000):
        cid = rng.choice(all_chunks)
        s = ch.getStripe(cid)
        b = ch.getChunkBoundingBox(s, ch.getChunk(cid, s))
        lon = (b.getLon().getA().asDegrees() + 1e-12 * 180 / math.pi * 5) % 360.0  # undo the 5e-12 rad dilation
        lat = rng.uniform(b.getLat().getA().asDegrees(), b.getLat().getB().asDegrees())
        pts.append((lon, max(-90.0, min(90.0, lat))))
    out = run(skyshard, ["locate", "--stripes", str(stripes), "--substripes", str(substripes)],
              "".join(f"{lon!r},{lat!r}\n" for lon, lat in pts))
    assert len(out) == len(pts)
    unique = boundary = mismatches = chunk_mismatches = 0
    examples = []
    for (lon, lat), line in zip(pts, out):
        c, s = (int(x) for x in line.split(","))
        ref = R.point_locations(ch, lon, lat)
        if len(ref) == 1:
            unique += 1
        else:
            boundary += 1
        if (c, s) not in ref:
            mismatches += 1
            if c not in {rc for rc, _ in ref}:
                chunk_mismatches += 1
            if len(examples) < 10:
                examples.append(((lon, lat), (c, s), sorted(ref)))
    print(f"\n[chunker interop] {stripes}x{substripes}: {len(pts)} positions, {unique} unambiguous, "
          f"{boundary} within 1e-12 rad of a boundary, mismatches: {mismatches} "
          f"(chunk-level: {chunk_mismatches})")
    assert mismatches == 0, f"{mismatches} mismatches, e.g. {examples}"


def random_regions(rng: random.Random, count: int) -> list[tuple[str, list[float], object]]:
    regions = []
    for i in range(count):
        lon = rng.uniform(0, 360) if i % 10 else rng.choice([0.0, 359.9, 0.1])
        lat = math.degrees(math.asin(rng.uniform(-1, 1))) if i % 7 else rng.choice([89.7, -89.7, 88.0, -86.0])
        r = rng.choice([1e-5, 0.003, 0.05, 0.3, 1.0, 2.5, 8.0])
        regions.append(("circle", [lon, lat, r], R.circle(lon, lat, r)))
    for i in range(count):
        lon_min = rng.uniform(0, 360) if i % 10 else rng.choice([355.0, 359.99])
        w = rng.choice([0.001, 0.05, 0.5, 2.0, 10.0, 30.0])
        lon_max = (lon_min + w) % 360.0
        lat_min = rng.uniform(-90, 89.9)
        lat_max = min(90.0, lat_min + rng.choice([0.001, 0.05, 0.5, 2.0, 10.0]))
        regions.append(("box", [lon_min, lon_max, lat_min, lat_max], R.box(lon_min, lon_max, lat_min, lat_max)))
    for i in range(count):
        lon = rng.uniform(0, 360) if i % 10 else rng.choice([0.0, 359.8, 0.3])
        lat = math.degrees(math.asin(rng.uniform(-0.99, 0.99))) if i % 9 else rng.choice([88.5, -88.5])
        verts = R.random_convex_polygon(rng, lon, lat, rng.choice([0.01, 0.2, 1.0, 3.0, 8.0]), rng.randrange(3, 10))
        flat = [x for v in verts for x in v]
        regions.append(("polygon", flat, R.polygon(verts)))
    return regions


@pytest.mark.parametrize("stripes,substripes", CONFIGS)
def test_region_chunks_are_supersets_of_sphgeom(skyshard: str, stripes: int, substripes: int) -> None:
    rng = random.Random(SEED * 7 + stripes * 100 + substripes)
    ch = sg.Chunker(stripes, substripes)
    regions = random_regions(rng, REGIONS_PER_KIND[(stripes, substripes)])
    stdin = "".join(f"{kind} " + " ".join(repr(x) for x in params) + "\n" for kind, params, _ in regions)
    out = run(skyshard, ["chunks", "--stripes", str(stripes), "--substripes", str(substripes)], stdin)
    sub_out = run(skyshard, ["chunks", "--with-subchunks", "--stripes", str(stripes), "--substripes", str(substripes)],
                  "".join(line for line, (kind, _, _) in zip(stdin.splitlines(True), regions) if kind != "polygon"))
    assert len(out) == len(regions)
    stats: dict[str, dict[str, float]] = {}
    failures = []
    sub_failures = []
    sub_iter = iter(sub_out)
    for (kind, params, region), line in zip(regions, out):
        ours = {int(x) for x in line.split()}
        theirs = set(ch.getChunksIntersecting(region))
        missing = theirs - ours
        excused = {c for c in missing if kind == "polygon" and R.provably_disjoint(ch, c, region)}
        st = stats.setdefault(kind, {"n": 0, "ours": 0, "theirs": 0, "ratio": 0.0, "excused": 0, "excused_regions": 0,
                                     "sound_n": 0, "sound_ratio": 0.0})
        st["n"] += 1
        st["ours"] += len(ours)
        st["theirs"] += len(theirs)
        st["ratio"] += len(ours) / max(1, len(theirs))
        st["excused"] += len(excused)
        st["excused_regions"] += bool(excused)
        if not excused:  # sphgeom's answer has no bounding-box artefact: compare sizes directly
            st["sound_n"] += 1
            st["sound_ratio"] += len(ours) / max(1, len(theirs))
        if missing - excused:
            failures.append((kind, params, sorted(missing - excused)[:10]))
        if kind != "polygon":
            sub_line = next(sub_iter)
            ours_sub = {(int(t.split(":")[0]), int(s)) for t in sub_line.split() for s in t.split(":")[1].split(";")}
            theirs_sub = {(c, s) for c, subs in ch.getSubChunksIntersecting(region) for s in subs}
            if not theirs_sub <= ours_sub:
                sub_failures.append((kind, params, sorted(theirs_sub - ours_sub)[:10]))
    for kind, st in stats.items():
        print(f"\n[chunker interop] {stripes}x{substripes} {kind}: {int(st['n'])} regions, "
              f"ours {int(st['ours'])} chunks vs sphgeom {int(st['theirs'])} "
              f"(mean per-region ratio {st['ratio'] / st['n']:.4f}, total ratio {st['ours'] / max(1, st['theirs']):.4f}); "
              f"sphgeom-only chunks proved disjoint: {int(st['excused'])} in {int(st['excused_regions'])} regions; "
              f"mean ratio over the other {int(st['sound_n'])} regions {st['sound_ratio'] / max(1, st['sound_n']):.4f}")
    assert not failures, f"chunks sphgeom lists that we miss: {failures[:5]}"
    assert not sub_failures, f"sub-chunks sphgeom lists that we miss: {sub_failures[:5]}"
