"""Queries that used to end the server process (issue 15), sent to the real server over HTTP:
each is answered, and the same process goes on answering."""

import urllib.error
import urllib.parse
import urllib.request

import pytest
import pyvo

SCHEMA = "dp02_dc2_catalogs"
POINT = "POINT('ICRS', coord_ra, coord_dec)"


def sync(server, query, response_format="csv"):
    body = urllib.parse.urlencode({"LANG": "ADQL", "REQUEST": "doQuery", "QUERY": query,
                                   "RESPONSEFORMAT": response_format}).encode()
    request = urllib.request.Request(server.url + "/sync", data=body, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_disjoint_cones_answer_empty_and_the_server_lives(server):
    pid = server.process.pid
    query = (f"SELECT objectId FROM {SCHEMA}.Object "
             f"WHERE CONTAINS({POINT}, CIRCLE('ICRS', 62, -37, 0.01)) = 1 "
             f"AND CONTAINS({POINT}, CIRCLE('ICRS', 62, -36.5, 0.01)) = 1")
    for _ in range(3):
        status, text = sync(server, query)
        assert status == 200, text
        assert text.strip().splitlines() == ["objectId"]
    status, text = sync(server, query.replace("SELECT objectId", "SELECT COUNT(*) AS n"))
    assert status == 200, text
    assert text.strip().splitlines() == ["n", "0"]
    assert server.process.poll() is None and server.process.pid == pid


@pytest.mark.parametrize("shape, value", [
    ("CIRCLE('ICRS', 62, -95, 0.1)", "-95"),
    ("CIRCLE('ICRS', 62, -37, -1)", "-1"),
    ("CIRCLE('ICRS', 62, -37, 181)", "181"),
    ("BOX('ICRS', 0, 90, -2, 4)", "-2"),
    ("CIRCLE('ICRS', 62, -37, 1e400)", "1e400"),
])
def test_out_of_range_values_are_dali_errors(server, shape, value):
    query = f"SELECT objectId FROM {SCHEMA}.Object\nWHERE CONTAINS({POINT}, {shape}) = 1"
    status, text = sync(server, query, "votable")
    assert status == 400
    assert 'name="QUERY_STATUS" value="ERROR"' in text
    column = query.splitlines()[1].index(value) + 1
    assert f"line 2, column {column}" in text
    assert value in text
    assert server.process.poll() is None


def test_poles_and_the_ra_wrap_plan(server):
    tap = pyvo.dal.TAPService(server.url)
    for where in [
        f"CONTAINS({POINT}, CIRCLE('ICRS', 0, 90, 5)) = 1",
        f"CONTAINS({POINT}, BOX('ICRS', 359.9, -89.5, 20, 3)) = 1",
        f"CONTAINS({POINT}, POLYGON('ICRS', 355, -10, 5, -10, 5, 10, 355, 10)) = 1",
        f"DISTANCE({POINT}, POINT('ICRS', -0.5, 0)) < 2 OR coord_dec > 95",
    ]:
        result = tap.search(f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object WHERE {where}").to_table()
        assert int(result["n"][0]) == 0  # the demo footprint is far from both
    assert server.process.poll() is None
