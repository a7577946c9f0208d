"""The built-in web page in a real browser: Debian's headless chromium, driven over the
DevTools protocol, against the real server on the demo catalog.

Every wait is on a condition in the page (a DOM attribute the page sets), never a fixed sleep.
Screenshots go to pytest's tmp_path (and to $SKYSHARD_SCREENSHOTS when set, for the docs);
the test decodes them and counts the sky plot's drawn pixels. docs/web.md describes them."""

import csv
import functools
import http.server
import io
import json
import math
import os
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from astropy.io.votable import parse_single_table

from browser import Browser, count_pixels, decode_png
from conftest import launch, stop

SCHEMA = "dp02_dc2_catalogs"
# The sky plot's point colour (skyplot.js POINT) and background.
POINT_RGB = (0x66, 0xC8, 0xFF)
CONE = (f"SELECT TOP 300 objectId, coord_ra, coord_dec, r_cModelFlux FROM {SCHEMA}.Object "
        f"WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62.0, -37.0, 1.0)) = 1 "
        f"ORDER BY objectId")
# Never ends on any catalog of the tests (as in test_tap_async): a job to cancel.
ENDLESS = f"SELECT COUNT(*) AS n FROM {SCHEMA}.Object AS a, {SCHEMA}.Object AS b, {SCHEMA}.Object AS c"


def sync(server, query, fmt="json", maxrec=None):
    """(status, body) of a query sent straight to /sync."""
    params = {"LANG": "ADQL", "QUERY": query, "RESPONSEFORMAT": fmt}
    if maxrec is not None:
        params["MAXREC"] = str(maxrec)
    request = urllib.request.Request(server.url + "/sync", data=urllib.parse.urlencode(params).encode())
    try:
        with urllib.request.urlopen(request, timeout=300) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def direct(server, query, maxrec=None):
    status, body = sync(server, query, maxrec=maxrec)
    assert status == 200, body[:500]
    return json.loads(body)


def page_url(server, adql=None):
    root = server.url[: -len("/tap")] + "/"
    return root + ("?adql=" + urllib.parse.quote(adql) if adql is not None else "")


def same(a, b):
    """Cells equal as the service sent them: numbers by value (the page may show 1e-7 where
    Python writes 1e-07), big integers by their digits."""
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0)
    return str(a) == str(b) if a is not None and b is not None else a is None and b is None


def text_cell(text, want):
    """A cell as text (the table's DOM, CSV) in the type of the service's JSON value `want`."""
    if text == "":
        return None
    return float(text) if isinstance(want, float) else text


def keep(path, name):
    folder = os.environ.get("SKYSHARD_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        shutil.copy(path, os.path.join(folder, name))


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


def run_link(browser, server, query):
    """Opens `/?adql=query` and waits until the page has the result (or an error)."""
    browser.open(page_url(server, query))
    return browser.wait_for(
        "['done', 'error'].includes(document.getElementById('results').dataset.state)"
        " && document.getElementById('results').dataset.state")


def test_page_and_files_are_served_from_the_service(server):
    root = server.url[: -len("/tap")]
    with urllib.request.urlopen(root + "/") as r:
        html = r.read().decode()
        assert r.headers["Content-Type"].startswith("text/html")
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert 'id="results"' in html and 'id="skyplot"' in html and 'data-tap="/tap"' in html
    # Nothing is loaded from another host.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    for name, kind in [("main.js", "text/javascript"), ("app.css", "text/css"), ("skyplot.js", "text/javascript")]:
        with urllib.request.urlopen(root + "/static/" + name) as r:
            body = r.read()
            assert r.headers["Content-Type"].startswith(kind)
            etag = r.headers["ETag"]
            assert b"http://" not in body and b"https://" not in body
        # The browser's revalidation: 304 without a body.
        request = urllib.request.Request(root + "/static/" + name, headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(request)
        assert e.value.code == 304
    for bad in ["/static/nope.js", "/static/..%2FWebPage.swift", "/static/%2e%2e%2fPackage.swift"]:
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(root + bad)
        assert e.value.code == 404


def test_adql_link_runs_the_query_into_results_and_skyplot(browser, server, tmp_path):
    expected = direct(server, CONE)
    rows = expected["data"]
    assert len(rows) > 20, "the cone must hold enough objects for the test to mean something"
    assert run_link(browser, server, CONE) == "done", browser.console
    assert browser.evaluate("document.getElementById('adql').value") == CONE
    assert browser.evaluate("document.getElementById('results').dataset.rows") == str(len(rows))

    # Every row the page holds is the service's, in order.
    held = browser.evaluate("window.skyshard.state.result.rows")
    assert len(held) == len(rows)
    for got, want in zip(held, rows):
        assert all(same(g, w) for g, w in zip(got, want)), (got, want)
    # The table inside #results shows them, with the column names and units.
    headers = browser.evaluate("[...document.querySelectorAll('#results th')].map(th => th.innerText)")
    assert [h.split("\n")[0] for h in headers] == [m["name"] for m in expected["metadata"]]
    assert "deg" in headers[1]
    shown = browser.evaluate("""[...document.querySelectorAll('#results tbody tr[data-row]')].slice(0, 10)
        .map(tr => [...tr.children].map(td => td.textContent))""")
    assert len(shown) == 10
    for got, want in zip(shown, rows):
        assert all(same(text_cell(g, w), w) for g, w in zip(got, want)), (got, want)

    # The sky plot drew every position: the page says so, and the screenshot shows it.
    assert browser.evaluate("document.getElementById('skyplot').dataset.points") == str(len(rows))
    page = tmp_path / "page-cone.png"
    browser.screenshot(page)
    keep(page, "web-page-cone.png")
    shot = tmp_path / "skyplot-cone.png"
    width, height, pixels = decode_png(browser.screenshot(shot, clip=browser.rect("#skyplot")))
    keep(shot, "web-skyplot-cone.png")
    drawn = count_pixels(pixels, POINT_RGB)
    # Each point is 3x3 pixels here; even where points overlap, more than one pixel per row.
    assert drawn >= len(rows), f"{drawn} point pixels for {len(rows)} rows"
    background = count_pixels(pixels, (0x0D, 0x14, 0x24), tolerance=4)
    assert background < width * height, "the plot is not blank"

    # A click on a point selects its row in the table.
    target = 5
    browser.evaluate("window.scrollTo(0, 0)")
    at = browser.evaluate(f"""(() => {{ const p = skyshard.skyplot, i = p.rows.indexOf({target});
        const [x, y] = p.project(p.ra[i], p.dec[i]); const r = p.canvas.getBoundingClientRect();
        return {{x: r.left + x * r.width / p.canvas.width, y: r.top + y * r.height / p.canvas.height}}; }})()""")
    browser.click(at["x"], at["y"])
    selected = browser.wait_for("document.querySelector('#results tr.selected')?.dataset.row")
    # Several rows may share a pixel; the one chosen lies under the click.
    near = browser.evaluate(f"""(() => {{ const p = skyshard.skyplot, i = p.rows.indexOf({selected});
        const t = p.rows.indexOf({target}); const [x, y] = p.project(p.ra[i], p.dec[i]);
        const [u, v] = p.project(p.ra[t], p.dec[t]); return Math.hypot(x - u, y - v); }})()""")
    assert near <= 1.5
    cell = browser.evaluate("document.querySelector('#results tr.selected td').textContent")
    assert cell == str(rows[int(selected)][0])

    # The wheel zooms in about the pointer.
    scale = browser.evaluate("skyshard.skyplot.view.scale")
    browser.wheel(at["x"], at["y"], -120)
    assert browser.evaluate("skyshard.skyplot.view.scale") > scale * 1.2


def test_downloads_are_the_current_result(browser, server, tmp_path):
    query = f"SELECT TOP 40 objectId, coord_ra, coord_dec, r_cModelFlux FROM {SCHEMA}.Object ORDER BY objectId"
    expected = direct(server, query)
    assert run_link(browser, server, query) == "done"
    folder = tmp_path / "downloads"
    folder.mkdir()
    browser.call("Browser.setDownloadBehavior", browser=True, behavior="allowAndName",
                 downloadPath=str(folder), eventsEnabled=True)
    files = {}
    for button, name in [("download-votable", "result.vot"), ("download-csv", "result.csv"),
                         ("download-json", "result.json")]:
        box = browser.evaluate(f"""(() => {{ const r = document.getElementById('{button}').getBoundingClientRect();
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2}}; }})()""")
        browser.click(box["x"], box["y"])
        begun = browser.wait_event("Browser.downloadWillBegin")
        assert begun["suggestedFilename"] == name
        browser.wait_event("Browser.downloadProgress",
                           lambda p: p["guid"] == begun["guid"] and p["state"] == "completed")
        files[name] = (folder / begun["guid"]).read_bytes()

    names = [m["name"] for m in expected["metadata"]]
    rows = expected["data"]
    assert json.loads(files["result.json"])["data"] == rows
    table = list(csv.reader(io.StringIO(files["result.csv"].decode())))
    assert table[0] == names and len(table) == len(rows) + 1
    for got, want in zip(table[1:], rows):
        assert all(same(text_cell(g, w), w) for g, w in zip(got, want)), (got, want)
    votable = parse_single_table(io.BytesIO(files["result.vot"])).to_table()
    assert votable.colnames == names and len(votable) == len(rows)
    assert [int(v) for v in votable["objectId"]] == [r[0] for r in rows]


def test_adql_error_shows_line_and_column_beside_the_editor(browser, server, tmp_path):
    bad = f"SELECT objectId, coord_ra\nFROM {SCHEMA}.Object\nWHERE coord_ra >> 3"
    status, body = sync(server, bad)
    assert status == 400
    where = re.search(rb"line (\d+), column (\d+)", body)
    assert where, body
    assert run_link(browser, server, bad) == "error"
    box = browser.wait_for("""(() => { const e = document.getElementById('adql-error');
        return !e.hidden && e.dataset.line && {line: e.dataset.line, column: e.dataset.column, text: e.textContent}; })()""")
    assert (box["line"], box["column"]) == (where.group(1).decode(), where.group(2).decode())
    assert f"line {box['line']}, column {box['column']}" in box["text"] and "ADQL" in box["text"]
    # The editor's caret is put at the error.
    assert browser.evaluate("document.getElementById('caret').textContent") == \
        f"line {box['line']}, column {box['column']}"
    shot = tmp_path / "page-error.png"
    browser.screenshot(shot, clip=browser.rect(".editor-row"))
    keep(shot, "web-page-error.png")


def test_async_job_shows_progress_and_cancels(browser, server):
    query = f"SELECT band, COUNT(*) AS n FROM {SCHEMA}.ForcedSource GROUP BY band ORDER BY band"
    expected = direct(server, query)
    browser.open(page_url(server))
    browser.evaluate(f"document.getElementById('adql').value = {json.dumps(query)}")
    browser.evaluate("document.getElementById('run-async').click()")
    assert browser.wait_for("['done', 'error'].includes(document.getElementById('results').dataset.state)"
                            " && document.getElementById('results').dataset.state") == "done", browser.console
    progress = browser.evaluate("({...document.getElementById('job-progress').dataset,"
                                " text: document.getElementById('job-text').textContent})")
    assert progress["phase"] == "COMPLETED"
    assert int(progress["chunksTotal"]) > 0 and progress["chunksDone"] == progress["chunksTotal"]
    assert f"chunks {progress['chunksDone']} / {progress['chunksTotal']}" in progress["text"]
    assert browser.evaluate("window.skyshard.state.result.rows") == expected["data"]
    completed = progress["job"].rsplit("/", 1)[1]

    # A job that never ends: cancelled from the page.
    browser.evaluate(f"document.getElementById('adql').value = {json.dumps(ENDLESS)}")
    browser.evaluate("document.getElementById('run-async').click()")
    browser.wait_for("document.getElementById('job-progress').dataset.phase === 'EXECUTING'")
    job_url = browser.evaluate("document.getElementById('job-progress').dataset.job")
    browser.evaluate("document.getElementById('cancel').click()")
    assert browser.wait_for("['ABORTED', 'COMPLETED', 'ERROR'].includes(document.getElementById('job-progress')"
                            ".dataset.phase) && document.getElementById('job-progress').dataset.phase") == "ABORTED"
    with urllib.request.urlopen(job_url) as r:
        assert b"<uws:phase>ABORTED</uws:phase>" in r.read()
    # The user's job list shows both.
    phases = browser.wait_for(f"""(() => {{ const rows = [...document.querySelectorAll('#job-list tr[data-job]')];
        const phase = id => rows.find(r => r.dataset.job === id)?.children[1].textContent;
        return phase({json.dumps(job_url.rsplit('/', 1)[1])}) === 'ABORTED' && phase({json.dumps(completed)}) &&
            [phase({json.dumps(completed)}), 'ABORTED']; }})()""")
    assert phases == ["COMPLETED", "ABORTED"]


def test_tools_write_the_queries(browser, server):
    """The examples, the schema browser and the cone search (by position and by object id)."""
    browser.open(page_url(server))
    # Examples: one click puts the query in the editor.
    examples = browser.wait_for("document.querySelectorAll('#examples a[data-example]').length")
    assert examples >= 5
    picked = browser.evaluate("""(() => { const a = document.querySelector('#examples a[data-example]');
        a.click(); return {title: a.title, editor: document.getElementById('adql').value}; })()""")
    assert picked["editor"] == picked["title"] and picked["editor"].upper().startswith(("SELECT", "WITH"))
    # Schema browser: columns with their units and UCDs; a click inserts the name at the caret.
    browser.evaluate("document.getElementById('adql').value = 'SELECT  FROM x'; "
                     "document.getElementById('adql').setSelectionRange(7, 7)")
    browser.evaluate("const f = document.getElementById('schema-filter'); f.value = 'Object coord_ra';"
                     "f.dispatchEvent(new Event('input'))")
    column = browser.wait_for("""[...document.querySelectorAll('#schema .col')].find(c =>
        c.querySelector('.name').textContent === 'coord_ra')?.textContent""")
    assert "[deg]" in column and "pos.eq.ra" in column
    browser.evaluate("""[...document.querySelectorAll('#schema .col .name')].find(n => n.textContent === 'coord_ra').click()""")
    assert browser.evaluate("document.getElementById('adql').value") == "SELECT coord_ra FROM x"

    # Cone search by position: the ADQL written is run, and its rows are the service's.
    browser.evaluate(f"""(() => {{ const t = document.getElementById('cone-table');
        t.value = [...t.options].find(o => o.text === '{SCHEMA}.Object').value;
        document.getElementById('cone-ra').value = '62'; document.getElementById('cone-dec').value = '-37';
        document.getElementById('cone-radius').value = '1800';
        document.querySelector('#cone button').click(); }})()""")
    assert browser.wait_for("document.getElementById('results').dataset.state === 'done' && "
                            "document.getElementById('adql').value.includes('CIRCLE')")
    written = browser.evaluate("document.getElementById('adql').value")
    assert "CIRCLE('ICRS', 62, -37, 0.5)" in written and f"FROM {SCHEMA}.Object" in written
    expected = direct(server, written)
    assert browser.evaluate("document.getElementById('results').dataset.rows") == str(len(expected["data"]))
    assert len(expected["data"]) > 0
    # By object id: its position is looked up first.
    some = expected["data"][0][0]
    browser.evaluate(f"""(() => {{ document.querySelector('input[name="cone-by"][value="object"]').checked = true;
        document.getElementById('cone-id').value = '{some}'; document.getElementById('cone-radius').value = '30';
        document.getElementById('adql').value = ''; document.querySelector('#cone button').click(); }})()""")
    written = browser.wait_for("document.getElementById('results').dataset.state === 'done' && "
                               "document.getElementById('adql').value.includes('CIRCLE') && "
                               "document.getElementById('adql').value")
    assert "0.00833333333333" in written
    ids = [r[0] for r in direct(server, written)["data"]]
    assert some in ids
    # (Without ORDER BY the chunks' rows may come in another order each time. The ids are
    # beyond 2^53: the page keeps them exact, as text.)
    assert sorted(browser.evaluate("window.skyshard.state.result.rows.map(r => r[0])")) == sorted(map(str, ids))


def test_bearer_token_is_kept_for_the_session_and_sent(browser, skyshard, server, tmp_path):
    token_file = str(tmp_path / "tokens")
    added = subprocess.run([skyshard, "token", "add", "alice", "--token-file", token_file],
                           capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    token = added.stdout.rstrip("\n").split("\n")[-1]
    secured = launch(
        [skyshard, "serve", "--data", server.data, "--port", "0", "--log-level", "warning",
         "--token-file", token_file, "--require-token", "--jobs-dir", str(tmp_path / "jobs")],
        r"listening on (http://\S+/tap)", server.data)
    try:
        query = f"SELECT TOP 7 objectId FROM {SCHEMA}.Object ORDER BY objectId"
        # Without a token: the service's 401, said beside the editor.
        browser.evaluate("sessionStorage.clear()")
        assert run_link(browser, secured, query) == "error"
        message = browser.evaluate("document.getElementById('adql-error').textContent")
        assert "token" in message.lower()
        # With one, typed into the field: kept in sessionStorage and sent.
        browser.evaluate(f"""(() => {{ const t = document.getElementById('token'); t.value = {json.dumps(token)};
            t.dispatchEvent(new Event('change')); }})()""")
        assert browser.evaluate("sessionStorage.getItem('skyshard.token')") == token
        assert browser.evaluate("localStorage.length") == 0
        assert run_link(browser, secured, query) == "done"
        assert browser.evaluate("document.getElementById('results').dataset.rows") == "7"
        assert browser.evaluate("document.getElementById('token').value") == token
        browser.wait_for("document.querySelectorAll('#schema .name').length > 0")
    finally:
        browser.evaluate("sessionStorage.clear()")
        stop(secured)
    assert token not in "".join(secured.log)


@pytest.fixture()
def other_origin(tmp_path):
    """A page on another origin (another port of this host), as a Firefly-style client's."""
    (tmp_path / "index.html").write_text("<!DOCTYPE html><title>other origin</title><p>client")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def cross_origin_fetches(browser, tap):
    """From the current page: a POST to /sync with an Authorization header (so a preflight),
    GETs of tables, capabilities and examples, and a job created on /async (its Location read).
    Each answer's status, or the error a browser gives when CORS refuses it."""
    return browser.evaluate(f"""(async () => {{
        const tap = {json.dumps(tap)}, out = {{}};
        const tryFetch = async (name, url, init) => {{
            try {{ const r = await fetch(url, init); out[name] = r.status; return r; }}
            catch (e) {{ out[name] = e.name; return null; }} }};
        const form = q => ({{ method: 'POST', headers: {{ 'Authorization': 'Bearer sks_none_x',
            'Content-Type': 'application/x-www-form-urlencoded' }}, body: new URLSearchParams(q) }});
        await tryFetch('sync', tap + '/sync', form({{ LANG: 'ADQL', QUERY: 'SELECT TOP 1 objectId FROM {SCHEMA}.Object' }}));
        for (const p of ['tables', 'capabilities', 'examples']) await tryFetch(p, tap + '/' + p);
        await tryFetch('async', tap + '/async',
            {{ ...form({{ LANG: 'ADQL', QUERY: 'SELECT 1 AS x' }}), redirect: 'manual' }});
        return out; }})()""")


def test_cors_lets_pages_on_other_origins_call_the_service(browser, skyshard, server, other_origin, tmp_path):
    # Default (*): a page on another origin reads every endpoint; the preflight of the POST
    # with an Authorization header passes (the service, without a token file, ignores the token).
    browser.open(other_origin + "/")
    answers = cross_origin_fetches(browser, server.url)
    assert answers["sync"] == 200 and answers["tables"] == 200
    assert answers["capabilities"] == 200 and answers["examples"] == 200
    # A manual redirect is opaque to the page (status 0), but it was allowed through.
    assert answers["async"] == 0

    # Only another origin allowed: the browser refuses the answers to this page.
    restricted = launch(
        [skyshard, "serve", "--data", server.data, "--port", "0", "--log-level", "warning",
         "--cors-origins", "https://portal.example.org", "--jobs-dir", str(tmp_path / "jobs")],
        r"listening on (http://\S+/tap)", server.data)
    try:
        browser.open(other_origin + "/")
        answers = cross_origin_fetches(browser, restricted.url)
        assert set(answers.values()) == {"TypeError"}, answers
        # (The service itself answered: a client that is not a browser reads it.)
        with urllib.request.urlopen(restricted.url + "/capabilities") as r:
            assert r.status == 200 and "Access-Control-Allow-Origin" not in r.headers
    finally:
        stop(restricted)
    # and allowing this page's origin lets it through again
    allowed = launch(
        [skyshard, "serve", "--data", server.data, "--port", "0", "--log-level", "warning",
         "--cors-origins", f"https://portal.example.org,{other_origin}", "--jobs-dir", str(tmp_path / "jobs2")],
        r"listening on (http://\S+/tap)", server.data)
    try:
        browser.open(other_origin + "/")
        answers = cross_origin_fetches(browser, allowed.url)
        assert answers["sync"] == 200 and answers["tables"] == 200 and answers["examples"] == 200
    finally:
        stop(allowed)


def test_ten_thousand_rows_scroll_and_a_hundred_thousand_points_draw(browser, server, tmp_path):
    """Point 5 of issue 23. The functional checks are strict; the timings are printed for
    BENCHMARKS.md and held only to generous bounds (the machine is shared)."""
    query = f"SELECT TOP 10000 objectId, coord_ra, coord_dec, g_cModelFlux, r_cModelFlux, i_cModelFlux FROM {SCHEMA}.Object ORDER BY objectId"
    expected = direct(server, query)["data"]
    assert len(expected) == 10000
    assert run_link(browser, server, query) == "done"
    assert browser.evaluate("document.getElementById('results').dataset.rows") == "10000"
    # Virtual scrolling: only the rows in view are in the DOM.
    assert browser.evaluate("document.querySelectorAll('#results tbody tr[data-row]').length") < 200
    # Sorting (a click on a header; again for descending) and paging.
    browser.evaluate("document.querySelectorAll('#results th')[0].click(); document.querySelectorAll('#results th')[0].click()")
    first = browser.evaluate("document.querySelector('#results tbody tr[data-row] td').textContent")
    assert first == str(expected[-1][0])
    browser.evaluate("""(() => { const s = document.querySelector('#results .pager select'); s.value = '100';
        s.dispatchEvent(new Event('change')); document.querySelectorAll('#results .pager button')[1].click(); })()""")
    pager = browser.evaluate("document.querySelector('#results .pager span').textContent")
    assert pager == "rows 101–200 of 10,000 (page 2 of 100)", pager
    assert browser.evaluate("document.querySelector('#results tbody tr[data-row] td').textContent") == str(expected[-101][0])
    browser.evaluate("""(() => { document.querySelectorAll('#results th')[0].click();
        const s = document.querySelector('#results .pager select'); s.value = '10000'; s.dispatchEvent(new Event('change')); })()""")
    assert browser.evaluate("document.querySelector('#results tbody tr[data-row] td').textContent") == str(expected[0][0])
    # The baseline, in the same browser just before: the frame interval with nothing to do.
    idle = browser.evaluate("""new Promise(resolve => { const t = []; let last = null, n = 0;
        const tick = now => { if (last !== null) t.push(now - last); last = now;
            if (n++ < 120) requestAnimationFrame(tick);
            else { t.sort((a, b) => a - b); resolve({mean: t.reduce((a, b) => a + b, 0) / t.length, p95: t[Math.floor(t.length * 0.95)]}); } };
        requestAnimationFrame(tick); })""", timeout=300)
    # A programmatic scroll from top to bottom over 300 frames, one step per animation frame;
    # at each frame the rows in view must be drawn (the row at the top of the view exists).
    scroll = browser.evaluate("""new Promise(resolve => {
        const v = document.querySelector('#results .viewport'), frames = 300;
        const step = (v.scrollHeight - v.clientHeight) / frames;
        const times = []; let missing = 0, n = 0, last = null;
        const tick = now => {
            if (last !== null) times.push(now - last);
            last = now;
            const top = Math.floor(v.scrollTop / 24);
            const row = skyshard.table.order[top];
            if (n > 0 && !v.querySelector(`tr[data-row="${row}"]`)) missing++;
            if (n++ < frames) { v.scrollTop = Math.round(n * step); requestAnimationFrame(tick); }
            else {
                times.sort((a, b) => a - b);
                const last = [...v.querySelectorAll('tr[data-row]')].pop();
                resolve({frames: times.length, mean: times.reduce((a, b) => a + b, 0) / times.length,
                         p95: times[Math.floor(times.length * 0.95)], max: times[times.length - 1], missing,
                         lastRow: last.dataset.row, lastId: last.children[0].textContent});
            }
        };
        requestAnimationFrame(tick);
    })""", timeout=300)
    print(f"\nweb page: idle frames (baseline): mean {idle['mean']:.1f} ms, p95 {idle['p95']:.1f} ms")
    print(f"web page: 10000 rows scrolled over {scroll['frames']} frames: mean {scroll['mean']:.1f} ms, "
          f"p95 {scroll['p95']:.1f} ms, max {scroll['max']:.1f} ms; mean {scroll['mean'] / idle['mean']:.2f}x idle")
    assert scroll["missing"] == 0
    assert scroll["lastRow"] == "9999" and scroll["lastId"] == str(expected[-1][0])
    assert scroll["p95"] < 1000, scroll  # a sanity bound only; BENCHMARKS.md has the numbers
    # The page's own work per scroll step (the rows' text and a layout), apart from the frame rate.
    work = browser.evaluate("""(() => { const v = document.querySelector('#results .viewport'), t = skyshard.table;
        const times = [];
        for (let i = 1; i <= 300; i++) {
            v.scrollTop = Math.round(i * (v.scrollHeight - v.clientHeight) / 300);
            const t0 = performance.now(); t.render(); void v.offsetHeight; times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b); return {median: times[150], p95: times[285]}; })()""")
    print(f"web page: render + layout of one scroll step: median {work['median']:.1f} ms, p95 {work['p95']:.1f} ms")

    big = f"SELECT TOP 100000 coord_ra, coord_dec FROM {SCHEMA}.ForcedSource"
    assert run_link(browser, server, big) == "done"
    assert browser.evaluate("document.getElementById('results').dataset.rows") == "100000"
    assert browser.evaluate("document.getElementById('skyplot').dataset.points") == "100000"
    draws = browser.evaluate("""(() => { const t = [];
        for (let i = 0; i < 7; i++) { skyshard.skyplot.draw(); t.push(skyshard.skyplot.lastDrawMs); }
        return t.sort((a, b) => a - b); })()""")
    # The baseline: the same canvas drawn with no points (background, axes).
    empty = browser.evaluate("""(() => { const p = skyshard.skyplot, n = p.count, t = [];
        for (let i = 0; i < 7; i++) { p.count = 0; const t0 = performance.now(); p.draw(); t.push(performance.now() - t0); }
        p.count = n; p.draw(); return t.sort((a, b) => a - b)[3]; })()""")
    median = draws[len(draws) // 2]
    print(f"web page: 100000 points drawn in {median:.1f} ms (median of 7; min {draws[0]:.1f}, max {draws[-1]:.1f}); "
          f"empty canvas {empty:.2f} ms")
    assert median < 1000, draws  # issue 23: under a second
    shot = tmp_path / "skyplot-100k.png"
    _, _, pixels = decode_png(browser.screenshot(shot, clip=browser.rect("#skyplot")))
    # Forced sources of one object share its position: count the distinct pixels the points
    # fall on; each is painted (a point is 2x2 pixels), bar a few under the axis labels.
    distinct = browser.evaluate("""(() => { const p = skyshard.skyplot, seen = new Set();
        for (let i = 0; i < p.count; i++) { const [x, y] = p.project(p.ra[i], p.dec[i]);
            if (x >= 0 && y >= 0 && x < p.canvas.width - 1 && y < p.canvas.height - 1) seen.add((x | 0) + ',' + (y | 0)); }
        return seen.size; })()""")
    assert distinct > 1000
    assert count_pixels(pixels, POINT_RGB) >= 0.9 * distinct, distinct
    page = tmp_path / "page-100k.png"
    browser.screenshot(page)
    keep(page, "web-page-100k.png")
