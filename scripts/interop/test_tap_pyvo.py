"""pyvo against the real SkyShard TAP service: the walking skeleton's queries, with results
checked against the chunk files read directly."""

import json
import math
import os
import subprocess
import urllib.parse
import urllib.request

import pytest
import pyvo

SCHEMA = "dp02_dc2_catalogs"


def angular_separation(ra1, dec1, ra2, dec2):
    """Degrees, by the haversine formula (stable for small angles)."""
    r1, d1, r2, d2 = map(math.radians, (ra1, dec1, ra2, dec2))
    h = math.sin((d2 - d1) / 2) ** 2 + math.cos(d1) * math.cos(d2) * math.sin((r2 - r1) / 2) ** 2
    return math.degrees(2 * math.asin(min(1.0, math.sqrt(h))))


@pytest.fixture(scope="module")
def tap(server):
    return pyvo.dal.TAPService(server.url)


def test_top_10(tap):
    result = tap.search(f"SELECT TOP 10 objectId, coord_ra, coord_dec FROM {SCHEMA}.Object")
    table = result.to_table()
    assert len(table) == 10
    assert table.colnames == ["objectId", "coord_ra", "coord_dec"]
    assert str(table["coord_ra"].unit) == "deg"
    assert all(50 <= ra <= 75 for ra in table["coord_ra"])
    assert all(-45 <= dec <= -25 for dec in table["coord_dec"])


def test_count_is_exact(tap, server):
    table = tap.search(f"SELECT COUNT(*) FROM {SCHEMA}.Object").to_table()
    expected = len(server.all_objects())
    assert expected > 0
    assert int(table[0][0]) == expected
    with open(os.path.join(server.version_dir, "catalog.json")) as f:
        assert json.load(f)["tableRowCounts"]["Object"] == expected


def test_object_id_lookup(tap, server, skyshard):
    objects = server.all_objects()
    object_id = objects[len(objects) // 2][0]
    query = f"SELECT objectId, r_cModelFlux FROM {SCHEMA}.Object WHERE objectId = {object_id}"
    table = tap.search(query).to_table()
    assert len(table) == 1
    assert int(table["objectId"][0]) == object_id
    # The plan touches one chunk only.
    plan = subprocess.run([skyshard, "explain", "--data", server.data, query],
                          capture_output=True, text=True, check=True).stdout
    assert f"chunks: 1 of {len(server.chunk_files())} kept" in plan


def test_cone_search_matches_brute_force(tap, server):
    ra, dec, radius = 62.0, -37.0, 0.2
    query = (f"SELECT objectId FROM {SCHEMA}.Object WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), "
             f"CIRCLE('ICRS', {ra}, {dec}, {radius})) = 1")
    table = tap.search(query, maxrec=1_000_000).to_table()
    got = sorted(int(x) for x in table["objectId"])
    expected = sorted(oid for oid, r, d in server.all_objects() if angular_separation(r, d, ra, dec) <= radius)
    # Objects within 1e-9 degrees of the edge could go either way through rounding.
    edge = [oid for oid, r, d in server.all_objects() if abs(angular_separation(r, d, ra, dec) - radius) < 1e-9]
    assert not edge, "an object sits on the circle's edge; pick another circle"
    assert len(expected) > 0
    assert got == expected


def test_bad_adql_is_a_dali_error_with_position(server):
    body = urllib.parse.urlencode({"LANG": "ADQL", "REQUEST": "doQuery",
                                   "QUERY": "SELECT objectId FORM dp02_dc2_catalogs.Object"}).encode()
    request = urllib.request.Request(server.url + "/sync", data=body, method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request)
    assert info.value.code == 400
    text = info.value.read().decode()
    assert 'name="QUERY_STATUS" value="ERROR"' in text
    assert "line 1, column 17" in text


def test_pyvo_raises_on_bad_adql(tap):
    with pytest.raises(pyvo.dal.DALQueryError) as info:
        tap.search("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE")
    assert "line 1" in str(info.value)


def test_maxrec_overflow_is_reported(tap):
    result = tap.search(f"SELECT objectId FROM {SCHEMA}.Object", maxrec=7)
    assert len(result) == 7
    assert result.query_status == "OVERFLOW"


def test_binary2_and_tabledata_agree(server):
    import io
    from astropy.io.votable import parse_single_table

    query = f"SELECT TOP 50 objectId, coord_ra, coord_dec, r_cModelFlux, detect_isPrimary FROM {SCHEMA}.Object ORDER BY objectId"
    tables = {}
    for fmt in ("votable", "votable/b2"):
        body = urllib.parse.urlencode({"LANG": "ADQL", "QUERY": query, "RESPONSEFORMAT": fmt}).encode()
        with urllib.request.urlopen(urllib.request.Request(server.url + "/sync", data=body)) as response:
            assert response.status == 200
            data = response.read()
        if fmt == "votable/b2":
            assert b"BINARY2" in data
        tables[fmt] = parse_single_table(io.BytesIO(data), verify="exception").to_table()
    a, b = tables["votable"], tables["votable/b2"]
    assert len(a) == 50 and a.colnames == b.colnames
    for name in a.colnames:
        assert list(a[name]) == list(b[name]), name


def test_subquery_through_the_coordinator(tap, server):
    table = tap.search(
        f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object WHERE objectId IN "
        f"(SELECT objectId FROM {SCHEMA}.Object WHERE coord_dec > -30)").to_table()
    expected = sum(1 for _, _, dec in server.all_objects() if dec > -30)
    assert int(table["n"][0]) == expected


def test_vosi_tables_and_capabilities(tap):
    names = [t.name for t in tap.tables]
    for table in ("Object", "ForcedSource", "CcdVisit"):
        assert f"{SCHEMA}.{table}" in names
    assert "tap_schema.columns" in names
    columns = {c.name: c for c in tap.tables[f"{SCHEMA}.Object"].columns}
    assert str(columns["coord_ra"].unit) == "deg"
    assert columns["objectId"].ucd.startswith("meta.id")
    assert "ivo://ivoa.net/std/TAP" in [c.standardid for c in tap.capabilities]
    assert tap.hardlimit >= tap.maxrec > 0


def test_capabilities_declare_the_language_features(tap):
    # pyvo's TAPRegExt reader: what TOPCAT and pyvo users see as the service's ADQL dialect.
    adql = tap.get_tap_capability().get_adql()
    regext = "ivo://ivoa.net/std/TAPRegExt#features-"
    for feature_type, form in [("adqlgeo", "REGION"), ("adqlgeo", "COORDSYS"), ("adql-sets", "INTERSECT"),
                               ("adql-common-table", "WITH"), ("adql-unit", "IN_UNIT"), ("adql-type", "CAST")]:
        assert adql.get_feature(regext + feature_type, form) is not None, (feature_type, form)
    udf = adql.get_udf("scisql_angSep")
    assert udf is not None and "DOUBLE" in udf.form
    # Every declared UDF is callable.
    for feature in adql.get_feature_list(regext + "udf"):
        name = feature.form.split("(")[0]
        table = tap.search(f"SELECT TOP 1 {name}({', '.join(['1.0'] * _arity(feature.form))}) AS v "
                           f"FROM {SCHEMA}.Object").to_table()
        assert len(table) == 1


def _arity(form):
    args = form.split("(", 1)[1].rsplit(")", 1)[0].split(",")
    return len([a for a in args if a.strip() != "..."])


def test_tap_schema_describes_the_catalog(tap):
    table = tap.search(
        f"SELECT column_name, unit, ucd FROM tap_schema.columns WHERE table_name = '{SCHEMA}.Object' "
        "AND column_name = 'coord_dec'").to_table()
    assert len(table) == 1
    assert table["unit"][0] == "deg"


def test_tap_schema_keys_and_the_delimited_size_column(tap):
    # The Felis foreign keys of ForcedSource, with their columns.
    table = tap.search(
        "SELECT k.key_id, k.target_table, c.from_column, c.target_column FROM tap_schema.keys AS k "
        "JOIN tap_schema.key_columns AS c ON c.key_id = k.key_id "
        f"WHERE k.from_table = '{SCHEMA}.ForcedSource'").to_table()
    pairs = sorted((str(r["target_table"]), str(r["from_column"]), str(r["target_column"])) for r in table)
    assert pairs == [(f"{SCHEMA}.CcdVisit", "ccdVisitId", "ccdVisitId"), (f"{SCHEMA}.Object", "objectId", "objectId")]
    assert len(set(str(k) for k in table["key_id"])) == 2
    # The same keys in the VOSI tables document.
    keys = {(k.targettable, tuple((c.fromcolumn, c.targetcolumn) for c in k.fkcolumns))
            for k in tap.tables[f"{SCHEMA}.ForcedSource"].foreignkeys}
    assert keys == {(f"{SCHEMA}.Object", (("objectId", "objectId"),)),
                    (f"{SCHEMA}.CcdVisit", (("ccdVisitId", "ccdVisitId"),))}
    # `size` is an ADQL reserved word: published and queried delimited.
    sizes = tap.search(
        f"SELECT \"size\" FROM tap_schema.columns WHERE table_name = '{SCHEMA}.Object' "
        "AND column_name = 'refBand'").to_table()
    assert len(sizes) == 1 and int(sizes[0][0]) == 1
    named = tap.search(
        "SELECT column_name FROM tap_schema.columns WHERE table_name = 'tap_schema.columns' "
        "AND column_name = '\"size\"'").to_table()
    assert len(named) == 1
