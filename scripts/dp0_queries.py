#!/usr/bin/env python3
"""Run the ADQL that scientists ran on Rubin's DP0.2 through the real SkyShard TAP service.

Every query of ../shared/dp0-queries/dp02_queries.jsonl (beside the repository clone), the
ObsCore ones included (the demo serves ObsCore, also as ivoa.ObsCore), must parse, plan and run
against a demo catalog generated with *all* DP0.2 columns (the Felis file of the lsst-sdm-schemas package). Steps:

1. generate (`skyshard generate --columns all --schema dp02_dc2.yaml`) and ingest
   (`skyshard ingest`) a small catalog, once: it is cached in --data-dir (or $SKYSHARD_DP0_DATA)
   and rebuilt only when the binary, the schema or the generation options change; without a
   cache directory a temporary one is used and removed afterwards;
2. start `skyshard serve --port 0` and wait for its `listening on http://.../tap` line;
3. send each query with pyvo (TAP /sync); a query passes when the service answers with a valid
   result (any number of rows: `data_dependent` ones and cone searches of places the small demo
   catalog does not cover may return none).

Prints one line per failing query (id, first line of the error, the query), then
`dp0: N passed, M failed, K skipped`; exits 1 when a query failed, 2 on a setup error.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_QUERIES = os.path.join(REPO, "..", "shared", "dp0-queries", "dp02_queries.jsonl")
STAMP = "dp0-catalog.json"


class SetupError(Exception):
    pass


def queries_path(explicit=None):
    """--queries, else $SKYSHARD_DP0_QUERIES, else <repo>/../shared/dp0-queries/dp02_queries.jsonl."""
    path = explicit or os.environ.get("SKYSHARD_DP0_QUERIES") or DEFAULT_QUERIES
    return os.path.abspath(path)


def load_queries(path):
    queries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    queries.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise SetupError(f"{path}:{number}: not JSON: {e}")
    return queries


def skip_reason(query):
    """Why a query is not run (none is skipped since the demo serves ObsCore; kept for
    catalogs generated without it)."""
    return None


# Queries that return no rows on the demo catalog, and why (docs/dp0-queries.md): they name
# ids, tracts or visits of the real DC2 data, or a table DP0.2 does not have. `-v` lists every
# other query that returned none.
EXPECTED_EMPTY = {
    "DP02_03a_Image_Display_and_Manipulation-1": "tract 4431 / patch 17: DC2's skymap numbering, not the demo's",
    "DP02_10_Deblender_Data_Products-1": "no blend parent with > 20 children and > 20000 px within 0.2 deg of (55.064, -29.783) in the demo (a miss of the generator: few parents are that large)",
    "DP02_10_Deblender_Data_Products-2": "a real DC2 parentObjectId around (55.064, -29.783)",
    "DP02_10_Deblender_Data_Products-5": "the same parentObjectId around (67.4579, -44.0802)",
    "DP02_12b_PSF_Science_Demo-2": "visit 192350 of DC2",
    "dc-dia_SNIa_host_association-1": "a DC2 truth id (MS_9684_23_3)",
    "cst-ccdVisit_demo-1": "a DC2 r-band visit of MJD 59633-59635 with a CCD within 0.1 deg of (62, -37)",
    "cst-explore_DP02_TAP-1": "TAP_SCHEMA of dp02_dc2_catalogs.MatchesObject, a table DP0.2 does not have",
    "lsst-13a_Image_Cutout_SciDemo-1": "ObsCore of DC2 visit 192350, detector 175",
    "lsst-13a_Image_Cutout_SciDemo-2": "ObsCore of DC2 tract 4431, patch 17",
}


def felis_dp02():
    try:
        import lsst.sdm.schemas
    except ImportError:
        raise SetupError("the Python package lsst-sdm-schemas is missing (pip install lsst-sdm-schemas)")
    path = os.path.join(os.path.dirname(lsst.sdm.schemas.__file__), "dp02_dc2.yaml")
    if not os.path.exists(path):
        raise SetupError(f"{path} not found in lsst-sdm-schemas")
    return path


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run(cmd, log):
    log(f"$ {' '.join(cmd)}")
    started = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise SetupError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stdout}")
    log(f"  done in {time.monotonic() - started:.1f} s")


def ensure_catalog(skyshard, cache, objects, visits, seed, log):
    """The data directory of a catalog with every DP0.2 column, generated and ingested unless the
    cache already holds one made by the same binary, schema and options."""
    schema = felis_dp02()
    key = {"skyshard_sha256": sha256(skyshard), "schema_sha256": sha256(schema),
           "objects": objects, "visits": visits, "seed": seed, "columns": "all"}
    csv_dir = os.path.join(cache, "csv")
    data_dir = os.path.join(cache, "data")
    stamp = os.path.join(cache, STAMP)
    try:
        with open(stamp) as f:
            if json.load(f) == key and os.path.exists(os.path.join(data_dir, "current")):
                log(f"reusing the catalog in {data_dir}")
                return data_dir
    except (OSError, ValueError):
        pass
    os.makedirs(cache, exist_ok=True)
    if os.path.exists(stamp):
        os.remove(stamp)
    for d in (csv_dir, data_dir):
        shutil.rmtree(d, ignore_errors=True)
    run([skyshard, "generate", "--objects", str(objects), "--visits", str(visits), "--seed", str(seed),
         "--schema", schema, "--columns", "all", "--out", csv_dir, "--quiet"], log)
    run([skyshard, "ingest", "--descriptor", os.path.join(csv_dir, "descriptor.json"),
         "--data-root", data_dir, "--quiet"], log)
    # The CSVs are only needed for ingest.
    shutil.rmtree(csv_dir, ignore_errors=True)
    with open(stamp, "w") as f:
        json.dump(key, f, indent=1)
    return data_dir


class Server:
    """`skyshard serve --port 0`, ready once it prints the URL it listens on."""

    def __init__(self, skyshard, data_dir, log):
        cmd = [skyshard, "serve", "--data", data_dir, "--port", "0", "--log-level", "warning"]
        log(f"$ {' '.join(cmd)}")
        self.output = []
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, bufsize=1)
        self.url = None
        for line in self.process.stdout:
            self.output.append(line)
            m = re.search(r"listening on (http://\S+/tap)", line)
            if m:
                self.url = m.group(1)
                break
        if self.url is None:
            self.process.wait()
            raise SetupError(f"skyshard serve exited with {self.process.returncode} before listening:\n"
                             + "".join(self.output))
        log(f"server at {self.url}")
        # Keep draining its output so it never blocks on a full pipe.
        threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True).start()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def tap_service(url, timeout):
    import pyvo
    import requests

    class Session(requests.Session):
        def request(self, *args, **kwargs):
            kwargs.setdefault("timeout", timeout)
            return super().request(*args, **kwargs)

    return pyvo.dal.TAPService(url, session=Session())


def first_line(text):
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip() or "(no message)"


def run_query(tap, adql, maxrec):
    """(table, None) on a valid result, (None, error message) otherwise."""
    try:
        result = tap.search(adql, maxrec=maxrec)
        return result.to_table(), None
    except Exception as e:  # pyvo's DALQueryError, DALServiceError, a VOTable parse error, a timeout...
        return None, f"{type(e).__name__}: {first_line(e)}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", help="the jsonl of queries (default: $SKYSHARD_DP0_QUERIES, else "
                                          "<repo>/../shared/dp0-queries/dp02_queries.jsonl)")
    parser.add_argument("--data-dir", default=os.environ.get("SKYSHARD_DP0_DATA"),
                        help="cache directory of the generated catalog (default: $SKYSHARD_DP0_DATA, "
                             "else a temporary directory removed at the end)")
    parser.add_argument("--skyshard", default=os.environ.get("SKYSHARD_BIN")
                        or os.path.join(REPO, ".build", "debug", "skyshard"),
                        help="the skyshard binary (default: $SKYSHARD_BIN, else .build/debug/skyshard)")
    parser.add_argument("--objects", type=int, default=int(os.environ.get("SKYSHARD_DP0_OBJECTS", "3000")),
                        help="Object rows of the demo catalog (default 3000)")
    parser.add_argument("--visits", type=int, default=60, help="visits of the demo catalog (default 60)")
    parser.add_argument("--seed", type=int, default=20220630, help="generator seed")
    parser.add_argument("--maxrec", type=int, default=1000, help="MAXREC of each query (default 1000)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per HTTP request (default 120)")
    parser.add_argument("--only", action="append", default=[], metavar="ID",
                        help="run only this query id (repeatable; substring match)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print passing queries and setup steps")
    parser.add_argument("--json", metavar="PATH", help="also write every outcome to this JSON file")
    parser.add_argument("--url", help="query this running TAP service (e.g. `skyshard demo`'s "
                                      "http://127.0.0.1:8080/tap) instead of generating a catalog and serving it")
    parser.add_argument("--require-rows", action="store_true",
                        help="fail (exit 1) when a query returns no rows although it is not listed in "
                             "EXPECTED_EMPTY with the reason it cannot find any (for the demo catalog)")
    args = parser.parse_args(argv)

    def log(message):
        if args.verbose:
            print(message, flush=True)

    path = queries_path(args.queries)
    if not os.path.exists(path):
        print(f"dp0: queries file not found: {path} (give --queries or $SKYSHARD_DP0_QUERIES)", file=sys.stderr)
        return 2
    skyshard = os.path.abspath(args.skyshard)
    if not args.url and not os.path.exists(skyshard):
        print(f"dp0: skyshard binary not found at {skyshard}: build it (swift build --product skyshard)",
              file=sys.stderr)
        return 2

    started = time.monotonic()
    temp = None
    server = None
    outcomes = []
    try:
        queries = load_queries(path)
        if args.url:
            tap = tap_service(args.url, args.timeout)
        else:
            cache = args.data_dir
            if not cache:
                cache = temp = tempfile.mkdtemp(prefix="skyshard-dp0-")
            data_dir = ensure_catalog(skyshard, os.path.abspath(cache), args.objects, args.visits, args.seed, log)
            server = Server(skyshard, data_dir, log)
            tap = tap_service(server.url, args.timeout)
        for q in queries:
            if args.only and not any(o in q["id"] for o in args.only):
                continue
            reason = skip_reason(q)
            if reason:
                outcomes.append({"id": q["id"], "status": "skipped", "reason": reason})
                log(f"SKIP {q['id']}: {reason}")
                continue
            t0 = time.monotonic()
            table, error = run_query(tap, q["adql"], args.maxrec)
            seconds = time.monotonic() - t0
            if error is None:
                rows = len(table)
                outcomes.append({"id": q["id"], "status": "passed", "rows": rows, "columns": table.colnames,
                                 "seconds": round(seconds, 3), "data_dependent": bool(q.get("data_dependent"))})
                log(f"PASS {q['id']}: {rows} rows in {seconds:.2f} s")
            else:
                outcomes.append({"id": q["id"], "status": "failed", "error": error, "adql": q["adql"],
                                 "seconds": round(seconds, 3)})
                print(f"FAIL {q['id']}: {error}\n     {q['adql']}", flush=True)
            if server and server.process.poll() is not None:
                raise SetupError(f"the server exited with {server.process.returncode} during {q['id']}:\n"
                                 + "".join(server.output[-40:]))
    except SetupError as e:
        print(f"dp0: setup failed: {e}", file=sys.stderr)
        return 2
    finally:
        if server:
            server.stop()
        if temp:
            shutil.rmtree(temp, ignore_errors=True)

    passed = sum(o["status"] == "passed" for o in outcomes)
    failed = sum(o["status"] == "failed" for o in outcomes)
    skipped = [o for o in outcomes if o["status"] == "skipped"]
    empty = [o["id"] for o in outcomes if o["status"] == "passed" and o["rows"] == 0]
    with_rows = sum(o["status"] == "passed" and o["rows"] > 0 for o in outcomes)
    print(f"dp0: {with_rows} of {passed} passing queries returned rows")
    unexpected = [qid for qid in empty if qid not in EXPECTED_EMPTY]
    for qid in empty:
        if qid in EXPECTED_EMPTY:
            print(f"empty (expected): {qid}: {EXPECTED_EMPTY[qid]}")
        elif args.verbose or args.require_rows:
            print(f"empty{' (NOT expected)' if args.require_rows else ''}: {qid}")
    for reason in sorted({o["reason"] for o in skipped}):
        print(f"skipped {sum(o['reason'] == reason for o in skipped)}: {reason}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"queries": path, "outcomes": outcomes}, f, indent=1)
    print(f"dp0: total time {time.monotonic() - started:.0f} s")
    print(f"dp0: {passed} passed, {failed} failed, {len(skipped)} skipped")
    if args.require_rows and unexpected:
        print(f"dp0: {len(unexpected)} queries returned no rows without a reason in EXPECTED_EMPTY")
    return 1 if failed or (args.require_rows and unexpected) else 0


if __name__ == "__main__":
    sys.exit(main())
