"""Graceful overload of the real `skyshard serve` process (issue 22, point 3): beyond its bounded
queues the service refuses up front, with a DALI error, an honest status and `Retry-After`;
nothing it accepted is lost or left stuck. Every wait is on something observed (a job's phase
through WAIT, the admin list of queries), never on a sleep."""

import concurrent.futures
import re
import xml.etree.ElementTree as ET

from test_shutdown import StreamingClient, admin_queries, statuses
from test_tap_async import SCHEMA, UWS, OwnServer, http, job_ids, phase_of, wait_for_end

VOTABLE = "{http://www.ivoa.net/xml/VOTable/v1.3}"
BURST = 1000


def dali_error(body):
    """The message of a DALI error document (QUERY_STATUS=ERROR), or fails."""
    found = statuses(ET.fromstring(body))
    assert found and found[-1][0] == "ERROR", body[:300]
    return found[-1][1]


def refusals(url, reason):
    status, _, body = http(url + "/metrics")
    assert status == 200
    m = re.search(rb'skyshard_admission_refusals_total\{reason="' + reason.encode() + rb'"\} (\d+)', body)
    return int(m.group(1)) if m else 0


def test_a_burst_of_async_jobs_is_run_or_refused_up_front(server, skyshard, tmp_path):
    # A small queue and a quota above it, so that both refusals happen: a full queue (503) and
    # the quota of unfinished jobs (429).
    own = OwnServer(
        skyshard, server.data, str(tmp_path / "jobs"),
        extra=("--queued-jobs", "20", "--jobs-per-user", "40", "--executing-jobs", "2"))
    try:
        object_ids = [row[0] for row in server.all_objects()[:BURST]]

        def submit(i):
            query = f"SELECT objectId, coord_ra FROM {SCHEMA}.Object WHERE objectId = {object_ids[i % len(object_ids)]}"
            status, headers, body = http(own.url + "/async", {"LANG": "ADQL", "QUERY": query, "PHASE": "RUN"})
            return status, headers, body

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(submit, range(BURST)))

        created, refused = [], {429: 0, 503: 0}
        for status, headers, body in answers:
            if status == 303:
                created.append(headers["Location"])
                continue
            # Refused at creation: a DALI error naming the limit, Retry-After on a 503.
            assert status in refused, (status, body[:300])
            message = dali_error(body)
            assert "queue" in message or "quota" in message, message
            if status == 503:
                assert int(headers["Retry-After"]) > 0
            refused[status] += 1
        assert len(created) + sum(refused.values()) == BURST
        assert created, "no job was accepted"
        print(f"\nburst of {BURST}: {len(created)} created, {refused[503]} refused (queue full), "
              f"{refused[429]} refused (quota)")

        # Every accepted job ends; none is left PENDING or QUEUED.
        for url in created:
            doc = wait_for_end(url)
            assert phase_of(doc) == "COMPLETED", ET.tostring(doc)[:500]
        # The job list holds exactly the accepted jobs: a refused one left nothing behind.
        listed = job_ids(own.url)
        assert set(listed) == {u.rsplit("/", 1)[1] for u in created}
        assert set(listed.values()) == {"COMPLETED"}
        assert refusals(own.url, "job_queue_full") == refused[503]
        assert refusals(own.url, "job_quota") == refused[429]
        # And the service still answers.
        status, _, body = http(own.url + "/sync", {"LANG": "ADQL", "QUERY": f"SELECT COUNT(*) FROM {SCHEMA}.Object"})
        assert status == 200, body[:300]
    finally:
        own.stop()


def test_sync_queries_beyond_the_bound_get_503_with_retry_after(server, skyshard, tmp_path):
    own = OwnServer(
        skyshard, server.data, str(tmp_path / "jobs"),
        extra=("--max-sync-queries", "1", "--user-header", "X-User", "--admin", "root",
               "--queries-per-user", "8"))
    try:
        # One query in flight that stays there: its client does not read.
        client = StreamingClient(own.url, f"SELECT * FROM {SCHEMA}.ForcedSource", 20000)
        client.read(65536)
        assert len(admin_queries(own.url)) == 1
        status, headers, body = http(
            own.url + "/sync", {"LANG": "ADQL", "QUERY": f"SELECT TOP 1 objectId FROM {SCHEMA}.Object"},
            headers={"X-User": "bob"})
        assert status == 503, body[:300]
        assert int(headers["Retry-After"]) > 0
        assert "the most it runs at once" in dali_error(body)
        assert refusals(own.url, "overloaded") == 1
        # Once the first has ended, queries are admitted again.
        client.read_to_end()
        for _ in range(1000):
            if not admin_queries(own.url):
                break
        assert not admin_queries(own.url)
        status, _, body = http(
            own.url + "/sync", {"LANG": "ADQL", "QUERY": f"SELECT TOP 1 objectId FROM {SCHEMA}.Object"},
            headers={"X-User": "bob"})
        assert status == 200, body[:300]
    finally:
        own.stop()
