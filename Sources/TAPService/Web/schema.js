// The tools beside the editor: the schema browser (schemas → tables → columns with units,
// UCDs and descriptions, from /tables; a click inserts a name into the editor), the example
// queries (from /examples) and the cone-search form, which writes the ADQL for the user.

import { positionColumns } from "./skyplot.js";

/// Inserts `text` at the editor's caret (replacing a selection) and keeps the focus there.
export function insertAtCaret(editor, text) {
  const { selectionStart: s, selectionEnd: e, value } = editor;
  editor.value = value.slice(0, s) + text + value.slice(e);
  editor.selectionStart = editor.selectionEnd = s + text.length;
  editor.focus();
  editor.dispatchEvent(new Event("input"));
}

export function renderSchema(container, filter, schemas, editor) {
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const nameLink = (text, insert) => {
    const a = el("span", "name", text);
    a.title = "insert " + insert;
    a.addEventListener("click", e => { e.preventDefault(); insertAtCaret(editor, insert); });
    return a;
  };
  const draw = () => {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (...texts) => words.every(w => texts.some(t => (t || "").toLowerCase().includes(w)));
    const out = [];
    for (const s of schemas) {
      const sd = el("details");
      sd.open = true;
      const ss = el("summary");
      ss.append(nameLink(s.schema, s.schema));
      sd.append(ss);
      let any = false;
      for (const t of s.tables) {
        const cols = t.columns.filter(c => matches(t.name, c.name, c.ucd, c.description));
        if (words.length && !cols.length && !matches(t.name, t.description)) continue;
        any = true;
        const td = el("details");
        td.open = words.length > 0;
        const sum = el("summary");
        sum.append(nameLink(t.name, t.name), el("span", "meta", ` ${t.columns.length} columns`));
        if (t.description) sum.title = t.description;
        td.append(sum);
        for (const c of (cols.length ? cols : t.columns)) {
          const row = el("div", "col");
          row.append(nameLink(c.name, c.name),
            el("span", "meta", [c.unit && `[${c.unit}]`, c.ucd, c.datatype].filter(Boolean).join("  ")));
          if (c.description) row.append(el("span", "desc", c.description));
          td.append(row);
        }
        sd.append(td);
      }
      if (any || !words.length) out.push(sd);
    }
    container.replaceChildren(...out);
    if (!out.length) container.textContent = "no table or column matches";
  };
  filter.addEventListener("input", draw);
  draw();
}

export function renderExamples(list, examples, onPick) {
  if (!examples.length) { list.replaceChildren(item("no examples published")); return; }
  list.replaceChildren(...examples.map(ex => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.textContent = ex.name;
    a.title = ex.query;
    a.dataset.example = ex.id || ex.name;
    a.addEventListener("click", () => onPick(ex.query));
    li.append(a);
    return li;
  }));
}

function item(text) { const li = document.createElement("li"); li.textContent = text; return li; }

/// The tables a cone search can use: those with RA/Dec columns by UCD, and their id column
/// (meta.id;meta.main) for a search around an object.
export function coneTables(schemas) {
  const out = [];
  for (const s of schemas) for (const t of s.tables) {
    const fields = t.columns.map(c => ({ name: c.name, ucd: c.ucd }));
    const pos = positionColumns(fields);
    if (!pos) continue;
    const id = t.columns.find(c => (c.ucd || "").toLowerCase().split(";").includes("meta.id") &&
      (c.ucd || "").toLowerCase().includes("meta.main"));
    out.push({ table: t.name.includes(".") ? t.name : `${s.schema}.${t.name}`,
      ra: t.columns[pos.ra].name, dec: t.columns[pos.dec].name, id: id ? id.name : null });
  }
  return out;
}

/// The ADQL of a cone search.
export function coneQuery(t, ra, dec, radiusArcsec) {
  const r = +(radiusArcsec / 3600).toPrecision(12);
  return `SELECT *\nFROM ${t.table}\nWHERE CONTAINS(POINT('ICRS', ${t.ra}, ${t.dec}), CIRCLE('ICRS', ${ra}, ${dec}, ${r})) = 1`;
}

/// Reads the form; resolves an object id to its position with a query; returns the ADQL.
export async function coneFromForm(form, tables, tap) {
  const t = tables[Number(form.querySelector("#cone-table").value)];
  if (!t) throw new Error("no table with RA/Dec columns");
  const radius = Number(form.querySelector("#cone-radius").value);
  if (!(radius > 0) || radius > 36000) throw new Error("the radius must be a number of arcseconds, above 0 and at most 36000");
  const by = form.querySelector('input[name="cone-by"]:checked').value;
  if (by === "object") {
    const id = form.querySelector("#cone-id").value.trim();
    if (!/^-?\d+$/.test(id)) throw new Error("the object id must be an integer");
    if (!t.id) throw new Error(`${t.table} has no id column (UCD meta.id;meta.main)`);
    const found = await tap.syncResult(`SELECT ${t.ra}, ${t.dec} FROM ${t.table} WHERE ${t.id} = ${id}`, { maxrec: 1 });
    if (!found.rows.length) throw new Error(`no row of ${t.table} has ${t.id} = ${id}`);
    return coneQuery(t, found.rows[0][0], found.rows[0][1], radius);
  }
  const ra = Number(form.querySelector("#cone-ra").value), dec = Number(form.querySelector("#cone-dec").value);
  if (form.querySelector("#cone-ra").value.trim() === "" || !(ra >= 0 && ra <= 360)) throw new Error("RA must be in degrees, 0 to 360");
  if (form.querySelector("#cone-dec").value.trim() === "" || !(dec >= -90 && dec <= 90)) throw new Error("Dec must be in degrees, -90 to 90");
  return coneQuery(t, ra, dec, radius);
}
