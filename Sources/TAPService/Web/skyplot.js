// The sky plot: the rows' positions on a canvas. The RA and Dec columns are found by their
// UCDs (pos.eq.ra / pos.eq.dec, the ;meta.main ones first). A plane projection about the
// view's centre (RA scaled by cos Dec, east to the left as on the sky); the mouse wheel zooms
// about the pointer, a drag pans, a double-click fits the data again, and a click selects the
// row of the nearest point. Points are written straight into an ImageData buffer, so that
// 100,000 of them draw in a few milliseconds.

const POINT = 0xffffc866;      // bytes R, G, B, A = 66 c8 ff ff (little-endian): light blue
const SELECTED = "#ffd23f";
const PICK_RADIUS = 8;         // px

/// The indexes of the RA and Dec columns by UCD, or null.
export function positionColumns(fields) {
  const find = (word) => {
    const ucds = fields.map(f => (f.ucd || "").toLowerCase().split(";").map(s => s.trim()));
    const main = ucds.findIndex(u => u.includes(word) && u.includes("meta.main"));
    return main >= 0 ? main : ucds.findIndex(u => u.includes(word));
  };
  const ra = find("pos.eq.ra"), dec = find("pos.eq.dec");
  return ra >= 0 && dec >= 0 ? { ra, dec } : null;
}

export class SkyPlot {
  constructor(canvas, info, { onSelect } = {}) {
    this.canvas = canvas;
    this.info = info;
    this.onSelect = onSelect || (() => {});
    this.ctx = canvas.getContext("2d");
    this.count = 0;
    this.selected = null;
    this.lastDrawMs = null;
    this.listen();
    this.clear("no rows yet");
  }

  clear(message) {
    this.count = 0;
    this.ra = this.dec = this.rows = null;
    this.draw();
    this.info.textContent = message;
    this.canvas.dataset.points = "0";
  }

  /// Takes the positions of `result`'s rows; false when it has no RA/Dec columns.
  setData(result) {
    const cols = positionColumns(result.fields);
    if (!cols) { this.clear("no RA/Dec columns (UCD pos.eq.ra / pos.eq.dec) in this result"); return false; }
    const n = result.rows.length;
    const ra = new Float64Array(n), dec = new Float64Array(n), rows = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const r = result.rows[i][cols.ra], d = result.rows[i][cols.dec];
      if (typeof r !== "number" || typeof d !== "number" || !isFinite(r) || !isFinite(d)) continue;
      ra[k] = r; dec[k] = d; rows[k] = i; k++;
    }
    this.ra = ra.subarray(0, k); this.dec = dec.subarray(0, k); this.rows = rows.subarray(0, k);
    this.count = k;
    this.columns = `${result.fields[cols.ra].name}, ${result.fields[cols.dec].name}`;
    this.selected = null;
    this.fit();
    return true;
  }

  /// Centres the view on the points and scales it to show them all.
  fit() {
    if (!this.count) { this.view = { ra0: 0, dec0: 0, scale: 1 }; this.draw(); return; }
    // The RA centre is the circular mean, so a field across RA 0/360 stays in one piece.
    let sx = 0, sy = 0, dmin = Infinity, dmax = -Infinity;
    for (let i = 0; i < this.count; i++) {
      const a = this.ra[i] * Math.PI / 180;
      sx += Math.cos(a); sy += Math.sin(a);
      if (this.dec[i] < dmin) dmin = this.dec[i];
      if (this.dec[i] > dmax) dmax = this.dec[i];
    }
    const ra0 = (Math.atan2(sy, sx) * 180 / Math.PI + 360) % 360;
    const dec0 = (dmin + dmax) / 2;
    const cosd = Math.max(0.05, Math.cos(dec0 * Math.PI / 180));
    let xmax = 0;
    for (let i = 0; i < this.count; i++) xmax = Math.max(xmax, Math.abs(wrap(this.ra[i] - ra0) * cosd));
    const halfWidth = Math.max(xmax, (dmax - dmin) / 2, 1 / 3600);
    const scale = 0.45 * Math.min(this.canvas.width, this.canvas.height) / halfWidth;
    this.view = { ra0, dec0, scale };
    this.draw();
  }

  /// Canvas pixel of (ra, dec) in the current view.
  project(ra, dec) {
    const { ra0, dec0, scale } = this.view;
    const cosd = Math.max(0.05, Math.cos(dec0 * Math.PI / 180));
    return [this.canvas.width / 2 - wrap(ra - ra0) * cosd * scale, this.canvas.height / 2 - (dec - dec0) * scale];
  }

  /// (ra, dec) at a canvas pixel.
  unproject(x, y) {
    const { ra0, dec0, scale } = this.view;
    const cosd = Math.max(0.05, Math.cos(dec0 * Math.PI / 180));
    return [(ra0 - (x - this.canvas.width / 2) / (scale * cosd) + 360) % 360, dec0 - (y - this.canvas.height / 2) / scale];
  }

  draw() {
    const t0 = performance.now();
    const { width: w, height: h } = this.canvas;
    const ctx = this.ctx;
    ctx.fillStyle = "#0d1424";
    ctx.fillRect(0, 0, w, h);
    if (this.count && this.view) {
      const image = ctx.getImageData(0, 0, w, h);
      const pixels = new Uint32Array(image.data.buffer);
      const { ra0, dec0, scale } = this.view;
      const cosd = Math.max(0.05, Math.cos(dec0 * Math.PI / 180));
      const kx = cosd * scale, cx = w / 2, cy = h / 2, big = this.count <= 5000;
      let drawn = 0;
      for (let i = 0; i < this.count; i++) {
        let d = this.ra[i] - ra0;
        if (d > 180) d -= 360; else if (d < -180) d += 360;
        const x = (cx - d * kx) | 0, y = (cy - (this.dec[i] - dec0) * scale) | 0;
        if (x < 0 || y < 0 || x >= w - 1 || y >= h - 1) continue;
        const p = y * w + x;
        pixels[p] = POINT; pixels[p + 1] = POINT; pixels[p + w] = POINT; pixels[p + w + 1] = POINT;
        // A few points are drawn larger (3x3), to be seen and clicked.
        if (big && x > 0 && y > 0) { pixels[p - 1] = POINT; pixels[p - w] = POINT; pixels[p - w - 1] = POINT;
          pixels[p + w - 1] = POINT; pixels[p - w + 1] = POINT; }
        drawn++;
      }
      ctx.putImageData(image, 0, 0);
      this.drawn = drawn;
      this.drawAxes();
      if (this.selected !== null) {
        const [x, y] = this.project(this.ra[this.selected], this.dec[this.selected]);
        ctx.strokeStyle = SELECTED; ctx.lineWidth = 2;
        ctx.beginPath(); ctx.arc(x, y, 7, 0, 2 * Math.PI); ctx.stroke();
      }
      this.lastDrawMs = performance.now() - t0;
      this.canvas.dataset.points = String(this.count);
      this.canvas.dataset.drawn = String(drawn);
      this.canvas.dataset.drawMs = this.lastDrawMs.toFixed(2);
      this.info.textContent = `${this.count.toLocaleString("en")} positions (${this.columns}); ` +
        `${drawn.toLocaleString("en")} in view; drawn in ${this.lastDrawMs.toFixed(1)} ms`;
    }
  }

  /// RA/Dec labels at the corners of the view.
  drawAxes() {
    const ctx = this.ctx, { width: w, height: h } = this.canvas;
    ctx.fillStyle = "#9fb3d9";
    ctx.font = "11px system-ui, sans-serif";
    const [raL, decT] = this.unproject(0, 0), [raR, decB] = this.unproject(w, h);
    ctx.textBaseline = "top";
    ctx.fillText(`RA ${raL.toFixed(3)}°`, 4, h - 28);
    ctx.textAlign = "right";
    ctx.fillText(`RA ${raR.toFixed(3)}°`, w - 4, h - 28);
    ctx.fillText(`Dec ${decT.toFixed(3)}°`, w - 4, 4);
    ctx.fillText(`Dec ${decB.toFixed(3)}°`, w - 4, h - 14);
    ctx.textAlign = "left";
    ctx.fillText("E ←", 4, 4);
  }

  /// The point nearest to canvas pixel (x, y) within PICK_RADIUS, or -1.
  pick(x, y) {
    let best = -1, bestD = PICK_RADIUS * PICK_RADIUS;
    for (let i = 0; i < this.count; i++) {
      const [px, py] = this.project(this.ra[i], this.dec[i]);
      const d = (px - x) ** 2 + (py - y) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    }
    return best;
  }

  /// Marks the point of result row `row`.
  selectRow(row) {
    if (!this.rows) return;
    const i = this.rows.indexOf(row);
    this.selected = i >= 0 ? i : null;
    this.draw();
  }

  zoom(factor, x, y) {
    if (!this.count) return;
    const [ra, dec] = this.unproject(x, y);
    this.view.scale *= factor;
    // Keep the sky under the pointer where it is.
    const [nx, ny] = this.project(ra, dec);
    const cosd = Math.max(0.05, Math.cos(this.view.dec0 * Math.PI / 180));
    this.view.ra0 = (this.view.ra0 + (nx - x) / (this.view.scale * cosd) + 360) % 360;
    this.view.dec0 -= (ny - y) / this.view.scale;
    this.draw();
  }

  /// Canvas pixel of a mouse event (the canvas may be drawn smaller than its pixel size).
  at(event) {
    const r = this.canvas.getBoundingClientRect();
    return [(event.clientX - r.left) * this.canvas.width / r.width, (event.clientY - r.top) * this.canvas.height / r.height];
  }

  listen() {
    const c = this.canvas;
    c.addEventListener("wheel", e => {
      e.preventDefault();
      const [x, y] = this.at(e);
      this.zoom(e.deltaY < 0 ? 1.25 : 0.8, x, y);
    }, { passive: false });
    let drag = null;
    c.addEventListener("mousedown", e => { drag = { at: this.at(e), moved: false }; });
    c.addEventListener("mousemove", e => {
      if (!drag || !this.count) return;
      const [x, y] = this.at(e);
      const dx = x - drag.at[0], dy = y - drag.at[1];
      if (Math.abs(dx) + Math.abs(dy) < 3 && !drag.moved) return;
      drag.moved = true;
      const cosd = Math.max(0.05, Math.cos(this.view.dec0 * Math.PI / 180));
      this.view.ra0 = (this.view.ra0 + dx / (this.view.scale * cosd) + 360) % 360;
      this.view.dec0 += dy / this.view.scale;
      drag.at = [x, y];
      this.draw();
    });
    window.addEventListener("mouseup", e => {
      if (drag && !drag.moved && e.target === c) {
        const [x, y] = this.at(e);
        const i = this.pick(x, y);
        if (i >= 0) { this.selected = i; this.draw(); this.onSelect(this.rows[i]); }
      }
      drag = null;
    });
    c.addEventListener("dblclick", () => this.fit());
  }
}

function wrap(d) { return d > 180 ? d - 360 : d < -180 ? d + 360 : d; }
