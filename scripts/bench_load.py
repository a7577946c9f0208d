#!/usr/bin/env python3
"""Latency under load (issue 22, point 2): SkyShard's demo server beside the ceiling, in one run.

The ceiling is Benchmarks/ceiling-server, a trivial Hummingbird handler answering a fixed VOTable
(the very bytes SkyShard answers to one lookup, so both send the same amount). Both run from
release builds; each measurement is made against both with the same settings, alternating, and
reported as ratios to the ceiling:

  (a) lookups: CONNECTIONS connections of `SELECT * FROM Object WHERE objectId=…` over TAP sync,
      by wrk (ids drawn by a Lua script) and by `skyshard loadtest --mix lookup`;
  (b) the same against SkyShard while SCANS full ForcedSource scans run (each scanner starts the
      next scan when its last one ends): lookup p99 against (a)'s, and the scans that finished;
  (c) `skyshard loadtest --mix dp0` at USERS users with THINK ms of think time (SkyShard only:
      the ceiling answers no async jobs); the p99 of the small queries.

    scripts/bench_load.py [DATA_DIR]         # DATA_DIR defaults to /tmp/skyshard-bench-load

Settings (environment): OBJECTS (100000), DURATION seconds per run (15), CONNECTIONS (200),
USERS (200), THINK (500), SCANS (4), ROUNDS (2), WRK_THREADS (2), PROFILE=1 to record a
cpu-clock profile of the server with perf during one extra lookup run (needs perf),
SKIP_BUILD=1 to use the release binaries as they are, SCRATCH_PATH to build in another
directory than .build, LOADTEST_BIN to run another skyshard-loadtest binary. wrk comes from Debian's package `wrk`.
Prints a markdown report, also written to DATA_DIR/load-report.md.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "/tmp/skyshard-bench-load")
OBJECTS = int(os.environ.get("OBJECTS", "100000"))
DURATION = int(os.environ.get("DURATION", "15"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "200"))
USERS = int(os.environ.get("USERS", "200"))
THINK = int(os.environ.get("THINK", "500"))
SCANS = int(os.environ.get("SCANS", "4"))
ROUNDS = int(os.environ.get("ROUNDS", "2"))
WRK_THREADS = int(os.environ.get("WRK_THREADS", "2"))
PROFILE = os.environ.get("PROFILE") == "1"

SCHEMA = "dp02_dc2_catalogs"
SCAN_QUERY = f"SELECT band, COUNT(*) AS n, AVG(psfFlux) AS mean_flux FROM {SCHEMA}.ForcedSource GROUP BY band"


def say(text):
    print(text, file=sys.stderr, flush=True)


def release_binaries():
    products = ["skyshard", "skyshard-loadtest", "ceiling-server"]
    build = ["swift", "build", "-c", "release"]
    if os.environ.get("SCRATCH_PATH"):
        build += ["--scratch-path", os.environ["SCRATCH_PATH"]]
    if os.environ.get("SKIP_BUILD") != "1":
        for product in products:
            if product == "skyshard-loadtest" and os.environ.get("LOADTEST_BIN"):
                continue
            say(f"== swift build -c release --product {product}")
            subprocess.run(build + ["--product", product], cwd=ROOT, check=True)
    bin_dir = subprocess.run(build + ["--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    binaries = {p: os.path.join(bin_dir, p) for p in products}
    if os.environ.get("LOADTEST_BIN"):  # e.g. a debug build's, when the release one is not built
        binaries["skyshard-loadtest"] = os.environ["LOADTEST_BIN"]
    return binaries


class Server:
    """A server process started with `command`, whose URL is group 1 of the first output line
    matching `announcement` (printed once its socket listens)."""

    def __init__(self, command, announcement):
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        bufsize=1)
        self.lines = []
        self.url = None
        for line in self.process.stdout:
            self.lines.append(line)
            m = re.search(announcement, line)
            if m:
                self.url = m.group(1)
                break
        if self.url is None:
            self.process.kill()
            raise SystemExit("server did not start:\n" + "".join(self.lines))
        threading.Thread(target=lambda: [self.lines.append(l) for l in self.process.stdout], daemon=True).start()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def sync(url, adql, timeout=600):
    query = urllib.parse.urlencode({"REQUEST": "doQuery", "LANG": "ADQL", "QUERY": adql})
    with urllib.request.urlopen(f"{url}/sync?{query}", timeout=timeout) as response:
        return response.read()


def lookup_ids(url, count=2000):
    body = sync(url, f"SELECT TOP {count} objectId FROM {SCHEMA}.Object ORDER BY r_cModelFlux DESC").decode()
    return re.findall(r"<TD>(-?\d+)</TD>", body)


def write_lua(path, ids):
    """wrk's request generator: a lookup of a random id of `ids` per request."""
    with open(path, "w") as f:
        f.write("-- generated by scripts/bench_load.py: one objectId lookup per request\n")
        # As strings: LuaJIT's numbers are doubles, and a 19-digit id would be sent as 1.25e+18
        # (an ADQL syntax error, HTTP 400, for every request).
        f.write("local ids = {" + ",".join(f"'{i}'" for i in ids) + "}\n")
        f.write("local prefix = '/tap/sync?REQUEST=doQuery&LANG=ADQL&QUERY='\n")
        f.write("local select = 'SELECT%20*%20FROM%20" + SCHEMA + ".Object%20WHERE%20objectId%3D'\n")
        f.write("math.randomseed(7)\n")
        f.write("request = function()\n  return wrk.format('GET', prefix .. select .. ids[math.random(#ids)])\nend\n")


def wrk(url, lua, duration):
    origin = re.match(r"(https?://[^/]+)", url).group(1)
    out = subprocess.run(["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s",
                          "--latency", "-s", lua, origin + "/"], capture_output=True, text=True, check=True).stdout

    def ms(label):
        m = re.search(label + r"\s+([\d.]+)(us|ms|s)\b", out)
        if not m:
            return None
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(m.group(1)) if m else 0
    return {"rate": rate, "p50": ms(r"\b50%"), "p99": ms(r"\b99%"), "max": ms(r"Latency\s+[\d.]+\w+\s+[\d.]+\w+"),
            "errors": errors, "raw": out}


def loadtest(binary, url, mix, users, duration, think=0, pid=None):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    command = [binary, "--url", url, "--users", str(users), "--duration", str(duration), "--mix", mix,
               "--think-time", str(think), "--json", path]
    if pid:
        command += ["--pid", str(pid)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"loadtest failed:\n{result.stdout}\n{result.stderr}")
    with open(path) as f:
        report = json.load(f)
    os.unlink(path)
    return report


class Scanners:
    """`count` threads, each running full ForcedSource scans back to back until stopped."""

    def __init__(self, url, count):
        self.url = url
        self.stopping = threading.Event()
        self.times = []
        self.failures = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(count)]
        for t in self.threads:
            t.start()

    def loop(self):
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                body = sync(self.url, SCAN_QUERY)
                ok = b'value="ERROR"' not in body
            except Exception as error:  # noqa: BLE001 - every failure is reported
                ok, body = False, str(error).encode()
            with self.lock:
                (self.times if ok else self.failures).append(time.monotonic() - started)

    def stop(self):
        """Stops starting scans and waits for the running ones to finish."""
        self.stopping.set()
        for t in self.threads:
            t.join()


def load_average():
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def machine():
    cores = os.cpu_count()
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with open("/proc/meminfo") as f:
        mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB RAM"
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    return f"{cores} cores ({model}), {mem}; {swift[0] if swift else 'swift ?'}"


def profile(url, lt, pid):
    """A cpu-clock profile of the server during a lookup run: the top symbols by self time."""
    if not shutil.which("perf"):
        return "perf is not installed"
    data = os.path.join(DATA, "perf.data")
    recorder = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "499", "-g", "-p", str(pid), "-o", data],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    loadtest(lt, url, "lookup", CONNECTIONS, DURATION)
    recorder.send_signal(2)
    recorder.wait()
    report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,symbol", "--stdio",
                             "--percent-limit", "0.8", "-g", "none"], capture_output=True, text=True).stdout
    lines = [l for l in report.splitlines() if l.strip() and not l.startswith("#")]
    return "\n".join(lines[:45])


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def main():
    os.makedirs(DATA, exist_ok=True)
    binaries = release_binaries()
    say(f"== demo server ({OBJECTS} objects) in {DATA}")
    # Every connection here is the same anonymous user on loopback, and the per-user limit of
    # running queries (`queries-per-user`, 8 by default) would answer most of them HTTP 429:
    # fairness between users, not capacity. The benchmark emulates USERS distinct users, so the
    # limit is raised to that many; the service's own queues still bound the work.
    sky = Server([binaries["skyshard"], "demo", "--data", DATA, "--objects", str(OBJECTS), "--port", "0",
                  "--log-level", "warning", "--queries-per-user", str(max(CONNECTIONS, USERS))],
                 r"serving TAP at (http://\S+/tap)")
    ceiling = None
    try:
        ids = lookup_ids(sky.url)
        body_file = os.path.join(DATA, "lookup-answer.xml")
        with open(body_file, "wb") as f:
            f.write(sync(sky.url, f"SELECT * FROM {SCHEMA}.Object WHERE objectId={ids[0]}"))
        ceiling = Server([binaries["ceiling-server"], "--port", "0", "--body", body_file], r"listening on (http://\S+/tap)")
        lua = os.path.join(DATA, "lookups.lua")
        write_lua(lua, ids)
        lt = binaries["skyshard-loadtest"]
        targets = {"ceiling": (ceiling.url, ceiling.process.pid), "skyshard": (sky.url, sky.process.pid)}

        say("== warm-up")
        for name, (url, pid) in targets.items():
            wrk(url, lua, 3)
            loadtest(lt, url, "lookup", CONNECTIONS, 3, pid=pid)

        results = {name: {"wrk": [], "lt": []} for name in targets}
        loaded = {"wrk": [], "lt": []}
        dp0 = []
        scans = []
        loads = []
        for round_ in range(ROUNDS):
            say(f"== round {round_ + 1}/{ROUNDS} (load average {load_average()})")
            loads.append(load_average())
            for name, (url, pid) in targets.items():
                results[name]["wrk"].append(wrk(url, lua, DURATION))
                results[name]["lt"].append(loadtest(lt, url, "lookup", CONNECTIONS, DURATION, pid=pid))
            scanners = Scanners(sky.url, SCANS)
            loaded["wrk"].append(wrk(sky.url, lua, DURATION))
            loaded["lt"].append(loadtest(lt, sky.url, "lookup", CONNECTIONS, DURATION, pid=sky.process.pid))
            scanners.stop()
            scans.append((list(scanners.times), list(scanners.failures)))
            dp0.append(loadtest(lt, sky.url, "dp0", USERS, DURATION, think=THINK, pid=sky.process.pid))
        loads.append(load_average())
        profile_text = profile(sky.url, lt, sky.process.pid) if PROFILE else None
    finally:
        if ceiling:
            ceiling.stop()
        sky.stop()

    report = render(results, loaded, scans, dp0, loads, profile_text)
    with open(os.path.join(DATA, "load-report.md"), "w") as f:
        f.write(report)
    with open(os.path.join(DATA, "load-raw.json"), "w") as f:
        json.dump({"results": results, "loaded": loaded, "scans": scans, "dp0": dp0}, f, indent=1, default=str)
    print(report)


def lt_lookup(report):
    k = report["kinds"][0]
    return {"rate": report["throughput"], "p50": k["p50Ms"], "p99": k["p99Ms"], "max": k["maxMs"],
            "errors": report["errors"], "rssAnon": (report.get("memory") or {}).get("peakRssAnonKiB")}


def render(results, loaded, scans, dp0, loads, profile_text):
    out = []
    out.append(f"Machine: {machine()}; load average (1/5/15 min) at each round's start and at the end: "
               f"{', '.join(loads)}. {OBJECTS} objects; {DURATION} s per run; {ROUNDS} rounds, ceiling and "
               f"SkyShard alternating; medians over the rounds.\n")
    out.append(f"**(a) {CONNECTIONS} connections of objectId lookups** (`SELECT *`, TAP sync, same bytes from both)\n")
    out.append("| client | server | req/s | p50 ms | p99 ms | max ms | errors | throughput / ceiling | p99 / ceiling |")
    out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    summary = {}
    for client in ("wrk", "lt"):
        rows = {}
        for name in ("ceiling", "skyshard"):
            runs = [r if client == "wrk" else lt_lookup(r) for r in results[name][client]]
            rows[name] = {key: median([r[key] for r in runs]) for key in ("rate", "p50", "p99", "max")}
            rows[name]["errors"] = sum(r["errors"] for r in runs)
        for name in ("ceiling", "skyshard"):
            r = rows[name]
            ratio = (f"{r['rate'] / rows['ceiling']['rate']:.2f}", f"{r['p99'] / rows['ceiling']['p99']:.2f}") \
                if name == "skyshard" else ("1", "1")
            label = "wrk" if client == "wrk" else "skyshard loadtest"
            out.append(f"| {label} | {name} | {r['rate']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.0f} | "
                       f"{r['errors']} | {ratio[0]} | {ratio[1]} |")
        summary[client] = rows
    out.append("")
    out.append(f"**(b) the same against SkyShard while {SCANS} full ForcedSource scans run** (`{SCAN_QUERY}`)\n")
    out.append("| client | req/s | p50 ms | p99 ms | max ms | errors | p99 / unloaded p99 |")
    out.append("|---|--:|--:|--:|--:|--:|--:|")
    for client in ("wrk", "lt"):
        runs = [r if client == "wrk" else lt_lookup(r) for r in loaded[client]]
        p99 = median([r["p99"] for r in runs])
        label = "wrk" if client == "wrk" else "skyshard loadtest"
        out.append(f"| {label} | {median([r['rate'] for r in runs]):.0f} | {median([r['p50'] for r in runs]):.1f} | "
                   f"{p99:.1f} | {median([r['max'] for r in runs]):.0f} | {sum(r['errors'] for r in runs)} | "
                   f"{p99 / summary[client]['skyshard']['p99']:.2f} |")
    done = [len(t) for t, _ in scans]
    failed = sum(len(f) for _, f in scans)
    times = [x for t, _ in scans for x in t]
    out.append(f"\nScans finished per round: {done} (failed: {failed}); scan time median "
               f"{median(times):.2f} s, max {max(times) if times else float('nan'):.2f} s.\n")
    out.append(f"**(c) dp0 mix, {USERS} users, think time {THINK} ms** (SkyShard)\n")
    out.append("| kind | requests | errors | p50 ms | p95 ms | p99 ms | max ms |")
    out.append("|---|--:|--:|--:|--:|--:|--:|")
    for kind in [k["kind"] for k in dp0[0]["kinds"]] + [dp0[0]["small"]["kind"]]:
        rows = [next(k for k in r["kinds"] + [r["small"]] if k["kind"] == kind) for r in dp0]
        out.append(f"| {kind} | {sum(r['requests'] for r in rows)} | {sum(r['errors'] for r in rows)} | "
                   + " | ".join(f"{median([r[key] for r in rows]):.1f}" for key in ("p50Ms", "p95Ms", "p99Ms", "maxMs"))
                   + " |")
    mem = [r.get("memory") or {} for r in dp0]
    out.append(f"\nThroughput {median([r['throughput'] for r in dp0]):.0f} req/s; server peak RSS "
               f"{max(m.get('peakRssKiB', 0) for m in mem) / 1024:.0f} MiB, peak RssAnon "
               f"{max(m.get('peakRssAnonKiB', 0) for m in mem) / 1024:.0f} MiB.\n")
    if profile_text:
        out.append("Profile of the server (perf, cpu-clock, self time, one lookup run):\n")
        out.append("```\n" + profile_text + "\n```\n")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
