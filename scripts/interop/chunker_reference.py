"""Helpers shared by the chunker interop test and the fixture generator.

Everything here asks the real lsst.sphgeom for answers; nothing re-implements the chunker.
"""
from __future__ import annotations

import math

import lsst.sphgeom as sg

BOX_MARGIN_RAD = 1e-9


def point_locations(chunker: sg.Chunker, lon: float, lat: float) -> set[tuple[int, int]]:
    """(chunkId, subChunkId) pairs sphgeom assigns to a degenerate box at the point.

    sphgeom has no point-location call; its chunk/sub-chunk boxes are dilated by 5e-12 rad, so this is
    a single pair except within ~1 micro-arcsecond of a boundary, where it lists every candidate.
    """
    box = sg.Box(sg.LonLat.fromDegrees(lon, lat))
    return {(c, s) for c, subs in chunker.getSubChunksIntersecting(box) for s in subs}


def circle(lon: float, lat: float, r: float) -> sg.Circle:
    return sg.Circle(sg.UnitVector3d(sg.LonLat.fromDegrees(lon, lat)), sg.Angle.fromDegrees(r))


def box(lon_min: float, lon_max: float, lat_min: float, lat_max: float) -> sg.Box:
    return sg.Box(sg.NormalizedAngleInterval.fromDegrees(lon_min, lon_max),
                  sg.AngleInterval.fromDegrees(lat_min, lat_max))


def polygon(vertices: list[tuple[float, float]]) -> sg.ConvexPolygon:
    return sg.ConvexPolygon([sg.UnitVector3d(sg.LonLat.fromDegrees(lo, la)) for lo, la in vertices])


def random_convex_polygon(rng, center_lon: float, center_lat: float, radius: float, n: int) -> list[tuple[float, float]]:
    """Counter-clockwise vertices (degrees) of the convex hull of n random points in a cap."""
    c = sg.UnitVector3d(sg.LonLat.fromDegrees(center_lon, center_lat))
    north = sg.UnitVector3d(0.0, 0.0, 1.0)
    east = sg.UnitVector3d.orthogonalTo(c, north) if abs(center_lat) < 89.9 else sg.UnitVector3d(0.0, 1.0, 0.0)
    pts = []
    for _ in range(n):
        theta = rng.uniform(0, 2 * math.pi)
        rho = math.radians(radius) * math.sqrt(rng.uniform(0.05, 1.0))
        # Rotate c by rho about a random axis perpendicular to it.
        t = sg.UnitVector3d(east.rotatedAround(c, sg.Angle(theta)))
        p = sg.UnitVector3d(c.rotatedAround(t, sg.Angle(rho)))
        pts.append(p)
    hull = sg.ConvexPolygon.convexHull(pts)
    return [(sg.LonLat(v).getLon().asDegrees(), sg.LonLat(v).getLat().asDegrees()) for v in hull.getVertices()]


def chunk_box_cover(chunker: sg.Chunker, chunk_id: int) -> sg.ConvexPolygon | None:
    """A convex polygon (great-circle edges) CONTAINING the chunk's lon/lat box, or None when the
    chunk is too wide (≥ 180°) for one. Used to prove that a chunk sphgeom lists is in fact disjoint
    from a polygon (sphgeom's polygon/box test only compares bounding boxes)."""
    stripe = chunker.getStripe(chunk_id)
    chunk = chunker.getChunk(chunk_id, stripe)
    b = chunker.getChunkBoundingBox(stripe, chunk)
    lon = b.getLon()
    width = lon.getSize().asRadians()
    if width >= math.pi * 0.9 or lon.isFull():
        return None
    lat_a = b.getLat().getA().asRadians() - BOX_MARGIN_RAD
    lat_b = b.getLat().getB().asRadians() + BOX_MARGIN_RAD
    a = lon.getA().asRadians() - BOX_MARGIN_RAD
    bb = lon.getA().asRadians() + width + BOX_MARGIN_RAD
    half = (bb - a) / 2
    if lat_b >= math.pi / 2 or lat_a <= -math.pi / 2:
        return None

    def lower(lat: float) -> float:
        # Great circle through (a, psi) and (b, psi) peaks at lat; choose psi so the peak is at `lat`
        # when the edge bulges into the box (same-sign latitude on the lower edge).
        return math.atan(math.tan(lat) * math.cos(half))

    # Edges: in the north a chord between corners bulges poleward (up); in the south, down.
    bottom = lower(lat_a) if lat_a > 0 else lat_a
    top = lower(lat_b) if lat_b < 0 else lat_b
    verts = [(a, bottom), (bb, bottom), (bb, top), (a, top)]
    return sg.ConvexPolygon([sg.UnitVector3d(sg.LonLat.fromRadians(x, y)) for x, y in verts])


def provably_disjoint(chunker: sg.Chunker, chunk_id: int, region: sg.ConvexPolygon) -> bool:
    cover = chunk_box_cover(chunker, chunk_id)
    if cover is None:
        return False
    return bool(region.relate(cover) & sg.DISJOINT)
