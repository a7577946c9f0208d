"""Graceful shutdown of the real `skyshard serve` process: SIGTERM while a sync query streams
and async jobs run. Every wait is on something the test observes (a log line, a job's phase
through WAIT, the process' exit), never on a sleep."""

import json
import signal
import socket
import urllib.parse
import xml.etree.ElementTree as ET

from test_tap_async import ENDLESS, SCHEMA, OwnServer, create, http, job_doc, phase_of, wait_until_executing

VOTABLE = "{http://www.ivoa.net/xml/VOTable/v1.3}"


def logged_server(skyshard, data, jobs, grace):
    """`skyshard serve` with its log at `info`; `root` is an administrator, the user comes from
    the `X-User` header, one job executes at a time."""
    return OwnServer(
        skyshard, data, jobs, log_level="info",
        extra=("--shutdown-grace", str(grace), "--user-header", "X-User", "--admin", "root", "--executing-jobs", "1"))


class StreamingClient:
    """A sync query on a plain socket that reads only when told to: while it does not read, the
    server's writes block once the socket buffers are full, so the query stays in flight."""

    def __init__(self, url, query, maxrec):
        parsed = urllib.parse.urlparse(url)
        path = parsed.path + "/sync?" + urllib.parse.urlencode(
            {"LANG": "ADQL", "QUERY": query, "MAXREC": str(maxrec)})
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=120)
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nX-User: alice\r\nConnection: close\r\n\r\n".encode())
        self.raw = bytearray()  # appended in place: a result of 100 MB must not be copied per read

    def read(self, at_least):
        while len(self.raw) < at_least:
            more = self.sock.recv(65536)
            if not more:
                break
            self.raw += more

    def read_to_end(self):
        self.read(float("inf"))
        self.sock.close()
        head, _, body = bytes(self.raw).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        return dechunk(body)


def dechunk(body):
    """The body of a chunked transfer, read by position (slicing off the rest at every chunk
    would copy a large body once per chunk)."""
    out = bytearray()
    at = 0
    while True:
        end = body.index(b"\r\n", at)
        size = int(body[at:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        start = end + 2
        assert len(body) >= start + size + 2, "the transfer was cut off"
        out += body[start:start + size]
        at = start + size + 2


def statuses(doc):
    return [(i.get("value"), (i.text or "").strip()) for i in doc.iter(VOTABLE + "INFO") if i.get("name") == "QUERY_STATUS"]


def admin_queries(url):
    status, _, body = http(url + "/admin/queries", headers={"X-User": "root"})
    assert status == 200, body
    return json.loads(body)["queries"]


BIG = f"SELECT * FROM {SCHEMA}.ForcedSource"


def test_sigterm_lets_a_sync_query_finish_and_ends_jobs_truthfully(server, skyshard, tmp_path):
    jobs_dir = str(tmp_path / "jobs")
    grace = 10
    own = logged_server(skyshard, server.data, jobs_dir, grace)
    try:
        running = create(own.url, ENDLESS)
        assert phase_of(wait_until_executing(running)) == "EXECUTING"
        queued = create(own.url, ENDLESS)  # one job executes at once: this one waits
        assert phase_of(job_doc(queued)) == "QUEUED"
        client = StreamingClient(own.url, BIG, 20000)
        client.read(65536)
        assert [q["kind"] for q in admin_queries(own.url)].count("sync") == 1

        own.process.send_signal(signal.SIGTERM)
        line = own.wait_for_line(r"shutting down")
        assert "sync_queries=1" in line and "executing_jobs=1" in line
        # The server still listens, and refuses new work with a DALI error.
        status, _, body = http(own.url + "/sync", {"LANG": "ADQL", "QUERY": f"SELECT TOP 1 * FROM {SCHEMA}.Object"})
        assert status == 503 and b"shutting down" in body
        status, _, body = http(own.url + "/async", {"LANG": "ADQL", "QUERY": "SELECT 1"})
        assert status == 503 and b"shutting down" in body

        # The running query ends whole.
        doc = ET.fromstring(client.read_to_end())
        assert [s for s, _ in statuses(doc)][-1] in ("OK", "OVERFLOW")
        assert len(list(doc.iter(VOTABLE + "TR"))) == 20000
        assert own.process.wait(timeout=grace + 30) == 0
        assert "interrupted_jobs=" + running.rsplit("/", 1)[1] in own.wait_for_line(r"queries drained")
    finally:
        if own.process.poll() is None:
            own.kill9()

    again = OwnServer(skyshard, server.data, jobs_dir)
    try:
        moved = lambda u: again.url + "/async/" + u.rsplit("/", 1)[1]
        assert phase_of(job_doc(moved(running))) == "ERROR"
        status, _, body = http(moved(running) + "/error")
        assert status == 200 and b"interrupted by shutdown" in body
        # The queued job was kept QUEUED and is queued again: it runs now.
        assert phase_of(job_doc(moved(queued))) in ("QUEUED", "EXECUTING")
        http(moved(queued) + "/phase", {"PHASE": "ABORT"})
    finally:
        again.stop()


def test_a_query_outliving_the_grace_is_stopped_with_a_clear_error(server, skyshard, tmp_path):
    grace = 2
    own = logged_server(skyshard, server.data, str(tmp_path / "jobs"), grace)
    try:
        client = StreamingClient(own.url, BIG, 200000)
        client.read(65536)
        assert len(admin_queries(own.url)) == 1
        own.process.send_signal(signal.SIGTERM)
        own.wait_for_line(r"shutting down")
        # The client reads nothing until the grace has passed and the query was stopped.
        line = own.wait_for_line(r"queries drained", timeout=grace + 60)
        assert "stopped_sync_queries=1" in line
        doc = ET.fromstring(client.read_to_end())
        status, message = statuses(doc)[-1]
        assert status == "ERROR" and "shutting down" in message
        assert len(list(doc.iter(VOTABLE + "TR"))) < 200000
        assert own.process.wait(timeout=grace + 30) == 0
    finally:
        if own.process.poll() is None:
            own.kill9()
