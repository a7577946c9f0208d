#!/usr/bin/env python3
"""Columnar aggregates benchmark (issue 20, point 4): the shapes that histograms and survey
statistics are made of, on the same 1M Object + 10M ForcedSource rows (../shared/peers), in one
session, alternating the sides of each pair.

Two comparisons, each chosen by its options:

- end to end through TAP (--skyshard URL --peer URL): each query is one POST to /sync
  (REQUEST=doQuery, LANG=ADQL, FORMAT=votable), timed from sending it to having read the whole
  response; the sides alternate A B A B. Both answers are parsed and compared (row counts, and
  the values after sorting, floats within a relative 1e-6).
- engine to engine (--skyshard-bin BIN --catalog DIR [--sqlite-catalog DIR], --psql, --csv-dir DIR): SkyShard's
  `skyshard query --timing` (one process per run: it opens the catalog, plans, runs, prints CSV;
  the engine figure `skyshard_ms` is the time it reports on stderr, from planning to the last
  row written, as psql's `\\timing`; the process's wall clock, with its start and the catalog's
  opening, is kept as `skyshard_process_ms`), PostgreSQL through
  psql's `\\timing` (the server's time for the statement, from the same psql session), and
  DuckDB from PyPI over the same CSVs loaded into memory once, with 2 threads (the time of
  `execute(...).fetchall()`).

Every result is a median of --reps runs; ratios are the other side's median over SkyShard's.

Usage:
  python3 scripts/bench_columnar.py --skyshard http://127.0.0.1:8092/tap --peer http://localhost:8080/tap
  python3 scripts/bench_columnar.py --skyshard-bin .build/release/skyshard --catalog CATALOG \\
      --psql --csv-dir /var/tmp/skyshard-peer/data [--reps 5] [--only NAME,...] [--json out.json]
"""
import argparse
import io
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import time

# (name, ADQL with {S} for the schema). The same text goes to SkyShard and DaCHS; PostgreSQL and
# DuckDB get it with {S} replaced by their own table prefixes (the functions used exist in all).
SHAPES = [
    ("fs_groupby_band", "SELECT band, AVG(psfFlux) AS a, COUNT(*) AS n FROM {S}.ForcedSource GROUP BY band"),
    ("fs_groupby_ccdvisit", "SELECT ccdVisitId, COUNT(*) AS n FROM {S}.ForcedSource GROUP BY ccdVisitId"),
    ("fs_count_distinct_r", "SELECT COUNT(DISTINCT objectId) AS n FROM {S}.ForcedSource WHERE band = 'r'"),
    ("fs_avg_where_err", "SELECT AVG(psfFlux) AS a, COUNT(*) AS n FROM {S}.ForcedSource WHERE psfFluxErr > 0"),
    ("obj_groupby_tract_patch", "SELECT tract, patch, COUNT(*) AS n FROM {S}.Object GROUP BY tract, patch"),
    ("obj_mag_histogram",
     "SELECT FLOOR(-2.5 * LOG10(r_psfFlux) + 31.4) AS mag, COUNT(*) AS n FROM {S}.Object "
     "WHERE r_psfFlux > 0 GROUP BY FLOOR(-2.5 * LOG10(r_psfFlux) + 31.4)"),
    ("obj_filtered_aggregate",
     "SELECT COUNT(*) AS n, AVG(g_psfFlux) AS a, MAX(r_psfFlux) AS m FROM {S}.Object "
     "WHERE r_psfFlux BETWEEN 100 AND 10000 AND g_psfFlux > 0"),
]


def median(xs):
    return statistics.median(xs) if xs else None


# ------------------------------------------------------------------------------------- TAP

def tap_query(session, url, adql):
    """(seconds, rows as sorted tuples) of one sync query; raises on an error document."""
    from astropy.io.votable import parse_single_table
    t0 = time.perf_counter()
    # MAXREC above every shape's row count: a service's default limit (DaCHS's is 20,000) would
    # cut the 125k groups of GROUP BY ccdVisitId short and time a partial answer.
    r = session.post(url + "/sync", data={"REQUEST": "doQuery", "LANG": "ADQL", "QUERY": adql, "FORMAT": "votable",
                                          "MAXREC": "1000000"})
    body = r.content
    elapsed = time.perf_counter() - t0
    if r.status_code != 200 or b'QUERY_STATUS" value="ERROR' in body:
        raise RuntimeError(f"{url}: HTTP {r.status_code}: {body[:400]!r}")
    table = parse_single_table(io.BytesIO(body)).to_table()
    rows = sorted(tuple(normalise(v) for v in row) for row in table.as_array().tolist())
    return elapsed, rows


def normalise(v):
    if v is None:
        return (0, 0.0)
    if isinstance(v, bytes):
        v = v.decode()
    if isinstance(v, str):
        return (2, v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return (3, str(v))
    return (0, 0.0) if math.isnan(f) else (1, f)


def same_rows(a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        for p, q in zip(x, y):
            if p[0] != q[0]:
                return False
            if p[0] == 1 and abs(p[1] - q[1]) > 1e-6 * max(1.0, abs(p[1]), abs(q[1])):
                return False
            if p[0] != 1 and p != q:
                return False
    return True


def bench_tap(args, shapes):
    import requests
    results = {}
    session = requests.Session()
    for name, adql in shapes:
        ours, theirs = [], []
        agree = True
        for rep in range(args.reps + 1):
            order = [("skyshard", args.skyshard, args.skyshard_schema), ("peer", args.peer, args.peer_schema)]
            if rep % 2:
                order.reverse()
            answers = {}
            for side, url, schema in order:
                seconds, rows = tap_query(session, url, adql.format(S=schema))
                answers[side] = rows
                if rep > 0:  # the first round warms both services up
                    (ours if side == "skyshard" else theirs).append(seconds)
            agree = agree and same_rows(answers["skyshard"], answers["peer"])
        results[name] = {
            "skyshard_ms": median(ours) * 1e3, "peer_ms": median(theirs) * 1e3,
            "peer_over_skyshard": median(theirs) / median(ours), "answers_agree": agree,
            "rows": len(answers["skyshard"]),
        }
        print(f"{name:26s} SkyShard {results[name]['skyshard_ms']:9.1f} ms  peer {results[name]['peer_ms']:9.1f} ms  "
              f"ratio {results[name]['peer_over_skyshard']:6.2f}  agree {agree}", flush=True)
    return results


# ---------------------------------------------------------------------------------- engines

def skyshard_run(args, adql, catalog, cpu):
    """(engine seconds as `--timing` reports them, process wall seconds, rows) of one
    `skyshard query`; adds its CPU time (user + system) to `cpu`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([args.skyshard_bin, "query", "--timing", "--data", catalog, "--format", "csv", adql],
                       capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    if p.returncode != 0:
        raise RuntimeError(f"skyshard query failed: {p.stderr[:400]}")
    m = re.search(r"^time: ([0-9.]+) ms$", p.stderr, re.M)
    if not m:
        raise RuntimeError(f"skyshard query printed no time: {p.stderr[:400]}")
    return float(m.group(1)) / 1e3, elapsed, p.stdout.count("\n") - 1


class Psql:
    """One psql session on the peer's database, with \\timing: the server's time per statement."""

    def __init__(self, database):
        self.p = subprocess.Popen(["su", "postgres", "-c", f"psql -XAtq -d {database}"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.send("\\timing on")

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def run(self, sql):
        marker = f"-- done {time.monotonic_ns()}"
        self.send(sql.rstrip(";") + ";")
        self.send(f"\\echo '{marker}'")
        seconds, rows = None, 0
        for line in self.p.stdout:
            line = line.rstrip("\n")
            if line == marker:
                break
            m = re.match(r"Time: ([0-9.]+) ms", line)
            if m:
                seconds = float(m.group(1)) / 1e3
            elif line.startswith("ERROR"):
                raise RuntimeError(line)
            elif line and not line.startswith("Timing"):
                rows += 1
        return seconds, rows


def bench_engines(args, shapes):
    import duckdb
    results = {}
    duck = None
    if args.csv_dir:
        duck = duckdb.connect()
        duck.execute("SET threads = 2")
        t0 = time.perf_counter()
        for table in ("Object", "ForcedSource"):
            duck.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{os.path.join(args.csv_dir, table + '.csv')}')")
        print(f"DuckDB loaded the CSVs in {time.perf_counter() - t0:.1f} s", flush=True)
    psql = Psql(args.psql_database) if args.psql else None
    for name, adql in shapes:
        times = {"skyshard": [], "skyshard_sqlite": [], "postgres": [], "duckdb": []}
        # SkyShard's process wall times (start, catalog opening, query, output).
        process = {"skyshard": [], "skyshard_sqlite": []}
        cpu = {"skyshard": [], "skyshard_sqlite": []}
        counts = {}
        for rep in range(args.reps + 1):
            sides = ["skyshard", "skyshard_sqlite", "postgres", "duckdb"]
            if rep % 2:
                sides.reverse()
            for side in sides:
                wall = None
                if side == "skyshard" and args.skyshard_bin:
                    seconds, wall, n = skyshard_run(args, adql.format(S=args.skyshard_schema), args.catalog, cpu[side])
                elif side == "skyshard_sqlite" and args.skyshard_bin and args.sqlite_catalog:
                    seconds, wall, n = skyshard_run(
                        args, adql.format(S=args.skyshard_schema), args.sqlite_catalog, cpu[side])
                elif side == "postgres" and psql:
                    seconds, n = psql.run(adql.format(S=args.peer_schema))
                elif side == "duckdb" and duck:
                    sql = adql.replace("{S}.", "")
                    t0 = time.perf_counter()
                    n = len(duck.execute(sql).fetchall())
                    seconds = time.perf_counter() - t0
                else:
                    continue
                counts[side] = n
                if rep > 0:
                    times[side].append(seconds)
                    if wall is not None:
                        process[side].append(wall)
        entry = {f"{side}_ms": median(ts) * 1e3 for side, ts in times.items() if ts}
        entry.update({f"{side}_process_ms": median(ts) * 1e3 for side, ts in process.items() if ts})
        entry["rows"] = counts
        for side, seconds in cpu.items():
            if seconds and times[side]:
                # Cores kept busy: CPU time over wall time of the same processes (first run excluded).
                entry[f"{side}_cores"] = sum(seconds[1:]) / sum(process[side])
        if times["skyshard"]:
            base = median(times["skyshard"])
            for side in ("skyshard_sqlite", "postgres", "duckdb"):
                if times[side]:
                    entry[f"{side}_over_skyshard"] = median(times[side]) / base
        results[name] = entry
        print(name, json.dumps(entry), flush=True)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skyshard", help="SkyShard TAP base URL (end to end)")
    ap.add_argument("--peer", help="peer TAP base URL (end to end)")
    ap.add_argument("--skyshard-schema", default="dp02_dc2_catalogs")
    ap.add_argument("--peer-schema", default="dp02")
    ap.add_argument("--skyshard-bin", help="the skyshard executable (engine to engine)")
    ap.add_argument("--catalog", help="SkyShard's data root (engine to engine)")
    ap.add_argument("--sqlite-catalog",
                    help="the same catalog without its column files (e.g. a hard-linked copy of the version "
                         "without chunks/*.columns): SkyShard's SQLite path, for the ratio")
    ap.add_argument("--psql", action="store_true", help="time the peer's PostgreSQL through psql")
    ap.add_argument("--psql-database", default="gavo")
    ap.add_argument("--csv-dir", help="the CSVs, for DuckDB")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", help="comma-separated shape names")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    shapes = [s for s in SHAPES if not args.only or s[0] in args.only.split(",")]
    out = {"machine": platform.uname()._asdict(), "cpus": os.cpu_count(), "reps": args.reps,
           "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if args.skyshard and args.peer:
        out["tap"] = bench_tap(args, shapes)
    if args.skyshard_bin or args.psql or args.csv_dir:
        out["engines"] = bench_engines(args, shapes)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
