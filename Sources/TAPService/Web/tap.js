// The page's TAP client: the service's own endpoints (sync, async/UWS, tables, examples), with
// the bearer token of this browser session in the Authorization header.

const TOKEN_KEY = "skyshard.token";

export function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
}

/// An error the service answered with: the message of its DALI error document, the HTTP status,
/// and, for an ADQL error, the line and column it names.
export class ServiceError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
    const at = /line (\d+), column (\d+)/i.exec(message);
    this.line = at ? Number(at[1]) : null;
    this.column = at ? Number(at[2]) : null;
  }
}

/// The message of an error answer: a DALI error VOTable (INFO name="QUERY_STATUS" value="ERROR"),
/// or the text of a plain one.
export async function errorOf(response) {
  const text = await response.text();
  let message = text.trim();
  if (text.includes("QUERY_STATUS")) {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    for (const info of doc.getElementsByTagName("INFO")) {
      if (info.getAttribute("name") === "QUERY_STATUS") { message = info.textContent.trim(); break; }
    }
  }
  if (response.status === 401) message = (message ? message + " " : "") + "(type a valid bearer token at the top)";
  return new ServiceError(message || `HTTP ${response.status}`, response.status);
}

/// JSON.parse that keeps 64-bit integers beyond 2^53 exact, as their text (ids such as
/// forcedSourceId would otherwise be rounded).
export function parseResultJSON(text) {
  return JSON.parse(text, (key, value, context) => {
    if (typeof value === "number" && !Number.isSafeInteger(value) && context && /^-?\d+$/.test(context.source)) {
      return context.source;
    }
    return value;
  });
}

/// A result as the page keeps it: `fields` (name, datatype, arraysize, unit, ucd, description),
/// `rows` (arrays of cells), `status` (OK, OVERFLOW, ERROR) and `error`.
function resultOf(json) {
  return { fields: json.metadata, rows: json.data, status: json.status, overflow: !!json.overflow, error: json.error || null };
}

/// A VOTable TABLEDATA document as a result (async results of jobs made by other clients).
export function parseVOTable(text) {
  const doc = new DOMParser().parseFromString(text, "application/xml");
  const fields = [...doc.getElementsByTagName("FIELD")].map(f => ({
    name: f.getAttribute("name"), datatype: f.getAttribute("datatype"), arraysize: f.getAttribute("arraysize"),
    unit: f.getAttribute("unit"), ucd: f.getAttribute("ucd"),
    description: f.getElementsByTagName("DESCRIPTION")[0]?.textContent ?? null,
  }));
  const numeric = fields.map(f => isNumeric(f));
  const rows = [];
  for (const tr of doc.getElementsByTagName("TR")) {
    const cells = [...tr.getElementsByTagName("TD")].map((td, i) => {
      const t = td.textContent;
      if (t === "") return null;
      return numeric[i] ? Number(t) : t;
    });
    rows.push(cells);
  }
  let status = "OK", error = null;
  for (const info of doc.getElementsByTagName("INFO")) {
    if (info.getAttribute("name") !== "QUERY_STATUS") continue;
    status = info.getAttribute("value");
    if (status === "ERROR") error = info.textContent.trim();
  }
  if (!doc.getElementsByTagName("TABLEDATA").length && fields.length) {
    throw new ServiceError("this result is not in VOTable TABLEDATA or JSON; download it instead", 0);
  }
  return { fields, rows, status, overflow: status === "OVERFLOW", error };
}

export function isNumeric(field) {
  return ["short", "int", "long", "float", "double", "unsignedByte"].includes(field.datatype) &&
    (!field.arraysize || field.arraysize === "1");
}

export class TapClient {
  /// `base`: the path of the TAP endpoints (`/tap`).
  constructor(base) { this.base = base; }

  headers(extra = {}) {
    const h = { ...extra };
    const t = token();
    if (t) h["Authorization"] = "Bearer " + t;
    return h;
  }

  async fetch(path, options = {}) {
    const url = path.startsWith("http") ? path : this.base + path;
    const response = await fetch(url, { ...options, headers: this.headers(options.headers) });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  form(params) {
    return { method: "POST", body: new URLSearchParams(params),
      headers: { "Content-Type": "application/x-www-form-urlencoded" } };
  }

  /// Runs `query` on /sync in `format`; the response, once its status is known.
  sync(query, { maxrec, format = "json", signal } = {}) {
    const params = { LANG: "ADQL", QUERY: query, RESPONSEFORMAT: format };
    if (maxrec) params.MAXREC = String(maxrec);
    return this.fetch("/sync", { ...this.form(params), signal });
  }

  async syncResult(query, options) {
    const response = await this.sync(query, { ...options, format: "json" });
    return resultOf(parseResultJSON(await response.text()));
  }

  /// The tables of /tables: [{schema, tables: [{name, description, columns: [{name, unit, ucd, datatype, description}]}]}].
  async tables() {
    const text = await (await this.fetch("/tables")).text();
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const child = (el, name) => [...el.children].find(c => c.localName === name);
    const text1 = (el, name) => child(el, name)?.textContent.trim() ?? null;
    const schemas = [];
    for (const s of doc.documentElement.children) {
      if (s.localName !== "schema") continue;
      const tables = [...s.children].filter(c => c.localName === "table").map(t => ({
        name: text1(t, "name"), description: text1(t, "description"),
        columns: [...t.children].filter(c => c.localName === "column").map(c => ({
          name: text1(c, "name"), unit: text1(c, "unit"), ucd: text1(c, "ucd"),
          datatype: text1(c, "dataType"), description: text1(c, "description"),
        })),
      }));
      schemas.push({ schema: text1(s, "name"), tables });
    }
    return schemas;
  }

  /// The DALI examples: [{name, query}].
  async examples() {
    const text = await (await this.fetch("/examples")).text();
    const doc = new DOMParser().parseFromString(text, "text/html");
    return [...doc.querySelectorAll('[typeof="example"]')].map(e => ({
      id: e.id,
      name: e.querySelector('[property="name"]')?.textContent.trim() || e.id,
      query: e.querySelector('[property="query"]')?.textContent.trim() || "",
    })).filter(e => e.query);
  }

  // UWS

  /// Creates and starts a job; its URL.
  async submitJob(query, { maxrec } = {}) {
    const params = { LANG: "ADQL", QUERY: query, RESPONSEFORMAT: "json", PHASE: "RUN", RUNID: "web page" };
    if (maxrec) params.MAXREC = String(maxrec);
    const response = await this.fetch("/async", this.form(params));
    // fetch followed the 303 to the job.
    return response.url;
  }

  /// The job document: {id, phase, chunksDone, chunksTotal, error, results: [{id, href, mimeType}]}.
  async job(url) {
    const text = await (await this.fetch(url, { cache: "no-store" })).text();
    return parseJob(text);
  }

  async abort(url) { await this.fetch(url + "/phase", this.form({ PHASE: "ABORT" })); }
  async remove(url) { await this.fetch(url, this.form({ ACTION: "DELETE" })); }

  /// The caller's jobs: [{id, href, phase, runId, created}], newest first.
  async jobs() {
    const text = await (await this.fetch("/async", { cache: "no-store" })).text();
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const list = [...doc.getElementsByTagNameNS("*", "jobref")].map(ref => {
      const get = n => ref.getElementsByTagNameNS("*", n)[0]?.textContent ?? "";
      return { id: ref.getAttribute("id"), href: ref.getAttributeNS("http://www.w3.org/1999/xlink", "href"),
        phase: get("phase"), runId: get("runId"), created: get("creationTime") };
    });
    return list.sort((a, b) => b.created.localeCompare(a.created));
  }

  /// A job's result as a page result (JSON, or VOTable TABLEDATA).
  async jobResult(result) {
    const response = await this.fetch(result.href);
    const text = await response.text();
    if ((response.headers.get("Content-Type") || "").includes("json")) return resultOf(parseResultJSON(text));
    return parseVOTable(text);
  }
}

export function parseJob(text) {
  const doc = new DOMParser().parseFromString(text, "application/xml");
  const get = n => doc.getElementsByTagNameNS("*", n)[0]?.textContent ?? null;
  const progress = doc.getElementsByTagName("progress")[0];
  return {
    id: get("jobId"), phase: get("phase"),
    chunksDone: progress ? Number(progress.getAttribute("chunksDone")) : null,
    chunksTotal: progress ? Number(progress.getAttribute("chunksTotal")) : null,
    error: doc.getElementsByTagNameNS("*", "errorSummary")[0]?.textContent.trim() || null,
    results: [...doc.getElementsByTagNameNS("*", "result")]
      .filter(r => r.getAttributeNS("http://www.w3.org/1999/xlink", "href"))
      .map(r => ({ id: r.getAttribute("id"), href: r.getAttributeNS("http://www.w3.org/1999/xlink", "href"),
        mimeType: r.getAttribute("mime-type") })),
  };
}
