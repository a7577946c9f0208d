#!/usr/bin/env python3
"""Generate Tests/SkyTests/Fixtures/sphgeom_reference.csv from the real lsst.sphgeom (run once; checked in).

Rows: kind,stripes,substripes,params,expected   (params/expected are space separated)
  layout   N,M, <stripe>,                  sphgeom getAllSubChunks(first chunk of stripe) prefixed by "nc=<chunks in stripe>"
  point    N,M, <lon> <lat>,               chunk:sub tokens sphgeom assigns (one, or several within ~1e-12 rad of a boundary)
  circle   N,M, <lon> <lat> <r>,           sphgeom getChunksIntersecting
  box      N,M, <lonMin> <lonMax> <latMin> <latMax>, same
  polygon  N,M, <lon1> <lat1> ...,         the chunks of sphgeom getChunksIntersecting we must list, then "~<k>":
                                            k more chunks sphgeom lists only because its polygon bounding box is
                                            loose (proved disjoint from the polygon), which we may omit
Floats are written with repr() so they round-trip exactly.
"""
from __future__ import annotations

import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chunker_reference as R  # noqa: E402
import lsst.sphgeom as sg  # noqa: E402

CONFIGS = [(340, 3), (18, 2), (85, 12)]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "SkyTests", "Fixtures",
                   "sphgeom_reference.csv")


def special_points(chunker: sg.Chunker, n: int, m: int, rng: random.Random) -> list[tuple[float, float]]:
    pts = []
    for lon in (0.0, 45.0, 180.0, 359.999999999, 360.0 - 1e-13):
        pts += [(lon, 90.0), (lon, -90.0), (lon, 89.9999999), (lon, -89.9999999)]
    for lat in (-60.0, -1e-12, 0.0, 1e-12, 33.3, 75.0):
        pts += [(0.0, lat), (360.0 - 1e-9, lat), (1e-12, lat), (359.99999999999994, lat)]
    h = 180.0 / n
    hs = h / m
    for _ in range(80):
        s = rng.randrange(n)
        lat = s * h - 90.0
        pts += [(rng.uniform(0, 360), lat), (rng.uniform(0, 360), lat + 1e-9), (rng.uniform(0, 360), lat - 1e-9)]
        ss = rng.randrange(n * m)
        pts.append((rng.uniform(0, 360), ss * hs - 90.0))
    stripes_chunks = {}
    for cid in chunker.getAllChunks():
        s = chunker.getStripe(cid)
        stripes_chunks[s] = stripes_chunks.get(s, 0) + 1
    for _ in range(150):
        s = rng.randrange(n)
        nc = stripes_chunks[s]
        c = rng.randrange(nc)
        lat = rng.uniform(s * h - 90.0, (s + 1) * h - 90.0)
        lon = c * (360.0 / nc)
        pts += [(lon, lat), (lon + 1e-9, lat), (lon - 1e-9 if lon > 0 else 360 - 1e-9, lat)]
    # Sub-chunk boundaries: take a chunk, its sub-chunk boxes, and points on their west edges.
    for _ in range(100):
        cid = rng.choice(chunker.getAllChunks())
        s = chunker.getStripe(cid)
        subs = chunker.getAllSubChunks(cid)
        sc = rng.choice(subs)
        lat = rng.uniform(s * h - 90.0, (s + 1) * h - 90.0)
        b = chunker.getChunkBoundingBox(s, chunker.getChunk(cid, s))
        lon = b.getLon().getA().asDegrees()
        pts.append((lon % 360.0, lat))
        del sc
    return [(lon, min(90.0, max(-90.0, lat))) for lon, lat in pts]


def main() -> None:
    rng = random.Random(20240611)
    rows = ["kind,stripes,substripes,params,expected"]
    for n, m in CONFIGS:
        ch = sg.Chunker(n, m)
        counts: dict[int, int] = {}
        first: dict[int, int] = {}
        for cid in ch.getAllChunks():
            s = ch.getStripe(cid)
            counts[s] = counts.get(s, 0) + 1
            first.setdefault(s, cid)
        for s in range(n):
            subs = " ".join(str(x) for x in ch.getAllSubChunks(first[s]))
            rows.append(f"layout,{n},{m},{s},nc={counts[s]} {subs}")
        pts = special_points(ch, n, m, rng)
        for _ in range(300):
            pts.append((rng.uniform(0, 360), math.degrees(math.asin(rng.uniform(-1, 1)))))
        for lon, lat in pts:
            locs = sorted(R.point_locations(ch, lon, lat))
            rows.append(f"point,{n},{m},{lon!r} {lat!r}," + " ".join(f"{c}:{s}" for c, s in locs))
        for i in range(40):
            lon = rng.uniform(0, 360)
            lat = rng.choice([rng.uniform(-90, 90), rng.uniform(80, 90), rng.uniform(-90, -80), 0.0])
            r = rng.choice([1e-6, 0.01, 0.3, 1.0, 3.0])
            if i < 3:
                lon, lat = (0.0, 89.5, 359.9)[i], (0.0, 89.5, -30.0)[i]
            ids = sorted(ch.getChunksIntersecting(R.circle(lon, lat, r)))
            rows.append(f"circle,{n},{m},{lon!r} {lat!r} {r!r}," + " ".join(map(str, ids)))
        for i in range(40):
            lon_min = rng.uniform(0, 360)
            w = rng.choice([0.01, 0.5, 2.0, 10.0, 40.0])
            lon_max = (lon_min + w) % 360.0
            lat_min = rng.uniform(-90, 88)
            lat_max = min(90.0, lat_min + rng.choice([0.01, 0.5, 2.0, 10.0]))
            if i == 0:
                lon_min, lon_max, lat_min, lat_max = 355.0, 5.0, -2.0, 2.0
            ids = sorted(ch.getChunksIntersecting(R.box(lon_min, lon_max, lat_min, lat_max)))
            rows.append(f"box,{n},{m},{lon_min!r} {lon_max!r} {lat_min!r} {lat_max!r}," + " ".join(map(str, ids)))
        for i in range(40):
            lon = rng.uniform(0, 360) if i > 2 else (0.0, 359.5, 180.0)[i]
            lat = rng.uniform(-85, 85) if i > 2 else (0.0, 10.0, 88.0)[i]
            verts = R.random_convex_polygon(rng, lon, lat, rng.choice([0.05, 0.5, 2.0, 6.0]), rng.randrange(3, 9))
            poly = R.polygon(verts)
            toks, loose = [], 0
            for cid in sorted(ch.getChunksIntersecting(poly)):
                if R.provably_disjoint(ch, cid, poly):
                    loose += 1
                else:
                    toks.append(str(cid))
            toks.append(f"~{loose}")
            params = " ".join(f"{lo!r} {la!r}" for lo, la in verts)
            rows.append(f"polygon,{n},{m},{params}," + " ".join(toks))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"wrote {len(rows) - 1} rows to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
