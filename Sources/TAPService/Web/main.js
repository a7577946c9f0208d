// The page: wires the editor, the tools, the results table, the plots, async jobs and the
// downloads to the service. `/?adql=<url-encoded ADQL>` puts that query in the editor and runs it.

import { TapClient, ServiceError, token, setToken } from "./tap.js";
import { ResultTable } from "./table.js";
import { SkyPlot } from "./skyplot.js";
import { Chart } from "./chart.js";
import { renderSchema, renderExamples, coneTables, coneFromForm } from "./schema.js";
import { JobPanel } from "./jobs.js";

const $ = id => document.getElementById(id);
const tap = new TapClient(document.body.dataset.tap || "");
const editor = $("adql");
const status = $("status");

const state = {
  result: null,        // what the table and plots show
  query: null,         // the ADQL that produced it
  maxrec: null,
  running: null,       // {cancel()} while a query or job runs
};

const table = new ResultTable($("results"), { onSelect: row => skyplot.selectRow(row) });
const skyplot = new SkyPlot($("skyplot"), $("skyplot-info"), { onSelect: row => table.select(row) });
const chart = new Chart($("chart"), $("chart-info"),
  { mode: $("chart-mode"), x: $("chart-x"), y: $("chart-y"), yWrap: $("chart-y-wrap") });
const jobs = new JobPanel(tap, {
  list: $("job-list").tBodies[0], progress: $("job-progress"), bar: $("job-bar"), text: $("job-text"),
  onResult: (result, query) => show(result, query), onError: error => failed(error),
  onStatus: text => setStatus(text),
});

// For the browser test and the curious: the page's parts.
window.skyshard = { tap, table, skyplot, chart, jobs, state };

function setStatus(text, failure = false) {
  status.textContent = text;
  status.classList.toggle("failed", failure);
}

function maxrec() {
  const text = $("maxrec").value.trim();
  if (text === "") return null;
  if (!/^\d+$/.test(text)) throw new ServiceError("MAXREC must be a whole number of rows", 0);
  return Number(text);
}

// The editor and its errors

function showCaret() {
  const before = editor.value.slice(0, editor.selectionStart).split("\n");
  $("caret").textContent = `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
editor.addEventListener("keyup", showCaret);
editor.addEventListener("click", showCaret);
editor.addEventListener("input", showCaret);
editor.addEventListener("keydown", e => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });

/// Shows an error beside the editor; an ADQL error's line and column select that place.
function showQueryError(error) {
  const box = $("adql-error");
  box.replaceChildren();
  box.hidden = false;
  if (error.line) {
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = `line ${error.line}, column ${error.column}`;
    box.append(where);
    box.dataset.line = String(error.line);
    box.dataset.column = String(error.column);
    const lines = editor.value.split("\n");
    if (error.line <= lines.length) {
      let offset = 0;
      for (let i = 0; i < error.line - 1; i++) offset += lines[i].length + 1;
      offset += Math.min(error.column - 1, lines[error.line - 1].length);
      editor.focus();
      editor.setSelectionRange(offset, Math.min(editor.value.length, offset + 1));
      showCaret();
    }
  } else {
    delete box.dataset.line;
    delete box.dataset.column;
  }
  box.append(document.createTextNode(error.message));
}

function clearQueryError() {
  const box = $("adql-error");
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.line;
  delete box.dataset.column;
}

// Results

function show(result, query) {
  state.result = result;
  state.query = query;
  table.show(result);
  skyplot.setData(result);
  chart.setData(result);
  for (const f of ["votable", "csv", "json"]) $("download-" + f).disabled = false;
  const overflow = $("overflow");
  overflow.hidden = result.status !== "OVERFLOW";
  overflow.textContent = result.status === "OVERFLOW"
    ? `The result was cut at MAXREC = ${result.rows.length.toLocaleString("en")} rows: the query has more. Raise MAXREC or narrow the query.`
    : "";
  if (result.status === "ERROR") {
    // Never taken for the whole result: the rows shown are those before the failure.
    setStatus(`The query failed after ${result.rows.length.toLocaleString("en")} rows: ${result.error}`, true);
    showQueryError(new ServiceError(result.error || "the query failed", 200));
    $("results").dataset.state = "error";
  } else {
    setStatus(`${result.rows.length.toLocaleString("en")} rows, ${result.fields.length} columns`);
  }
}

function failed(error) {
  table.clear("error");
  skyplot.clear("no rows");
  setStatus(error.status ? `The service answered ${error.status}.` : "The query could not be sent.", true);
  showQueryError(error);
  $("results").dataset.error = error.message;
}

function begin(cancel) {
  clearQueryError();
  $("overflow").hidden = true;
  table.clear("running");
  delete $("results").dataset.error;
  state.running = { cancel };
  $("cancel").disabled = false;
  $("run").disabled = $("run-async").disabled = true;
}

function end() {
  state.running = null;
  $("cancel").disabled = true;
  $("run").disabled = $("run-async").disabled = false;
}

/// Keeps the query in the address bar (`?adql=`), so the page's link can be shared.
function remember(query) {
  const url = new URL(location.href);
  url.searchParams.set("adql", query);
  history.replaceState(null, "", url);
  const share = $("share");
  share.href = url.href;
  share.hidden = false;
}

/// The editor's query and MAXREC, kept in the address bar; null when there is nothing to run.
function prepare() {
  const query = editor.value.trim();
  if (!query) return null;
  let limit;
  try { limit = maxrec(); } catch (e) { showQueryError(e); return null; }
  remember(query);
  return { query, limit };
}

async function run() {
  const next = prepare();
  if (!next) return;
  const { query, limit } = next;
  const controller = new AbortController();
  begin(() => controller.abort());
  setStatus("running…");
  const t0 = performance.now();
  try {
    const result = await tap.syncResult(query, { maxrec: limit, signal: controller.signal });
    state.maxrec = limit;
    show(result, query);
    setStatus(status.textContent + ` in ${((performance.now() - t0) / 1000).toFixed(2)} s`, result.status === "ERROR");
  } catch (e) {
    if (e.name === "AbortError") { table.clear("cancelled"); setStatus("cancelled"); }
    else failed(e);
  } finally {
    end();
  }
}

async function runAsync() {
  const next = prepare();
  if (!next) return;
  const { query, limit } = next;
  let cancelled = false;
  begin(() => { cancelled = true; jobs.cancel(); });
  try {
    await jobs.run(query, limit);
    state.maxrec = limit;
  } catch (e) {
    if (!cancelled) failed(e);
  } finally {
    end();
  }
}

$("run").addEventListener("click", run);
$("run-async").addEventListener("click", runAsync);
$("cancel").addEventListener("click", () => state.running && state.running.cancel());

// Downloads: the current query again, from /sync in the format asked for, saved as a file.

const FORMATS = { votable: ["votable", "result.vot"], csv: ["csv", "result.csv"], json: ["json", "result.json"] };
for (const [name, [format, file]] of Object.entries(FORMATS)) {
  $("download-" + name).addEventListener("click", async () => {
    if (!state.query) return;
    setStatus(`preparing ${file}…`);
    try {
      const response = await tap.sync(state.query, { maxrec: state.maxrec, format });
      const blob = await response.blob();
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = file;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
      setStatus(`${file}: ${blob.size.toLocaleString("en")} bytes`);
    } catch (e) {
      failed(e);
    }
  });
}

// The token, for this browser session only.

$("token").value = token();
$("token").addEventListener("change", () => { setToken($("token").value.trim()); loadTools(); });

// The tools: schema browser, examples, cone search.

async function loadTools() {
  try {
    const schemas = await tap.tables();
    renderSchema($("schema"), $("schema-filter"), schemas, editor);
    const tables = coneTables(schemas);
    $("cone-table").replaceChildren(...tables.map((t, i) => new Option(t.table, String(i))));
    $("cone").onsubmit = async e => {
      e.preventDefault();
      $("cone-error").hidden = true;
      try {
        editor.value = await coneFromForm($("cone"), tables, tap);
        showCaret();
        run();
      } catch (err) {
        $("cone-error").textContent = err.message;
        $("cone-error").hidden = false;
      }
    };
  } catch (e) {
    $("schema").textContent = "The tables could not be read: " + e.message;
  }
  try {
    renderExamples($("examples"), await tap.examples(), query => { editor.value = query; showCaret(); clearQueryError(); });
  } catch (e) {
    $("examples").textContent = "no examples: " + e.message;
  }
  jobs.refresh();
}
$("jobs-refresh").addEventListener("click", () => jobs.refresh());

loadTools();
const shared = new URLSearchParams(location.search).get("adql");
if (shared) {
  editor.value = shared;
  showCaret();
  run();
}
