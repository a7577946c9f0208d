"""Injection and escape attempts through every user-controlled string, against the real server
(issue 22, point 7): identifiers, delimited identifiers, string literals, function arguments,
RUNID, upload table and column names, and SQLite's own attacks (ATTACH, PRAGMA,
load_extension, readfile, several statements, comments).

What proves that none reaches SQLite as anything but an authorized read of a known table: the
SQL is generated from the AST only, so an attack is either refused by the parser or binder
(HTTP 400 with a DALI error naming the problem) or becomes data (a string compared as a
string, a name quoted as a name). Anything else that reached SQLite would be refused there by
the authorizer, which the service reports as its own fault (HTTP 500): no case may get a 500,
and the checks below that attacks turned into data see the data they expect."""

import io
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from test_tap_async import UWS, http, job_doc, wait_for_end, phase_of

SCHEMA = "dp02_dc2_catalogs"
VOTABLE = "{http://www.ivoa.net/xml/VOTable/v1.3}"


def sync(server, query, **extra):
    status, _, body = http(server.url + "/sync", {"LANG": "ADQL", "QUERY": query, **extra})
    doc = ET.fromstring(body)
    infos = [(i.get("value"), (i.text or "").strip()) for i in doc.iter(VOTABLE + "INFO") if i.get("name") == "QUERY_STATUS"]
    rows = [[td.text for td in tr.iter(VOTABLE + "TD")] for tr in doc.iter(VOTABLE + "TR")]
    return status, (infos[-1] if infos else ("OK", "")), rows


REFUSED = [
    # several statements, and SQLite statements written as ADQL
    f"SELECT TOP 1 objectId FROM {SCHEMA}.Object; DROP TABLE {SCHEMA}.Object",
    f"SELECT TOP 1 objectId FROM {SCHEMA}.Object; ATTACH DATABASE '/tmp/x.db' AS x",
    "ATTACH DATABASE '/etc/passwd' AS p",
    "PRAGMA table_info(Object)",
    "PRAGMA writable_schema = ON",
    "DETACH DATABASE replicated",
    "VACUUM INTO '/tmp/copy.db'",
    "CREATE TABLE x (a)",
    f"INSERT INTO {SCHEMA}.Object (objectId) VALUES (1)",
    f"DELETE FROM {SCHEMA}.Object",
    # SQLite's functions that reach outside the query: not ADQL functions
    "SELECT load_extension('/tmp/evil.so')",
    f"SELECT TOP 1 load_extension('/tmp/evil.so') FROM {SCHEMA}.Object",
    f"SELECT TOP 1 readfile('/etc/passwd') FROM {SCHEMA}.Object",
    f"SELECT TOP 1 writefile('/tmp/x', 'y') FROM {SCHEMA}.Object",
    f"SELECT TOP 1 sqlite_version() FROM {SCHEMA}.Object",
    f"SELECT TOP 1 zeroblob(2000000000) FROM {SCHEMA}.Object",
    f"SELECT TOP 1 randomblob(2000000000) FROM {SCHEMA}.Object",
    f"SELECT TOP 1 printf('%s', objectId) FROM {SCHEMA}.Object",
    f"SELECT TOP 1 edit('x', 'vi') FROM {SCHEMA}.Object",
    # SQLite's own tables and table-valued functions, by every spelling
    "SELECT * FROM sqlite_master",
    "SELECT * FROM sqlite_schema",
    "SELECT * FROM main.sqlite_master",
    "SELECT * FROM replicated.sqlite_master",
    "SELECT * FROM tap_schema.sqlite_master",
    '''SELECT * FROM "sqlite_master"''',
    "SELECT * FROM pragma_table_info('Object')",
    "SELECT * FROM json_each('[1,2]')",
    "SELECT * FROM sqlite_temp_master",
    "SELECT * FROM temp.sqlite_master",
    # delimited identifiers that try to close themselves
    f'''SELECT "objectId"" FROM sqlite_master --" FROM {SCHEMA}.Object''',
    f'''SELECT TOP 1 "x"""" FROM {SCHEMA}.Object''',
    f'''SELECT TOP 1 * FROM {SCHEMA}."Object"" UNION SELECT * FROM sqlite_master --"''',
    f'''SELECT TOP 1 * FROM "{SCHEMA}"".Object; ATTACH 'x' AS y; --".Object''',
    # identifiers with SQL in them
    f"SELECT TOP 1 objectId FROM {SCHEMA}.Object AS o WHERE o.sqlite_master = 1",
    f"SELECT TOP 1 rowid FROM {SCHEMA}.Object",
    f"SELECT TOP 1 _rowid_ FROM {SCHEMA}.Object",
    # comments that hide the rest, or open without closing
    f"SELECT TOP 1 objectId FROM {SCHEMA}.Object /* ; ATTACH 'x' AS y",
    # function arguments: geometry strings with SQL in them
    f"SELECT TOP 1 objectId FROM {SCHEMA}.Object WHERE 1 = CONTAINS(POINT('ICRS', coord_ra, coord_dec), "
    "REGION('CIRCLE ICRS 60 -30 1''); ATTACH ''x'' AS y; --'))",
    f"SELECT TOP 1 objectId FROM {SCHEMA}.Object WHERE 1 = CONTAINS(POINT('ICRS', coord_ra, coord_dec), "
    "CIRCLE('ICRS', 60, -30, (SELECT 1 FROM sqlite_master)))",
]


@pytest.mark.parametrize("query", REFUSED)
def test_attacks_are_refused_by_the_parser_or_binder(server, query):
    status, (value, message), rows = sync(server, query)
    assert status == 400 and value == "ERROR", (status, message)
    assert not rows


AS_DATA = [
    # string literals holding SQL are strings: compared as such, they match nothing
    (f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object WHERE 'x'' OR ''1''=''1' = 'x'", [["0"]]),
    (f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object WHERE 'a''; DROP TABLE Object; --' = 'b'", [["0"]]),
    (f"SELECT TOP 1 'x''); ATTACH ''/tmp/y'' AS y; --' AS s FROM {SCHEMA}.Object",
     [["x'); ATTACH '/tmp/y' AS y; --"]]),
    # a backslash escapes nothing in ADQL (as it would in MySQL): the string is one backslash
    (f"SELECT TOP 1 '\\' AS s FROM {SCHEMA}.Object", [["\\"]]),
    (f"SELECT TOP 1 '/* */ -- \";' AS s FROM {SCHEMA}.Object", [['/* */ -- ";']]),
    # a delimited alias with quotes, semicolons and comments is a name
    (f'''SELECT TOP 1 1 AS "a"";DROP--" FROM {SCHEMA}.Object''', [["1"]]),
    # comments are ignored, whatever they hold
    (f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object WHERE objectId = -1 -- ; ATTACH 'x' AS y", [["0"]]),
    (f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object /* ; PRAGMA writable_schema=1; */ WHERE objectId = -1", [["0"]]),
    # LIKE patterns with SQLite's escape and glob characters are patterns
    (f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object WHERE 'abc' LIKE '%'' OR ''x''=''x'", [["0"]]),
]


@pytest.mark.parametrize("query,expected", AS_DATA)
def test_attacks_become_data(server, query, expected):
    status, (value, message), rows = sync(server, query)
    assert status == 200 and value == "OK", (status, message)
    assert rows == expected


def test_runid_is_kept_as_text(server):
    hostile = "</uws:runId><uws:phase>COMPLETED</uws:phase>'; DROP TABLE jobs; --\" & <x>"
    status, headers, _ = http(server.url + "/async", {
        "LANG": "ADQL", "QUERY": f"SELECT TOP 1 objectId FROM {SCHEMA}.Object", "RUNID": hostile})
    assert status == 303
    job = headers["Location"]
    try:
        doc = job_doc(job)
        assert doc.find(UWS + "runId").text == hostile
        assert phase_of(doc) == "PENDING"
        status, _, body = http(job + "/runid")
        assert status == 200 and body.decode() == hostile
        # The job list stays well-formed with it.
        status, _, body = http(server.url + "/async")
        assert status == 200 and ET.fromstring(body) is not None
    finally:
        http(job, {"ACTION": "DELETE"})


def votable(column_names, rows):
    fields = "".join(f'<FIELD name="{n}" datatype="long"/>' for n in column_names)
    data = "".join("<TR>" + "".join(f"<TD>{v}</TD>" for v in row) + "</TR>" for row in rows)
    return (f'<?xml version="1.0"?><VOTABLE xmlns="http://www.ivoa.net/xml/VOTable/v1.3" version="1.3">'
            f"<RESOURCE><TABLE>{fields}<DATA><TABLEDATA>{data}</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>")


def upload(server, query, table_name, document):
    boundary = "b0undaryXYZ"
    parts = []
    for name, value in (("LANG", "ADQL"), ("QUERY", query), ("UPLOAD", f"{table_name},param:t")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="t"; filename="t.xml"\r\n'
                 f"Content-Type: application/x-votable+xml\r\n\r\n{document}\r\n--{boundary}--\r\n")
    import urllib.request
    import urllib.error
    request = urllib.request.Request(
        server.url + "/sync", data="".join(parts).encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    doc = ET.fromstring(body)
    infos = [(i.get("value"), (i.text or "").strip()) for i in doc.iter(VOTABLE + "INFO") if i.get("name") == "QUERY_STATUS"]
    rows = [[td.text for td in tr.iter(VOTABLE + "TD")] for tr in doc.iter(VOTABLE + "TR")]
    return status, (infos[-1] if infos else ("OK", "")), rows


@pytest.mark.parametrize("table_name", ["t; DROP TABLE x", "t\"", "t' OR '1'='1", "main.t", "t--", "t)", ""])
def test_hostile_upload_table_names_are_refused(server, table_name):
    status, (value, message), rows = upload(
        server, "SELECT * FROM TAP_UPLOAD.t", table_name, votable(["a"], [[1]]))
    assert 400 <= status < 500 and value == "ERROR", (status, message)
    assert not rows


@pytest.mark.parametrize("table_name", ["sqlite_master", "json_each", "Object", "select"])
def test_upload_table_names_like_sqlite_or_catalog_tables_are_names_or_refused(server, table_name):
    status, (value, message), rows = upload(
        server, f'SELECT * FROM TAP_UPLOAD."{table_name}"', table_name, votable(["a"], [[1]]))
    assert status != 500, message
    if status == 200:
        assert value == "OK" and rows == [["1"]], rows
    else:
        assert 400 <= status < 500 and value == "ERROR", (status, message)


@pytest.mark.parametrize("column", [
    'a&quot;; DROP TABLE x; --', "a') FROM sqlite_master --", "json_extract", "a/*", "value", "key"])
def test_hostile_upload_column_names_are_names_or_refused(server, column):
    status, (value, message), rows = upload(
        server, "SELECT * FROM TAP_UPLOAD.t", "t", votable([column], [[7], [8]]))
    assert status != 500, message
    if status == 200:
        assert value == "OK" and rows == [["7"], ["8"]], rows
    else:
        assert 400 <= status < 500 and value == "ERROR", (status, message)
