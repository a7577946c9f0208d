"""Shared fixtures of the interoperability tests: the real `skyshard` binary, a demo catalog
generated and ingested once per session, and the real TAP server on a loopback port."""

import glob
import os
import re
import sqlite3
import subprocess
import threading

import pytest

DEMO_OBJECTS = int(os.environ.get("SKYSHARD_INTEROP_OBJECTS", "20000"))


def skyshard_bin():
    path = os.environ.get("SKYSHARD_BIN")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", ".build", "debug", "skyshard")
    path = os.path.abspath(path)
    if not os.path.exists(path):
        pytest.fail(f"skyshard binary not found at {path}: build it first (swift build)")
    return path


@pytest.fixture(scope="session")
def skyshard():
    return skyshard_bin()


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory, skyshard):
    """A demo catalog under a fresh data directory, made by the demo's own code path."""
    root = tmp_path_factory.mktemp("skyshard-data")
    return str(root)


class Server:
    def __init__(self, process, url, data):
        self.process = process
        self.url = url
        self.data = data
        self.log = []

    @property
    def version_dir(self):
        return os.path.realpath(os.path.join(self.data, "current"))

    def chunk_files(self):
        return sorted(glob.glob(os.path.join(self.version_dir, "chunks", "chunk_*.sqlite")))

    def all_objects(self):
        """(objectId, ra, dec) of every Object row, read straight from the chunk files."""
        rows = []
        for path in self.chunk_files():
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            rows += con.execute('SELECT objectId, coord_ra, coord_dec FROM "Object"').fetchall()
            con.close()
        return rows


def launch(command, announcement, data):
    """Starts a `skyshard` server with `command` and waits for the line matching
    `announcement` (whose group 1 is the TAP URL; printed once the socket listens). Its output
    is kept in the returned Server's `log`."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    url = None
    lines = []
    for line in process.stdout:
        lines.append(line)
        m = re.search(announcement, line)
        if m:
            url = m.group(1)
            break
    if url is None:
        process.kill()
        pytest.fail("the server did not start:\n" + "".join(lines))
    srv = Server(process, url, data)
    srv.log.extend(lines)
    # Keep draining the output so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [srv.log.append(l) for l in process.stdout], daemon=True).start()
    return srv


def stop(srv):
    srv.process.terminate()
    try:
        srv.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        srv.process.kill()


@pytest.fixture(scope="session")
def server(skyshard, demo_data):
    """`skyshard demo` on a free port: generates and ingests the catalog, then serves it."""
    srv = launch(
        [skyshard, "demo", "--data", demo_data, "--objects", str(DEMO_OBJECTS), "--port", "0",
         "--log-level", "warning"],
        r"serving TAP at (http://\S+/tap)", demo_data)
    yield srv
    stop(srv)
