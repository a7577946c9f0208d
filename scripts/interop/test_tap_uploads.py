"""Uploads with real clients: pyvo sends an astropy Table as an inline VOTable (TAP UPLOAD),
the service cross-matches it against Object per chunk, and every uploaded position must find
its nearest object — checked against a brute-force match over the chunk files read directly."""

import math
import random

import numpy as np
import pytest
import pyvo
from astropy.table import Table

SCHEMA = "dp02_dc2_catalogs"
RADIUS_ARCSEC = 2.0


@pytest.fixture(scope="module")
def tap(server):
    return pyvo.dal.TAPService(server.url)


@pytest.fixture(scope="module")
def catalog(server):
    rows = server.all_objects()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    ra = np.radians(np.array([r[1] for r in rows]))
    dec = np.radians(np.array([r[2] for r in rows]))
    return ids, ra, dec


def separations_deg(catalog, ra_deg, dec_deg):
    """Haversine separation of one position from every catalog object, in degrees."""
    _, ra, dec = catalog
    r0, d0 = math.radians(ra_deg), math.radians(dec_deg)
    h = np.sin((dec - d0) / 2) ** 2 + np.cos(dec) * math.cos(d0) * np.sin((ra - r0) / 2) ** 2
    return np.degrees(2 * np.arcsin(np.minimum(1.0, np.sqrt(h))))


def targets(server, n, seed):
    """n catalog objects (spread over the catalog), each moved by up to a quarter of the radius."""
    rng = random.Random(seed)
    rows = server.all_objects()
    picked = [rows[i] for i in sorted(rng.sample(range(len(rows)), n))]
    ids, ras, decs = [], [], []
    for object_id, ra, dec in picked:
        step = rng.uniform(0, RADIUS_ARCSEC / 4) / 3600
        angle = rng.uniform(0, 2 * math.pi)
        ids.append(object_id)
        decs.append(dec + step * math.sin(angle))
        ras.append(ra + step * math.cos(angle) / math.cos(math.radians(dec)))
    return Table({"id": np.array(ids, dtype=np.int64), "ra": np.array(ras), "dec": np.array(decs)})


def check_matches(table, result, catalog):
    """Every uploaded row finds its nearest object, and the matches are exactly the brute-force
    ones within the radius (rows that sit within 1e-9 degrees of the radius are not judged)."""
    ids = catalog[0]
    radius = RADIUS_ARCSEC / 3600
    found = {}
    for row in result:
        found.setdefault(int(row["id"]), set()).add(int(row["objectId"]))
    for row in table:
        seps = separations_deg(catalog, float(row["ra"]), float(row["dec"]))
        nearest = int(ids[int(np.argmin(seps))])
        assert nearest in found.get(int(row["id"]), set()), f"upload row {row['id']} missed its nearest object"
        inside = {int(i) for i, s in zip(ids, seps) if s < radius - 1e-9}
        outside_or_edge = {int(i) for i, s in zip(ids, seps) if s >= radius + 1e-9}
        got = found.get(int(row["id"]), set())
        assert inside <= got, f"upload row {row['id']}: missing {inside - got}"
        assert not (got & outside_or_edge), f"upload row {row['id']}: too far {got & outside_or_edge}"


def test_sync_cross_match_finds_every_nearest_object(tap, server, catalog):
    table = targets(server, 300, seed=1)
    result = tap.run_sync(
        f"SELECT u.id, o.objectId FROM TAP_UPLOAD.targets AS u JOIN {SCHEMA}.Object AS o "
        f"ON CONTAINS(POINT('ICRS', o.coord_ra, o.coord_dec), CIRCLE('ICRS', u.ra, u.dec, {RADIUS_ARCSEC} / 3600.0)) = 1",
        uploads={"targets": table}, maxrec=100000).to_table()
    assert len(result) >= len(table)
    check_matches(table, result, catalog)


def test_async_cross_match_with_distance(tap, server, catalog):
    table = targets(server, 200, seed=2)
    job = tap.submit_job(
        f"SELECT u.id, o.objectId, DISTANCE(POINT('ICRS', o.coord_ra, o.coord_dec), POINT('ICRS', u.ra, u.dec)) AS d "
        f"FROM {SCHEMA}.Object AS o, TAP_UPLOAD.targets AS u "
        f"WHERE DISTANCE(POINT('ICRS', o.coord_ra, o.coord_dec), POINT('ICRS', u.ra, u.dec)) < {RADIUS_ARCSEC} / 3600.0",
        uploads={"targets": table}, maxrec=100000)
    try:
        job.run()
        job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=300)
        assert job.phase == "COMPLETED", job.phase
        result = job.fetch_result().to_table()
    finally:
        job.delete()
    check_matches(table, result, catalog)
    assert all(float(d) < RADIUS_ARCSEC / 3600 for d in result["d"])


def test_id_join_with_an_uploaded_list(tap, server):
    rows = server.all_objects()
    wanted = [rows[i][0] for i in range(0, len(rows), max(1, len(rows) // 50))]
    table = Table({"objectId": np.array(wanted + [1, 2, 3], dtype=np.int64)})  # three ids that exist nowhere
    result = tap.run_sync(
        f"SELECT o.objectId, o.coord_ra FROM TAP_UPLOAD.ids AS u JOIN {SCHEMA}.Object AS o USING (objectId)",
        uploads={"ids": table}, maxrec=100000).to_table()
    assert sorted(int(x) for x in result["objectId"]) == sorted(wanted)


def test_an_upload_by_url_is_refused_clearly(server):
    import urllib.error
    import urllib.parse
    import urllib.request
    body = urllib.parse.urlencode({
        "LANG": "ADQL", "QUERY": "SELECT * FROM TAP_UPLOAD.t",
        "UPLOAD": "t,http://example.org/t.vot"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"{server.url}/sync", data=body), timeout=60)
    assert refused.value.code == 400
    text = refused.value.read().decode()
    assert 'value="ERROR"' in text and "inline" in text
