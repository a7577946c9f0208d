"""Result formats, the DALI examples and cross-origin access, with real clients (pyvo, astropy)
against the real server: VOTable BINARY and JSON carry what TABLEDATA carries; every published
example runs and returns rows."""

import io
import json
import math
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
import pyvo
from astropy.table import Table
from astropy.io.votable import parse_single_table

SCHEMA = "dp02_dc2_catalogs"
XHTML = "{http://www.w3.org/1999/xhtml}"
UWS = "{http://www.ivoa.net/xml/UWS/v1.0}"

# A string column, 64-bit ids, booleans, doubles and NULLs (the magnitude of a negative flux).
QUERY = (
    f"SELECT TOP 200 fs.forcedSourceId, fs.objectId, fs.band, fs.psfFlux, "
    f"scisql_nanojanskyToAbMag(fs.psfFlux) AS psfMag, obj.detect_isPrimary, obj.coord_ra "
    f"FROM {SCHEMA}.ForcedSource AS fs JOIN {SCHEMA}.Object AS obj ON obj.objectId = fs.objectId "
    f"ORDER BY fs.forcedSourceId"
)


@pytest.fixture(scope="module")
def tap(server):
    return pyvo.dal.TAPService(server.url)


def sync(server, query, fmt, **extra):
    body = urllib.parse.urlencode({"LANG": "ADQL", "QUERY": query, "RESPONSEFORMAT": fmt, **extra}).encode()
    with urllib.request.urlopen(urllib.request.Request(server.url + "/sync", data=body), timeout=120) as r:
        assert r.status == 200
        return r.headers["Content-Type"], r.read()


def tabledata(server, query):
    _, data = sync(server, query, "votable")
    return parse_single_table(io.BytesIO(data), verify="exception").to_table()


def cell(table, name, row):
    """A cell of an astropy table as plain Python: None for NULL (masked) and NaN."""
    column = table[name]
    if getattr(column, "mask", None) is not None and bool(column.mask[row]):
        return None
    value = column[row]
    if isinstance(value, bytes):
        value = value.decode()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def test_votable_binary_equals_tabledata(server):
    expected = tabledata(server, QUERY)
    content_type, data = sync(server, QUERY, "votable/b")
    assert content_type.startswith("application/x-votable+xml")
    assert b"<BINARY>" in data and b"BINARY2" not in data
    got = parse_single_table(io.BytesIO(data), verify="exception").to_table()
    assert len(expected) == 200 and got.colnames == expected.colnames
    assert any(cell(expected, "psfMag", r) is None for r in range(len(expected))), "no NULL in the sample"
    for name in expected.colnames:
        assert [cell(got, name, r) for r in range(len(got))] == [cell(expected, name, r) for r in range(len(expected))], name
    assert str(got["coord_ra"].unit) == "deg"


def test_json_equals_tabledata(server):
    expected = tabledata(server, QUERY)
    content_type, data = sync(server, QUERY, "json")
    assert content_type == "application/json"
    doc = json.loads(data)
    assert list(doc) == ["metadata", "data", "status", "overflow"]
    assert doc["status"] == "OK" and doc["overflow"] is False
    assert [c["name"] for c in doc["metadata"]] == expected.colnames
    for c in doc["metadata"]:
        assert set(c) == {"name", "datatype", "arraysize", "xtype", "unit", "ucd", "description"}
    columns = {c["name"]: c for c in doc["metadata"]}
    assert columns["forcedSourceId"]["datatype"] == "long"
    assert columns["coord_ra"]["unit"] == "deg"
    rows = doc["data"]
    assert len(rows) == len(expected)
    for i, name in enumerate(expected.colnames):
        assert [row[i] for row in rows] == [cell(expected, name, r) for r in range(len(expected))], name
    # 64-bit ids are JSON integers, exact beyond 2**53 (compared with TABLEDATA above).
    assert all(isinstance(row[1], int) for row in rows)
    assert max(row[1] for row in rows) > 2**53


def test_json_overflow(server):
    _, data = sync(server, f"SELECT objectId FROM {SCHEMA}.Object", "json", MAXREC="7")
    doc = json.loads(data)
    assert len(doc["data"]) == 7
    assert doc["status"] == "OVERFLOW" and doc["overflow"] is True


def test_async_json_result(server):
    """An async job's JSON result: a file with its own extension, served as application/json."""
    params = {"LANG": "ADQL", "QUERY": QUERY, "RESPONSEFORMAT": "json", "PHASE": "RUN"}

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(server.url + "/async", data=urllib.parse.urlencode(params).encode()))
        raise AssertionError("no redirect")
    except urllib.error.HTTPError as e:
        assert e.code == 303
        job_url = e.headers["Location"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with urllib.request.urlopen(job_url + "?WAIT=30", timeout=120) as r:
            doc = ET.fromstring(r.read())
        if doc.find(UWS + "phase").text not in ("PENDING", "QUEUED", "EXECUTING"):
            break
    assert doc.find(UWS + "phase").text == "COMPLETED"
    with urllib.request.urlopen(job_url + "/results/result", timeout=120) as r:
        assert r.headers["Content-Type"] == "application/json"
        async_doc = json.loads(r.read())
    _, data = sync(server, QUERY, "json")
    assert async_doc == json.loads(data)
    job_id = job_url.rstrip("/").rsplit("/", 1)[1]
    assert os.path.exists(os.path.join(server.data, "jobs", job_id, "result.json"))


def test_every_example_runs(tap, server):
    with urllib.request.urlopen(server.url + "/examples", timeout=60) as r:
        assert r.headers["Content-Type"].startswith("application/xhtml+xml")
        root = ET.fromstring(r.read())
    examples = [e for e in root.iter() if e.get("typeof") == "example"]
    assert len(examples) >= 12
    for e in examples:
        assert e.get("resource") == "#" + e.get("id")
        names = [x for x in e.iter() if x.get("property") == "name"]
        assert len(names) == 1 and names[0].text.strip()
    # What pyvo makes of the document: one TAPQuery per example, each run as it is.
    queries = tap.examples
    assert len(queries) == len(examples)
    # An example over TAP_UPLOAD.targets gets a list of the catalog's own positions to match.
    objects = server.all_objects()[:25]
    targets = Table({"id": [o[0] for o in objects], "ra": [o[1] for o in objects], "dec": [o[2] for o in objects]})
    uploads_used = 0
    for example in queries:
        uploads = {"targets": targets} if "TAP_UPLOAD.targets" in example["QUERY"] else None
        uploads_used += uploads is not None
        table = tap.run_sync(example["QUERY"], uploads=uploads).to_table()
        assert len(table) >= 1, example["QUERY"]
    assert uploads_used >= 1


def test_capabilities_declare_examples_and_formats(tap, server):
    ids = [c.standardid for c in tap.capabilities]
    assert "ivo://ivoa.net/std/DALI#examples-1.0" in ids
    capability = tap.get_tap_capability()
    mimes = {f.mime for f in capability.outputformats}
    assert {"application/x-votable+xml;serialization=binary", "application/json"} <= mimes
    assert capability.executionduration is not None and capability.retentionperiod is not None


def test_cross_origin_preflight(server):
    request = urllib.request.Request(server.url + "/sync", method="OPTIONS", headers={
        "Origin": "https://portal.example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization"})
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.status == 204
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in r.headers["Access-Control-Allow-Methods"]
        assert "authorization" in r.headers["Access-Control-Allow-Headers"].lower()
