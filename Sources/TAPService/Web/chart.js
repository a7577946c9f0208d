// The chart: a histogram of one numeric column, or a scatter plot of one against another.

import { isNumeric } from "./tap.js";

const BINS = 40;

export class Chart {
  constructor(canvas, info, { mode, x, y, yWrap }) {
    this.canvas = canvas; this.info = info;
    this.mode = mode; this.x = x; this.y = y; this.yWrap = yWrap;
    this.ctx = canvas.getContext("2d");
    this.result = null;
    for (const el of [mode, x, y]) el.addEventListener("change", () => this.draw());
    this.draw();
  }

  /// Offers `result`'s numeric columns.
  setData(result) {
    this.result = result;
    const numeric = result.fields.map((f, i) => [f, i]).filter(([f]) => isNumeric(f));
    const previousX = this.x.value;
    for (const select of [this.x, this.y]) {
      const previous = select.value;
      select.replaceChildren(...numeric.map(([f, i]) => new Option(f.name + (f.unit ? ` [${f.unit}]` : ""), String(i))));
      if (numeric.some(([, i]) => String(i) === previous)) select.value = previous;
    }
    // By default a measured quantity: not an id or a position.
    const plain = numeric.filter(([f]) => !/meta\.id|pos\.eq/i.test(f.ucd || ""));
    if (!numeric.some(([, i]) => String(i) === previousX) && plain.length) this.x.value = String(plain[0][1]);
    if (numeric.length > 1 && this.y.value === this.x.value) {
      this.y.value = String((plain.find(([, i]) => String(i) !== this.x.value) || numeric.find(([, i]) => String(i) !== this.x.value))[1]);
    }
    this.draw();
  }

  values(column) {
    const out = [];
    for (const row of this.result.rows) {
      const v = Number(row[column]);
      if (row[column] !== null && Number.isFinite(v)) out.push(v);
    }
    return out;
  }

  draw() {
    const ctx = this.ctx, { width: w, height: h } = this.canvas;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
    const scatter = this.mode.value === "scatter";
    this.yWrap.hidden = !scatter;
    this.canvas.dataset.drawn = "0";
    if (!this.result || this.x.value === "") { this.info.textContent = "no numeric column"; return; }
    const cx = Number(this.x.value), cy = Number(this.y.value);
    const name = c => this.result.fields[c].name;
    const m = { l: 56, r: 12, t: 12, b: 36 };
    const pw = w - m.l - m.r, ph = h - m.t - m.b;
    ctx.strokeStyle = "#889"; ctx.strokeRect(m.l, m.t, pw, ph);
    ctx.fillStyle = "#334"; ctx.font = "11px system-ui, sans-serif";
    if (!scatter) {
      const v = this.values(cx);
      if (!v.length) { this.info.textContent = `${name(cx)}: no values`; return; }
      const [lo, hi] = range(v);
      const counts = new Array(BINS).fill(0);
      const width = (hi - lo) / BINS || 1;
      for (const x of v) counts[Math.min(BINS - 1, Math.floor((x - lo) / width))]++;
      const top = Math.max(...counts);
      ctx.fillStyle = "#2f5fb3";
      counts.forEach((n, i) => {
        const bh = n / top * ph;
        ctx.fillRect(m.l + i * pw / BINS + 1, m.t + ph - bh, pw / BINS - 2, bh);
      });
      this.labels(lo, hi, 0, top, name(cx), "rows");
      this.info.textContent = `${v.length.toLocaleString("en")} values of ${name(cx)} in ${BINS} bins`;
      this.canvas.dataset.drawn = String(v.length);
      return;
    }
    const xs = [], ys = [];
    for (const row of this.result.rows) {
      const a = row[cx], b = row[cy];
      if (a === null || b === null || !Number.isFinite(Number(a)) || !Number.isFinite(Number(b))) continue;
      xs.push(Number(a)); ys.push(Number(b));
    }
    if (!xs.length) { this.info.textContent = "no pairs of values"; return; }
    const [x0, x1] = range(xs), [y0, y1] = range(ys);
    ctx.fillStyle = "rgba(47, 95, 179, 0.6)";
    for (let i = 0; i < xs.length; i++) {
      const px = m.l + (xs[i] - x0) / ((x1 - x0) || 1) * pw, py = m.t + ph - (ys[i] - y0) / ((y1 - y0) || 1) * ph;
      ctx.fillRect(px - 1, py - 1, 2, 2);
    }
    this.labels(x0, x1, y0, y1, name(cx), name(cy));
    this.info.textContent = `${xs.length.toLocaleString("en")} rows: ${name(cy)} against ${name(cx)}`;
    this.canvas.dataset.drawn = String(xs.length);
  }

  labels(x0, x1, y0, y1, xName, yName) {
    const ctx = this.ctx, { width: w, height: h } = this.canvas;
    ctx.fillStyle = "#334";
    ctx.textAlign = "left"; ctx.fillText(fmt(x0), 56, h - 22);
    ctx.textAlign = "right"; ctx.fillText(fmt(x1), w - 12, h - 22);
    ctx.textAlign = "center"; ctx.fillText(xName, w / 2, h - 10);
    ctx.textAlign = "right"; ctx.fillText(fmt(y1), 52, 20); ctx.fillText(fmt(y0), 52, h - 40);
    ctx.save(); ctx.translate(12, h / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = "center";
    ctx.fillText(yName, 0, 0); ctx.restore();
  }
}

function range(v) {
  let lo = Infinity, hi = -Infinity;
  for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
  return [lo, hi];
}

function fmt(x) { return Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : String(+x.toPrecision(5)); }
