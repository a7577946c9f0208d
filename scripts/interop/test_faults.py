"""Faults against the real `skyshard serve` process (issue 22, point 5): broken chunk files, a
results disk that refuses writes, clients that hang up mid-stream or read slowly. Every wait is
on something observed (the admin list of queries, a job's phase through WAIT, a socket), never
on a sleep."""

import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import struct
import time
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from test_shutdown import StreamingClient, admin_queries, statuses
from test_tap_async import SCHEMA, OwnServer, create, http, phase_of, wait_for_end

VOTABLE = "{http://www.ivoa.net/xml/VOTable/v1.3}"
ADMIN = ("--user-header", "X-User", "--admin", "root")


def copy_catalog(server, tmp_path):
    """A private copy of the session's catalog, to break without harming the other tests."""
    data = tmp_path / "data"
    version = os.path.basename(server.version_dir)
    shutil.copytree(server.version_dir, data / "versions" / version)
    os.symlink(os.path.join("versions", version), data / "current")
    return str(data)


def chunk_of(path):
    return int(re.search(r"chunk_(\d+)\.sqlite$", path).group(1))


def one_object(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute('SELECT objectId FROM "Object" LIMIT 1').fetchone()[0]
    finally:
        con.close()


def sync(url, query, user="alice"):
    status, headers, body = http(url + "/sync", {"LANG": "ADQL", "QUERY": query}, headers={"X-User": user})
    doc = ET.fromstring(body)
    found = statuses(doc)
    return status, headers, (found[-1] if found else (None, None)), doc


def availability(url):
    status, _, body = http(url + "/availability")
    assert status == 200
    doc = ET.fromstring(body)
    ns = "{http://www.ivoa.net/xml/VOSIAvailability/v1.0}"
    note = doc.find(ns + "note")
    return doc.find(ns + "available").text, (note.text if note is not None else "")


def rss_anon_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon")


def test_missing_or_corrupt_chunks_fail_queries_naming_them(server, skyshard, tmp_path):
    data = copy_catalog(server, tmp_path)
    own = OwnServer(skyshard, data, str(tmp_path / "jobs"))
    try:
        assert availability(own.url) == ("true", "")
        chunks = sorted(glob_chunks(data), key=os.path.getsize)
        assert len(chunks) >= 3, "the demo catalog needs three chunk files"
        missing, corrupt, healthy = chunks[-1], chunks[-2], chunks[-3]
        missing_id, corrupt_id = chunk_of(missing), chunk_of(corrupt)
        objects = {p: one_object(p) for p in (missing, corrupt, healthy)}

        os.remove(missing)
        with open(corrupt, "r+b") as f:  # the header and first pages overwritten with garbage
            f.write(os.urandom(8192))

        for path, chunk in ((missing, missing_id), (corrupt, corrupt_id)):
            status, _, (value, message), _ = sync(
                own.url, f"SELECT objectId FROM {SCHEMA}.Object WHERE objectId = {objects[path]}")
            # The error is the DALI document's: 503 when it comes before the response has begun,
            # else 200 with QUERY_STATUS=ERROR at its end (the status was sent with the header).
            assert status in (200, 503) and value == "ERROR", (status, message)
            assert f"chunk {chunk}" in message, message
        # A query over every chunk fails whole: never a silently partial count.
        status, _, (value, message), doc = sync(own.url, f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object")
        assert status in (200, 503) and value == "ERROR" and re.search(rf"chunk ({missing_id}|{corrupt_id})\b", message)
        assert not list(doc.iter(VOTABLE + "TR"))
        # Queries that touch neither still succeed.
        status, _, (value, _), doc = sync(
            own.url, f"SELECT objectId FROM {SCHEMA}.Object WHERE objectId = {objects[healthy]}")
        assert status == 200 and value == "OK"
        assert [td.text for td in doc.iter(VOTABLE + "TD")] == [str(objects[healthy])]
        status, _, _, _ = sync(own.url, f"SELECT TOP 3 table_name FROM TAP_SCHEMA.tables")
        assert status == 200
        # VOSI availability: still available, and says it is degraded and where.
        available, note = availability(own.url)
        assert available == "true" and note.startswith("degraded: 2 of")
        assert f"chunk {min(missing_id, corrupt_id)}, {max(missing_id, corrupt_id)}" in note, note
    finally:
        own.stop()


def glob_chunks(data):
    folder = os.path.join(os.path.realpath(os.path.join(data, "current")), "chunks")
    return [os.path.join(folder, n) for n in os.listdir(folder) if re.match(r"chunk_\d+\.sqlite$", n)]


def limited_file_size(limit):
    """For Popen's preexec_fn: files the server writes may not grow past `limit` bytes, as a
    full disk refuses a write (EFBIG instead of ENOSPC). SIGXFSZ is ignored, so the write fails
    rather than killing the process; an ignored signal stays ignored across exec."""

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_results_disk_ends_the_job_in_error_and_the_service_keeps_serving(server, skyshard, tmp_path):
    import subprocess
    import test_tap_async

    limit = 256 * 1024
    original = subprocess.Popen

    def popen(*args, **kwargs):
        return original(*args, preexec_fn=limited_file_size(limit), **kwargs)

    test_tap_async.subprocess.Popen = popen
    try:
        own = OwnServer(skyshard, server.data, str(tmp_path / "jobs"))
    finally:
        test_tap_async.subprocess.Popen = original
    try:
        # A result of several MB cannot be written.
        big = create(own.url, f"SELECT * FROM {SCHEMA}.Object", MAXREC="20000")
        doc = wait_for_end(big)
        assert phase_of(doc) == "ERROR"
        status, _, body = http(big + "/error")
        message = (ET.fromstring(body).find(f".//{VOTABLE}INFO").text or "").strip()
        assert status == 200 and message, body
        print(f"\nthe job's error: {message}")
        # Said plainly, with the errno and the job (EFBIG here; a full disk gives ENOSPC, 28).
        job = big.rsplit("/", 1)[1]
        assert f"the results disk refused the write: file too large (errno 27) while writing job {job}'s result" in message
        # No partial result is left behind, and the service still answers, sync and async.
        assert not any(n.startswith("result") for n in os.listdir(os.path.join(tmp_path, "jobs", big.rsplit("/", 1)[1])))
        status, _, (value, _), _ = sync(own.url, f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object")
        assert status == 200 and value == "OK"
        small = create(own.url, f"SELECT TOP 5 objectId FROM {SCHEMA}.Object")
        assert phase_of(wait_for_end(small)) == "COMPLETED"
    finally:
        own.stop()


def reset_close(sock):
    """Closes with a TCP reset, as a client that dies does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_a_client_hanging_up_mid_stream_cancels_its_query(server, skyshard, tmp_path):
    own = OwnServer(skyshard, server.data, str(tmp_path / "jobs"), extra=ADMIN)
    big = f"SELECT * FROM {SCHEMA}.ForcedSource"
    try:
        delays = []

        def one_disconnect():
            client = StreamingClient(own.url, big, 200000)
            client.read(65536)
            assert len(admin_queries(own.url)) == 1
            hung_up = time.monotonic()
            reset_close(client.sock)
            for _ in range(100000):
                if not admin_queries(own.url):
                    break
            assert not admin_queries(own.url), "the query outlived its client"
            delays.append(time.monotonic() - hung_up)

        for _ in range(20):  # warm-up
            one_disconnect()
        base = rss_anon_mib(own.process.pid)
        samples = []
        for i in range(1000):
            one_disconnect()
            if i % 100 == 99:
                samples.append(rss_anon_mib(own.process.pid))
        delays.sort()
        p50, p99 = delays[len(delays) // 2], delays[int(len(delays) * 0.99)]
        print(f"\ncancelled after hang-up: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {delays[-1] * 1000:.1f} ms;"
              f" RssAnon {base:.1f} MiB after warm-up, then " + ", ".join(f"{s:.1f}" for s in samples))
        # The registry entry goes when the query has stopped; measured from the client's side,
        # the admin requests' own round trips included. The median is held to 100 ms; the tail
        # is printed, not asserted: on a debug build at a load of 14 on two cores a scheduling
        # delay alone exceeds it (docs/reliability.md has the numbers).
        assert p50 < 0.1, f"p50 {p50 * 1000:.1f} ms"
        assert max(samples) - base < 32, samples
        # And the service still answers.
        status, _, (value, _), _ = sync(own.url, f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object")
        assert status == 200 and value == "OK"
    finally:
        own.stop()


def test_slow_readers_do_not_hold_the_workers(server, skyshard, tmp_path):
    # One SQLite thread for every query (and the interactive one): slow readers must not take it.
    own = OwnServer(skyshard, server.data, str(tmp_path / "jobs"),
                    extra=(*ADMIN, "--threads", "1", "--queries-per-user", "16"))
    try:
        readers = []
        for _ in range(4):
            client = StreamingClient(own.url, f"SELECT * FROM {SCHEMA}.ForcedSource", 200000)
            client.read(65536)  # started, then never read again: its socket buffers fill
            readers.append(client)
        assert len(admin_queries(own.url)) == 4
        # A full scan and a lookup, each needing the worker thread, are answered meanwhile.
        status, _, (value, _), doc = sync(own.url, f"SELECT COUNT(*) AS n FROM {SCHEMA}.ForcedSource", user="bob")
        assert status == 200 and value == "OK", doc
        status, _, (value, _), _ = sync(own.url, f"SELECT TOP 1 objectId FROM {SCHEMA}.Object", user="bob")
        assert status == 200 and value == "OK"
        # The slow readers still get all their rows in the end.
        for client in readers[:1]:
            doc = ET.fromstring(client.read_to_end())
            assert statuses(doc)[-1][0] in ("OK", "OVERFLOW")
        for client in readers[1:]:
            reset_close(client.sock)
    finally:
        own.stop()
