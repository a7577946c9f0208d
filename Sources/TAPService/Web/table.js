// The results table: column names with their units, sorting by a click on a header, paging,
// and virtual scrolling — only the rows in view (and a few around them) exist in the DOM, so a
// page of 10,000 rows scrolls as smoothly as one of 100.

import { isNumeric } from "./tap.js";

const ROW_HEIGHT = 24;   // px; the same as --row-height in app.css
const OVERSCAN = 12;     // rows drawn above and below the visible ones
const PAGE_SIZES = [100, 1000, 10000, 100000];

export class ResultTable {
  /// `container`: the element (#results) the table lives in. `onSelect(row)` is called with the
  /// index (in the result) of a row the user clicks.
  constructor(container, { onSelect } = {}) {
    this.container = container;
    this.onSelect = onSelect || (() => {});
    this.result = null;
    this.order = [];          // result row indexes in display order (sorted)
    this.sort = null;         // {column, descending}
    this.pageSize = 10000;
    this.page = 0;
    this.selected = null;
    this.first = -1;          // first row index (in the page) now drawn
    this.pending = false;
  }

  clear(state = "empty") {
    this.result = null;
    this.container.replaceChildren();
    this.container.dataset.state = state;
    this.container.dataset.rows = "0";
  }

  /// Shows `result` ({fields, rows, status}); the first page, unsorted.
  show(result) {
    this.result = result;
    this.order = result.rows.map((_, i) => i);
    this.sort = null;
    this.page = 0;
    this.selected = null;
    this.numeric = result.fields.map(isNumeric);
    this.build();
    this.container.dataset.rows = String(result.rows.length);
    this.container.dataset.status = result.status;
    this.container.dataset.state = "done";
  }

  get pageCount() { return Math.max(1, Math.ceil(this.order.length / this.pageSize)); }
  get pageStart() { return this.page * this.pageSize; }
  get pageRows() { return Math.max(0, Math.min(this.pageSize, this.order.length - this.pageStart)); }

  build() {
    const { fields } = this.result;
    const viewport = document.createElement("div");
    viewport.className = "viewport";
    const table = document.createElement("table");
    const colgroup = document.createElement("colgroup");
    let width = 0;
    for (let c = 0; c < fields.length; c++) {
      const col = document.createElement("col");
      const w = this.columnWidth(c);
      col.style.width = w + "px";
      width += w;
      colgroup.append(col);
    }
    table.style.width = width + "px";
    const thead = document.createElement("thead");
    const tr = document.createElement("tr");
    fields.forEach((f, c) => {
      const th = document.createElement("th");
      th.textContent = f.name;
      th.title = [f.description, f.ucd && "UCD " + f.ucd, f.datatype].filter(Boolean).join("\n");
      const unit = document.createElement("span");
      unit.className = "unit";
      unit.textContent = f.unit || "";
      th.append(unit);
      th.addEventListener("click", () => this.sortBy(c));
      tr.append(th);
    });
    thead.append(tr);
    this.tbody = document.createElement("tbody");
    this.padTop = this.padRow();
    this.padBottom = this.padRow();
    this.rowPool = [];
    table.append(colgroup, thead, this.tbody);
    viewport.append(table);
    viewport.addEventListener("scroll", () => this.schedule());
    this.tbody.addEventListener("click", e => {
      const tr = e.target.closest("tr[data-row]");
      if (tr) { this.select(Number(tr.dataset.row), false); this.onSelect(Number(tr.dataset.row)); }
    });
    this.viewport = viewport;
    this.headers = [...tr.children];
    this.pager = this.buildPager();
    this.container.replaceChildren(viewport, this.pager);
    this.first = -1;
    this.render();
  }

  padRow() {
    const tr = document.createElement("tr");
    tr.className = "pad";
    const td = document.createElement("td");
    td.colSpan = this.result.fields.length;
    tr.append(td);
    return tr;
  }

  /// A column's width from its name, unit and the text of the first rows.
  columnWidth(c) {
    const f = this.result.fields[c];
    let chars = Math.max(f.name.length, (f.unit || "").length);
    const n = Math.min(200, this.result.rows.length);
    for (let r = 0; r < n; r++) chars = Math.max(chars, cellText(this.result.rows[r][c]).length);
    return Math.min(320, Math.max(60, chars * 8 + 16));
  }

  buildPager() {
    const div = document.createElement("div");
    div.className = "pager";
    const prev = button("◀", () => this.goTo(this.page - 1));
    const next = button("▶", () => this.goTo(this.page + 1));
    const label = document.createElement("span");
    const size = document.createElement("select");
    for (const n of PAGE_SIZES) size.append(new Option(`${n.toLocaleString("en")} rows a page`, String(n)));
    size.value = String(this.pageSize);
    size.addEventListener("change", () => { this.pageSize = Number(size.value); this.goTo(0); });
    div.append(prev, label, next, size);
    this.updatePager = () => {
      const start = this.pageStart;
      label.textContent = this.order.length
        ? `rows ${(start + 1).toLocaleString("en")}–${(start + this.pageRows).toLocaleString("en")} of ${this.order.length.toLocaleString("en")} (page ${this.page + 1} of ${this.pageCount})`
        : "no rows";
      prev.disabled = this.page === 0;
      next.disabled = this.page >= this.pageCount - 1;
    };
    return div;
  }

  goTo(page) {
    this.page = Math.max(0, Math.min(this.pageCount - 1, page));
    this.viewport.scrollTop = 0;
    this.first = -1;
    this.render();
  }

  sortBy(c) {
    const descending = this.sort && this.sort.column === c && !this.sort.descending;
    this.sort = { column: c, descending };
    const rows = this.result.rows;
    const sign = descending ? -1 : 1;
    this.order.sort((a, b) => sign * compare(rows[a][c], rows[b][c]) || a - b);
    this.headers.forEach((th, i) => {
      th.classList.toggle("sorted-asc", i === c && !descending);
      th.classList.toggle("sorted-desc", i === c && descending);
    });
    this.goTo(0);
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.render(); });
  }

  /// Draws the rows in view. The <tr>s stay in the DOM and are reused: only their text, and
  /// the heights of the two padding rows around them, change as the view scrolls.
  render() {
    if (!this.result) return;
    const total = this.pageRows;
    const visible = Math.ceil(this.viewport.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const first = Math.max(0, Math.min(total - 1, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN));
    const count = Math.max(0, Math.min(visible, total - first));
    if (first === this.first && count === this.drawn) { this.updatePager(); return; }
    this.first = first;
    this.drawn = count;
    const rows = this.result.rows;
    const fields = this.result.fields.length;
    if (this.tbody.firstChild !== this.padTop) this.tbody.replaceChildren(this.padTop, this.padBottom);
    while (this.rowPool.length < count) {
      const tr = document.createElement("tr");
      for (let c = 0; c < fields; c++) tr.append(document.createElement("td"));
      this.rowPool.push(tr);
      this.tbody.insertBefore(tr, this.padBottom);
    }
    const start = this.pageStart;
    for (let i = 0; i < this.rowPool.length; i++) {
      const tr = this.rowPool[i];
      if (i >= count) { if (!tr.hidden) { tr.hidden = true; delete tr.dataset.row; } continue; }
      tr.hidden = false;
      const index = this.order[start + first + i];
      if (tr.dataset.row === String(index) && tr.classList.contains("selected") === (index === this.selected)) continue;
      tr.dataset.row = String(index);
      tr.classList.toggle("selected", index === this.selected);
      const row = rows[index];
      const cells = tr.children;
      for (let c = 0; c < fields; c++) {
        const v = row[c];
        cells[c].textContent = cellText(v);
        const cls = v === null || v === undefined ? "null" : this.numeric[c] ? "num" : "";
        if (cells[c].className !== cls) cells[c].className = cls;
      }
    }
    this.padTop.style.height = first * ROW_HEIGHT + "px";
    this.padBottom.style.height = Math.max(0, total - first - count) * ROW_HEIGHT + "px";
    this.updatePager();
  }

  /// Marks row `index` (of the result) and, unless told not to, brings it into view.
  select(index, scroll = true) {
    this.selected = index;
    if (scroll && this.result) {
      const position = this.order.indexOf(index);
      if (position >= 0) {
        const page = Math.floor(position / this.pageSize);
        if (page !== this.page) { this.page = page; }
        this.viewport.scrollTop = Math.max(0, (position - this.pageStart) * ROW_HEIGHT - this.viewport.clientHeight / 2);
      }
    }
    this.first = -1;
    this.render();
  }
}

export function cellText(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "true" : "false";
  return String(v);
}

/// Orders cells: NULLs last, numbers (and exact big integers kept as text) by value, text by text.
function compare(a, b) {
  const an = a === null || a === undefined, bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string" && /^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const x = BigInt(a), y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "number" || typeof b === "number") {
    const x = Number(a), y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  }
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function button(text, onClick) {
  const b = document.createElement("button");
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}
