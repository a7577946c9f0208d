#!/usr/bin/env python3
"""Upload cross-match benchmark: SkyShard against a peer TAP service (DaCHS on PostgreSQL +
pgsphere, see ../shared/peers) on the same catalog, in the same run.

For each upload size, a list of positions is drawn from the catalog's own Object rows (a fixed
seed), each moved by a small random offset well inside the match radius, so that every
uploaded row has its object to find. The same upload and the same ADQL (apart from the schema
name) go to both services, alternating A B A B. Each run's matches are checked: every uploaded
row must find the object it was drawn from.

Two clients, chosen with --client:
- `http` (default): the upload is written as a VOTable once, and each run is one multipart POST
  to /sync with those same bytes; the time is the HTTP exchange (send the upload, query, receive
  the whole VOTable). It measures the services, not the client's table code.
- `pyvo`: pyvo's `run_sync(..., uploads=...)`; the time also includes astropy writing the
  upload and parsing the result, the same work for both services, which a scientist's script pays.

Usage:
  python3 scripts/bench_uploads.py --skyshard http://127.0.0.1:8092/tap \\
      --peer http://localhost:8080/tap --objects-csv /var/tmp/skyshard-peer/data/Object.csv \\
      [--sizes 1000,10000,100000] [--radius-arcsec 1] [--reps 5] [--client http|pyvo] [--json out.json]
"""
import argparse
import csv
import io
import json
import math
import platform
import random
import statistics
import time

import numpy as np
import pyvo
import requests
from astropy.io.votable import from_table, parse_single_table
from astropy.table import Table

QUERY = (
    "SELECT u.id, o.objectId FROM TAP_UPLOAD.targets AS u "
    "JOIN {S}.Object AS o ON 1 = CONTAINS(POINT('ICRS', o.coord_ra, o.coord_dec), "
    "CIRCLE('ICRS', u.ra, u.dec, {r}))"
)


def sample_objects(path, n, seed):
    """n (objectId, ra, dec) rows of the Object CSV, by reservoir sampling with `seed`."""
    rng = random.Random(seed)
    chosen = []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        i_id, i_ra, i_dec = header.index("objectId"), header.index("coord_ra"), header.index("coord_dec")
        for k, row in enumerate(reader):
            item = (int(row[i_id]), float(row[i_ra]), float(row[i_dec]))
            if k < n:
                chosen.append(item)
            else:
                j = rng.randint(0, k)
                if j < n:
                    chosen[j] = item
    return chosen


def upload_table(rows, offset_deg, seed):
    """The upload: id (the object it was drawn from), ra, dec moved by up to `offset_deg`."""
    rng = random.Random(seed)
    ids, ras, decs = [], [], []
    for object_id, ra, dec in rows:
        angle = rng.uniform(0, 2 * math.pi)
        step = rng.uniform(0, offset_deg)
        decs.append(dec + step * math.sin(angle))
        ras.append((ra + step * math.cos(angle) / max(math.cos(math.radians(dec)), 1e-6)) % 360)
        ids.append(object_id)
    return Table({"id": np.array(ids, dtype=np.int64), "ra": np.array(ras), "dec": np.array(decs)})


def votable_bytes(table):
    """The upload as the VOTable document a client sends (TABLEDATA, as pyvo sends it)."""
    out = io.BytesIO()
    from_table(table).to_xml(out)
    return out.getvalue()


def run_http(url, schema, table, upload, radius_deg, maxrec):
    """One multipart POST to /sync; the time ends when the whole response has arrived."""
    adql = QUERY.format(S=schema, r=repr(radius_deg))
    fields = {"REQUEST": "doQuery", "LANG": "ADQL", "QUERY": adql,
              "UPLOAD": "targets,param:t1", "MAXREC": str(maxrec)}
    start = time.perf_counter()
    response = requests.post(url.rstrip("/") + "/sync", data=fields,
                             files={"t1": ("targets.vot", upload, "application/x-votable+xml")})
    body = response.content
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}: {body[:500]!r}")
    result = parse_single_table(io.BytesIO(body)).to_table()
    return elapsed, result


def run_pyvo(url, schema, table, upload, radius_deg, maxrec):
    service = pyvo.dal.TAPService(url)
    adql = QUERY.format(S=schema, r=repr(radius_deg))
    start = time.perf_counter()
    result = service.run_sync(adql, uploads={"targets": table}, maxrec=maxrec).to_table()
    elapsed = time.perf_counter() - start
    return elapsed, result


def run(client, url, schema, table, upload, radius_deg, maxrec):
    elapsed, result = client(url, schema, table, upload, radius_deg, maxrec)
    names = {name.lower(): name for name in result.colnames}
    found = {(int(a), int(b)) for a, b in zip(result[names["id"]], result[names["objectid"]])}
    missing = sum(1 for object_id in table["id"] if (int(object_id), int(object_id)) not in found)
    return elapsed, len(result), missing


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--skyshard", required=True)
    p.add_argument("--peer", required=True)
    p.add_argument("--skyshard-schema", default="dp02_dc2_catalogs")
    p.add_argument("--peer-schema", default="dp02")
    p.add_argument("--objects-csv", required=True)
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--radius-arcsec", type=float, default=1.0)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--client", choices=("http", "pyvo"), default="http")
    p.add_argument("--json")
    args = p.parse_args()

    sizes = [int(s) for s in args.sizes.split(",")]
    radius = args.radius_arcsec / 3600
    drawn = sample_objects(args.objects_csv, max(sizes), args.seed)
    client = run_http if args.client == "http" else run_pyvo
    report = {"machine": platform.platform(), "radius_arcsec": args.radius_arcsec,
              "client": args.client, "runs": []}
    for size in sizes:
        table = upload_table(drawn[:size], radius / 4, args.seed + size)
        upload = votable_bytes(table)
        times = {"skyshard": [], "peer": []}
        ratios = []
        for rep in range(args.reps):
            pair = {}
            for name, url, schema in (("skyshard", args.skyshard, args.skyshard_schema),
                                      ("peer", args.peer, args.peer_schema)):
                elapsed, rows, missing = run(client, url, schema, table, upload, radius,
                                             max(10 * size, 100000))
                if missing:
                    raise SystemExit(f"{name}: {missing} of {size} uploaded rows did not find their object")
                times[name].append(elapsed)
                pair[name] = elapsed
            ratios.append(pair["peer"] / pair["skyshard"])
            print(f"{size:>7} rows  rep {rep + 1}: skyshard {pair['skyshard']:.3f} s  "
                  f"peer {pair['peer']:.3f} s  ratio {ratios[-1]:.1f}x  ({rows} matches)", flush=True)
        entry = {
            "upload_rows": size,
            "skyshard_median_s": statistics.median(times["skyshard"]),
            "peer_median_s": statistics.median(times["peer"]),
            "ratio_median": statistics.median(ratios),
            "ratios": ratios,
        }
        report["runs"].append(entry)
        print(f"{size:>7} rows  median: skyshard {entry['skyshard_median_s']:.3f} s, "
              f"peer {entry['peer_median_s']:.3f} s, peer/skyshard {entry['ratio_median']:.1f}x", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
