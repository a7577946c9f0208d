"""Async TAP (UWS 1.1) with real clients, pyvo and astroquery, against the real server; and
the job store surviving `kill -9` of the real server process."""

import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
import pyvo

SCHEMA = "dp02_dc2_catalogs"
UWS = "{http://www.ivoa.net/xml/UWS/v1.0}"
# Never ends on any catalog of the tests: a three-way cross join of Object, finished at the
# coordinator.
ENDLESS = f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object AS a, {SCHEMA}.Object AS b, {SCHEMA}.Object AS c"


@pytest.fixture(scope="module")
def tap(server):
    return pyvo.dal.TAPService(server.url)


def http(url, data=None, method=None, headers=None):
    """(status, headers, body) of one request; redirects are not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=120) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def create(url, query, run=True, **extra):
    params = {"LANG": "ADQL", "QUERY": query, **extra}
    if run:
        params["PHASE"] = "RUN"
    status, headers, _ = http(url + "/async", params)
    assert status == 303, status
    return headers["Location"]


def job_doc(job_url, wait=None, phase=None):
    query = {}
    if wait is not None:
        query["WAIT"] = str(wait)
    if phase:
        query["PHASE"] = phase
    suffix = ("?" + urllib.parse.urlencode(query)) if query else ""
    status, headers, body = http(job_url + suffix)
    assert status == 200, body
    assert headers["Content-Type"].startswith("text/xml")
    return ET.fromstring(body)


def phase_of(doc):
    return doc.find(UWS + "phase").text


def wait_for_end(job_url, limit=300):
    """Long-polls (WAIT) until the job has ended; the server holds each request."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        doc = job_doc(job_url, wait=30)
        if phase_of(doc) not in ("PENDING", "QUEUED", "EXECUTING"):
            return doc
    raise AssertionError(f"{job_url} did not end within {limit} s")


def wait_until_executing(job_url):
    for _ in range(100):
        doc = job_doc(job_url, wait=30, phase="QUEUED")
        if phase_of(doc) != "QUEUED":
            return doc
    raise AssertionError("the job stayed QUEUED")


# --- pyvo and astroquery -------------------------------------------------------------------


def test_pyvo_run_async_matches_sync(tap):
    query = f"SELECT TOP 20 objectId, coord_ra FROM {SCHEMA}.Object ORDER BY objectId"
    a = tap.run_async(query).to_table()
    s = tap.run_sync(query).to_table()
    assert len(a) == 20
    assert list(a["objectId"]) == list(s["objectId"])


def test_pyvo_submit_run_wait_fetch_delete(tap, server):
    job = tap.submit_job(f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object", runid="count-objects")
    assert job.phase == "PENDING"
    job.run()
    job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=300)
    assert job.phase == "COMPLETED"
    table = job.fetch_result().to_table()
    assert int(table["n"][0]) == len(server.all_objects())
    # The job's children, each with its media type.
    status, headers, body = http(job.url + "/phase")
    assert (status, body) == (200, b"COMPLETED") and headers["Content-Type"].startswith("text/plain")
    status, headers, body = http(job.url + "/executionduration")
    assert status == 200 and int(body) > 0
    status, _, body = http(job.url + "/destruction")
    assert status == 200 and re.match(rb"\d{4}-\d\d-\d\dT", body)
    status, _, body = http(job.url + "/quote")
    assert status == 200
    status, _, body = http(job.url + "/owner")
    assert status == 200
    status, _, body = http(job.url + "/parameters")
    params = {p.get("id"): p.text for p in ET.fromstring(body)}
    assert params["query"].startswith("SELECT COUNT(*)") and params["lang"] == "ADQL"
    status, _, body = http(job.url + "/results")
    result = ET.fromstring(body).find(UWS + "result")
    assert result.get("id") == "result"
    assert result.get("{http://www.w3.org/1999/xlink}href") == job.url + "/results/result"
    doc = job_doc(job.url)
    assert doc.get("version") == "1.1"
    assert doc.find(UWS + "runId").text == "count-objects"
    info = doc.find(UWS + "jobInfo").find("progress")
    assert int(info.get("chunksDone")) == int(info.get("chunksTotal")) > 0
    url = job.url
    job.delete()
    status, _, _ = http(url)
    assert status == 404


def test_pyvo_job_list_and_filters(tap, server):
    url = create(server.url, f"SELECT TOP 1 objectId FROM {SCHEMA}.Object", run=False)
    job_id = url.rsplit("/", 1)[1]
    ids = [j.jobid for j in tap.get_job_list(phases=["PENDING"])]
    assert job_id in ids
    assert job_id not in [j.jobid for j in tap.get_job_list(phases=["COMPLETED"])]
    last = [j.jobid for j in tap.get_job_list(last=1)]
    assert last == [job_id]
    status, _, body = http(server.url + "/async?AFTER=2999-01-01T00:00:00Z")
    assert status == 200 and ET.fromstring(body).find(UWS + "jobref") is None
    # ACTION=DELETE answers 303 back to the list.
    status, headers, _ = http(url, {"ACTION": "DELETE"})
    assert status == 303 and headers["Location"] == server.url + "/async"
    assert job_id not in [j.jobid for j in tap.get_job_list()]


def test_an_error_job_names_line_and_column(tap, server):
    job = tap.submit_job(f"SELECT objectId FROM {SCHEMA}.Object WHERE")
    job.run()
    job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=120)
    assert job.phase == "ERROR"
    with pytest.raises(pyvo.dal.DALQueryError) as e:
        job.raise_if_error()
    assert "line 1" in str(e.value)
    status, headers, body = http(job.url + "/error")
    assert status == 200 and b'name="QUERY_STATUS" value="ERROR"' in body


def test_astroquery_launch_job_async(server):
    from astroquery.utils.tap.core import TapPlus

    tap = TapPlus(url=server.url, verbose=False)
    job = tap.launch_job_async(f"SELECT TOP 5 objectId FROM {SCHEMA}.Object ORDER BY objectId", verbose=False)
    table = job.get_results()
    assert len(table) == 5
    assert list(table["objectId"]) == sorted(table["objectId"])


def test_parameter_names_are_case_insensitive_and_wait_is_capped(server):
    url = create(server.url, f"SELECT TOP 2 objectId FROM {SCHEMA}.Object", run=False)
    # lower-case names, and a WAIT on a PENDING job returns once its time is up.
    status, _, body = http(url + "/parameters", {"maxrec": "1"})
    assert status == 303
    doc = job_doc(url, wait=1)
    assert phase_of(doc) == "PENDING"
    status, _, _ = http(url + "/phase", {"phase": "run"})
    assert status == 303
    doc = wait_for_end(url)
    assert phase_of(doc) == "COMPLETED"
    result = doc.find(UWS + "jobInfo").find("result")
    assert result.get("rows") == "1" and result.get("overflow") == "true"


def test_abort_stops_an_executing_job(server):
    url = create(server.url, ENDLESS)
    assert phase_of(wait_until_executing(url)) == "EXECUTING"
    status, _, _ = http(url + "/phase", {"PHASE": "ABORT"})
    assert status == 303
    assert phase_of(job_doc(url)) == "ABORTED"
    status, _, _ = http(url, method="DELETE")
    assert status == 303


def test_execution_duration_is_enforced(server):
    url = create(server.url, ENDLESS, run=False)
    status, _, _ = http(url + "/executionduration", {"EXECUTIONDURATION": "1"})
    assert status == 303
    http(url + "/phase", {"PHASE": "RUN"})
    doc = wait_for_end(url, limit=120)
    assert phase_of(doc) == "ERROR"
    assert "time limit" in doc.find(UWS + "errorSummary").find(UWS + "message").text


def test_destruction_removes_the_job(server):
    url = create(server.url, f"SELECT TOP 1 objectId FROM {SCHEMA}.Object", run=False)
    past = "2000-01-01T00:00:00Z"
    status, _, _ = http(url + "/destruction", {"DESTRUCTION": past})
    assert status == 303
    # The sweep runs every few seconds; a WAIT on the pending job ends when it is removed.
    status, _, _ = http(url + "?WAIT=60")
    assert status == 404
    assert http(url)[0] == 404


# --- kill -9 -------------------------------------------------------------------------------


class OwnServer:
    """`skyshard serve` over the session's catalog with a job directory of its own (and `extra`
    options). Its output is kept, line by line, so that a test can wait for a log line."""

    def __init__(self, skyshard, data, jobs, extra=(), log_level="warning"):
        self.process = subprocess.Popen(
            [skyshard, "serve", "--data", data, "--port", "0", "--jobs-dir", jobs, "--log-level", log_level,
             *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.url = None
        self.lines = []
        self.changed = threading.Condition()
        for line in self.process.stdout:
            self.lines.append(line)
            m = re.search(r"listening on (http://\S+/tap)", line)
            if m:
                self.url = m.group(1)
                break
        if self.url is None:
            self.process.kill()
            raise AssertionError("the server did not start:\n" + "".join(self.lines))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # the end of the output
            self.changed.notify_all()

    def wait_for_line(self, pattern, timeout=120):
        """The first output line matching `pattern`, waiting until it is written."""
        found = []

        def seen():
            found[:] = [l for l in self.lines if l is not None and re.search(pattern, l)]
            return bool(found) or None in self.lines

        with self.changed:
            assert self.changed.wait_for(seen, timeout=timeout), f"no line matched {pattern} in time"
            assert found, f"the server ended without a line matching {pattern}:\n" + "".join(l for l in self.lines if l)
            return found[0]

    def kill9(self):
        self.process.kill()  # SIGKILL
        self.process.wait()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def job_ids(url):
    status, _, body = http(url + "/async")
    assert status == 200
    return {ref.get("id"): ref.find(UWS + "phase").text for ref in ET.fromstring(body)}


def test_jobs_survive_kill_9(server, skyshard, tmp_path):
    jobs_dir = str(tmp_path / "jobs")
    own = OwnServer(skyshard, server.data, jobs_dir)
    try:
        done = create(own.url, f"SELECT TOP 500 objectId, coord_ra, coord_dec FROM {SCHEMA}.Object ORDER BY objectId")
        assert phase_of(wait_for_end(done)) == "COMPLETED"
        before = http(done + "/results/result")[2]
        pending = create(own.url, f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object", run=False)
        running = create(own.url, ENDLESS)
        assert phase_of(wait_until_executing(running)) == "EXECUTING"
        own.kill9()

        own = OwnServer(skyshard, server.data, jobs_dir)
        listed = job_ids(own.url)
        ids = {u.rsplit("/", 1)[1] for u in (done, pending, running)}
        assert ids <= set(listed)
        moved = lambda u: own.url + "/async/" + u.rsplit("/", 1)[1]
        assert http(moved(done) + "/results/result")[2] == before
        assert listed[pending.rsplit("/", 1)[1]] == "PENDING"
        assert listed[running.rsplit("/", 1)[1]] == "ERROR"
        status, _, body = http(moved(running) + "/error")
        assert status == 200 and b"interrupted by restart" in body
        # The pending job can still be run.
        http(moved(pending) + "/phase", {"PHASE": "RUN"})
        assert phase_of(wait_for_end(moved(pending))) == "COMPLETED"
    finally:
        own.stop()


def test_kill_9_while_a_result_is_written(server, skyshard, tmp_path):
    """Kills the server while a large result is being written, several times: after each restart
    the job is either COMPLETED with a whole result or ERROR, never a torn file."""
    jobs_dir = str(tmp_path / "jobs")
    query = f"SELECT * FROM {SCHEMA}.ForcedSource"
    for attempt in range(3):
        own = OwnServer(skyshard, server.data, jobs_dir)
        try:
            url = create(own.url, query, MAXREC="200000")
            job_id = url.rsplit("/", 1)[1]
            partial = os.path.join(jobs_dir, job_id, "result.partial")
            # Wait until the result is being written (the file exists and grows), then kill.
            deadline = time.monotonic() + 120
            while not (os.path.exists(partial) and os.path.getsize(partial) > 200_000 * (attempt + 1)):
                if phase_of(job_doc(url)) not in ("QUEUED", "EXECUTING"):
                    break
                assert time.monotonic() < deadline, "the result was never written"
                time.sleep(0.05)
            own.kill9()
            own = OwnServer(skyshard, server.data, jobs_dir)
            doc = job_doc(own.url + "/async/" + job_id)
            phase = phase_of(doc)
            assert phase in ("COMPLETED", "ERROR")
            if phase == "COMPLETED":
                body = http(own.url + "/async/" + job_id + "/results/result")[2]
                assert body.rstrip().endswith(b"</VOTABLE>")
                ET.fromstring(body)
            assert not os.path.exists(partial)
        finally:
            own.stop()
