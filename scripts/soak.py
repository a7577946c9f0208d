#!/usr/bin/env python3
"""Memory soak of the real server (issue 22, point 4): many distinct small queries, as users
send them (boxes cut at random positions and sizes, so that no two texts are equal), while the
server's anonymous memory (RssAnon in /proc/PID/status) is sampled. Mapped shard files count in
RSS but not in RssAnon, so RssAnon is what grows if the service keeps something per query.

    scripts/soak.py --bin .build/release/skyshard --data /tmp/soak-data --queries 100000

starts `skyshard demo` on a free loopback port (generating the catalog once), or, with
`--url U --pid P`, drives a server already running. Prints a Markdown table of the samples and
the growth after warm-up; exits 1 if that growth exceeds `--bound-mb`."""

import argparse
import http.client
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse

SCHEMA = "dp02_dc2_catalogs"


def memory(pid):
    """(RssAnon, VmRSS) of `pid`, in MiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    kib = lambda name: int(fields[name].split()[0])
    return kib("RssAnon") / 1024, kib("VmRSS") / 1024


def start_demo(binary, data, objects):
    process = subprocess.Popen(
        [binary, "demo", "--data", data, "--objects", str(objects), "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    for line in process.stdout:
        m = re.search(r"serving TAP at (http://\S+/tap)", line)
        if m:
            # Keep draining the output so the server never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, m.group(1)
    process.kill()
    sys.exit("the demo server did not start")


class Client:
    """One keep-alive HTTP connection sending sync queries."""

    def __init__(self, url):
        parsed = urllib.parse.urlparse(url)
        self.path = parsed.path + "/sync"
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=300)

    def query(self, adql):
        body = urllib.parse.urlencode({"LANG": "ADQL", "QUERY": adql, "MAXREC": "1000"})
        self.connection.request("POST", self.path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = self.connection.getresponse()
        payload = response.read()
        return response.status, payload


def footprint(url):
    status, body = Client(url).query(
        f"SELECT MIN(coord_ra), MAX(coord_ra), MIN(coord_dec), MAX(coord_dec) FROM {SCHEMA}.Object")
    if status != 200:
        sys.exit(f"footprint query failed: {status} {body[:300]!r}")
    values = [float(v) for v in re.findall(rb"<TD>([-0-9.eE+]+)</TD>", body)]
    return values[:4]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", help="the skyshard binary to start as `demo`")
    parser.add_argument("--data", default="soak-data", help="the demo's data directory (made once)")
    parser.add_argument("--objects", type=int, default=100000)
    parser.add_argument("--url", help="the TAP URL of a running server (with --pid)")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--queries", type=int, default=100000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--samples", type=int, default=20, help="RssAnon samples over the run")
    parser.add_argument("--warmup", type=int, default=10000, help="queries before the baseline sample")
    parser.add_argument("--bound-mb", type=float, default=64, help="allowed RssAnon growth after warm-up")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()

    process = None
    if args.url:
        url, pid = args.url, args.pid
        if not pid:
            sys.exit("--url needs --pid")
    elif args.bin:
        process, url = start_demo(args.bin, args.data, args.objects)
        pid = process.pid
    else:
        sys.exit("give --bin, or --url and --pid")

    try:
        ra0, ra1, dec0, dec1 = footprint(url)
        rng = random.Random(args.seed)
        lock = threading.Lock()
        sent = [0]
        errors = []
        step = max(1, args.queries // args.samples)
        samples = [(0, *memory(pid), 0.0)]
        started = time.monotonic()

        def next_query():
            # A small box at a random position with a random size: every text differs, as the
            # cuts of real users do (13 significant digits).
            w = rng.uniform(0.002, 0.05)
            h = rng.uniform(0.002, 0.05)
            ra = rng.uniform(ra0, max(ra0, ra1 - w))
            dec = rng.uniform(dec0, max(dec0, dec1 - h))
            return (f"SELECT objectId, coord_ra, coord_dec FROM {SCHEMA}.Object "
                    f"WHERE coord_ra BETWEEN {ra:.13f} AND {ra + w:.13f} "
                    f"AND coord_dec BETWEEN {dec:.13f} AND {dec + h:.13f}")

        def worker():
            client = Client(url)
            while True:
                with lock:
                    if sent[0] >= args.queries:
                        return
                    sent[0] += 1
                    n = sent[0]
                    adql = next_query()
                status, body = client.query(adql)
                if status != 200 or b'value="ERROR"' in body:
                    with lock:
                        errors.append((status, body[:200]))
                if n % step == 0 or n == args.warmup:
                    with lock:
                        samples.append((n, *memory(pid), time.monotonic() - started))

        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        samples.sort()
        elapsed = time.monotonic() - started

        print(f"| queries | RssAnon (MiB) | VmRSS (MiB) | elapsed (s) |")
        print(f"|---:|---:|---:|---:|")
        for n, anon, rss, t in samples:
            print(f"| {n} | {anon:.1f} | {rss:.1f} | {t:.0f} |")
        base = next((anon for n, anon, _, _ in samples if n >= args.warmup), samples[0][1])
        after = [anon for n, anon, _, _ in samples if n >= args.warmup]
        growth = max(after) - base if after else 0.0
        print(f"\n{args.queries} queries in {elapsed:.0f} s ({args.queries / elapsed:.0f} q/s), {len(errors)} errors; "
              f"RssAnon after {args.warmup} queries {base:.1f} MiB, peak after it {max(after or [base]):.1f} MiB, "
              f"growth {growth:.1f} MiB (bound {args.bound_mb} MiB)")
        for status, body in errors[:5]:
            print(f"error {status}: {body!r}")
        return 0 if growth <= args.bound_mb and not errors else 1
    finally:
        if process:
            process.terminate()
            process.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
