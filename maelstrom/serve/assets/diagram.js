// The interactive Lamport diagram of a run page: it draws messages.json
// (see package diagram) on a canvas, within a time window and a node
// filter, and shows a message's body on hover and click.
"use strict";
(function () {
  const canvas = document.getElementById("diagram");
  if (!canvas) return;
  const ctx = canvas.getContext("2d");
  const tip = document.getElementById("tip");
  const picked = document.getElementById("picked");
  const status = document.getElementById("diagram-status");
  const inFrom = document.getElementById("win-from");
  const inTo = document.getElementById("win-to");
  const inFilter = document.getElementById("node-filter");
  const colours = { s: "#000", c: "#8ec5ef", e: "#f29cc3", x: "#e0201b", k: "#e0201b", f: "#999" };
  const faultColours = { partition: "#E9DCA0", kill: "#E8B4B4", "kill-all": "#E8B4B4", pause: "#B4C8E8" };
  const top = 26, left = 56;

  let data = null;     // the decoded messages.json
  let n = 0;           // message count
  let sent, end, due;  // Float64Array, ms
  let src, dst;        // Int16Array, display columns
  let style;           // Uint8Array, index into styles
  let lanes = [];      // display order of lane names
  let from = 0, to = 1, filter = null;
  let drawn = new Int32Array(0), drawnCount = 0;
  const styles = ["s", "c", "e", "x", "k", "f"];

  // Lanes: "clients" first, then nodes in natural order (n2 before n10).
  function laneOrder(names) {
    const rest = names.filter((x) => x !== "clients");
    const key = (s) => s.replace(/\d+/g, (d) => d.padStart(12, "0"));
    rest.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return ["clients"].concat(rest);
  }

  function laneOf(name) { return name.length > 0 && name[0] === "c" ? "clients" : name; }

  function load(d) {
    data = d;
    lanes = laneOrder(d.lanes);
    const col = new Map(lanes.map((l, i) => [l, i]));
    n = d.msgs.length;
    sent = new Float64Array(n); end = new Float64Array(n); due = new Float64Array(n);
    src = new Int16Array(n); dst = new Int16Array(n); style = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const m = d.msgs[i];
      sent[i] = m[1]; end[i] = m[2]; due[i] = m[3];
      src[i] = col.get(laneOf(m[4])); dst[i] = col.get(laneOf(m[5]));
      const fate = m[7];
      style[i] = styles.indexOf(fate === "d" ? m[6] : fate);
    }
    for (const f of d.faults || []) f.cols = (f.lanes || []).map((i) => col.get(d.lanes[i]));
    from = d.start;
    to = runEnd();
  }

  function runEnd() {
    let e = data.end;
    for (const f of data.faults || []) e = Math.max(e, f.end);
    return Math.max(e, data.start + 1);
  }

  // matches reports whether message i passes the node filter: its sender,
  // its receiver or either's lane is named.
  function matches(i) {
    if (!filter) return true;
    const m = data.msgs[i];
    return filter.has(m[4]) || filter.has(m[5]) || filter.has(lanes[src[i]]) || filter.has(lanes[dst[i]]);
  }

  // visible lists the messages drawn for the window and filter: those
  // whose span [sent, end] meets [from, to].
  function visible() {
    if (drawn.length < n) drawn = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (sent[i] <= to && end[i] >= from && matches(i)) drawn[k++] = i;
    }
    drawnCount = k;
  }

  function geometry() {
    const w = canvas.clientWidth, h = canvas.clientHeight;
    const laneW = (w - left - 10) / Math.max(1, lanes.length);
    return {
      w, h, laneW,
      x: (c) => left + laneW * (c + 0.5),
      y: (t) => top + ((t - from) / (to - from)) * (h - top - 6),
    };
  }

  // endPoint is where message i's arrow ends: its receiver at hand-over,
  // or, if dropped, the point of its way it had reached when dropped.
  function endPoint(g, i) {
    const x1 = g.x(src[i]), x2 = g.x(dst[i]);
    const st = styles[style[i]];
    if ((st === "x" || st === "k") && due[i] > sent[i] && end[i] < due[i]) {
      const f = Math.max(0, (end[i] - sent[i]) / (due[i] - sent[i]));
      return [x1 + f * (x2 - x1), g.y(end[i])];
    }
    return [x2, g.y(end[i])];
  }

  function niceStep(span) {
    const raw = span / 10;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (raw <= m * p) return m * p;
    return 10 * p;
  }

  function draw() {
    const dpr = window.devicePixelRatio || 1;
    const g = geometry();
    if (canvas.width !== Math.round(g.w * dpr) || canvas.height !== Math.round(g.h * dpr)) {
      canvas.width = Math.round(g.w * dpr);
      canvas.height = Math.round(g.h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, g.w, g.h);
    ctx.font = "11px sans-serif";
    // Time grid.
    const step = niceStep(to - from);
    ctx.fillStyle = "#888"; ctx.strokeStyle = "#eee"; ctx.lineWidth = 1;
    ctx.beginPath();
    for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
      const y = Math.round(g.y(t)) + 0.5;
      ctx.moveTo(left, y); ctx.lineTo(g.w, y);
      ctx.fillText((t / 1000).toFixed(step < 100 ? 3 : step < 1000 ? 2 : 1) + " s", 2, y + 4);
    }
    ctx.stroke();
    // Fault bands.
    for (const f of data.faults || []) {
      if (f.end < from || f.start > to) continue;
      ctx.fillStyle = faultColours[f.kind] || "#ddd";
      const y1 = Math.max(top, g.y(f.start)), y2 = Math.min(g.h, g.y(f.end));
      for (const c of f.cols) ctx.fillRect(g.x(c) - g.laneW * 0.3, y1, g.laneW * 0.6, Math.max(1, y2 - y1));
    }
    // Lanes and their names.
    ctx.strokeStyle = "#bbb"; ctx.beginPath();
    for (let c = 0; c < lanes.length; c++) {
      const x = Math.round(g.x(c)) + 0.5;
      ctx.moveTo(x, top); ctx.lineTo(x, g.h);
    }
    ctx.stroke();
    // Messages by style, clipped below the lane names. Paths are stroked
    // and filled in batches: the 2D canvas slows down badly on one path
    // with tens of thousands of overlapping pieces.
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, top, g.w, g.h - top);
    ctx.clip();
    visible();
    const batch = 200;
    for (let s = 0; s < styles.length; s++) {
      const st = styles[s];
      const dropped = st === "x" || st === "k";
      ctx.strokeStyle = colours[st];
      ctx.fillStyle = colours[st];
      ctx.setLineDash(dropped ? [4, 3] : st === "f" ? [2, 3] : []);
      let n = 0;
      ctx.beginPath();
      for (let k = 0; k < drawnCount; k++) {
        const i = drawn[k];
        if (style[i] !== s) continue;
        const [x2, y2] = endPoint(g, i);
        ctx.moveTo(g.x(src[i]), g.y(sent[i])); ctx.lineTo(x2, y2);
        if (++n % batch === 0) { ctx.stroke(); ctx.beginPath(); }
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (st === "f") continue;
      // Heads: a cross where a dropped message was dropped, else a
      // triangle at the receiver.
      ctx.lineWidth = dropped ? 1.5 : 1;
      n = 0;
      ctx.beginPath();
      for (let k = 0; k < drawnCount; k++) {
        const i = drawn[k];
        if (style[i] !== s) continue;
        const [x2, y2] = endPoint(g, i);
        if (dropped) {
          ctx.moveTo(x2 - 3, y2 - 3); ctx.lineTo(x2 + 3, y2 + 3);
          ctx.moveTo(x2 - 3, y2 + 3); ctx.lineTo(x2 + 3, y2 - 3);
        } else {
          const a = Math.atan2(y2 - g.y(sent[i]), x2 - g.x(src[i]));
          ctx.moveTo(x2, y2);
          ctx.lineTo(x2 - 6 * Math.cos(a - 0.4), y2 - 6 * Math.sin(a - 0.4));
          ctx.lineTo(x2 - 6 * Math.cos(a + 0.4), y2 - 6 * Math.sin(a + 0.4));
          ctx.closePath();
        }
        if (++n % batch === 0) { if (dropped) ctx.stroke(); else ctx.fill(); ctx.beginPath(); }
      }
      if (dropped) ctx.stroke(); else ctx.fill();
      ctx.lineWidth = 1;
    }
    ctx.restore();
    ctx.textAlign = "center";
    for (let c = 0; c < lanes.length; c++) {
      ctx.fillStyle = filter && filter.has(lanes[c]) ? "#c00" : "#000";
      ctx.fillText(lanes[c], g.x(c), 14);
    }
    ctx.textAlign = "start";
    canvas.dataset.drawn = String(drawnCount);
    inFrom.value = (from / 1000).toFixed(3);
    inTo.value = (to / 1000).toFixed(3);
    let msg = drawnCount + " of " + n + " messages drawn, " + (from / 1000).toFixed(3) + "–" + (to / 1000).toFixed(3) + " s";
    if (filter) msg += ", nodes " + Array.from(filter).join(" ");
    if (data.lost) msg += "; the journal lost " + data.lost + " events (disk too slow)";
    if (data.truncated) msg += "; the journal ends in a partial record (run in progress?)";
    status.textContent = msg;
  }

  function frames() {
    return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  }

  // setView applies a window (ms) and a filter string, and draws.
  function setView(f, t, filterText) {
    if (t <= f) t = f + 1;
    from = f; to = t;
    if (filterText !== undefined) {
      const words = filterText.split(/[\s,]+/).filter((w) => w);
      filter = words.length ? new Set(words) : null;
      inFilter.value = words.join(" ");
    }
    draw();
  }

  // The test and benchmark hook: render a window (seconds) with a filter,
  // resolve with the milliseconds until it was painted, and the count.
  window.maelstromDiagram = {
    render: async function (fromS, toS, filterText) {
      const t0 = performance.now();
      setView(fromS * 1000, toS * 1000, filterText || "");
      await frames();
      return { ms: performance.now() - t0, drawn: drawnCount };
    },
    whole: function () { return [data.start / 1000, runEnd() / 1000]; },
    // firstArrow returns [x, y, id]: the midpoint (canvas pixels) of the
    // first drawn arrow that is the nearest one to its own midpoint, with y
    // in [minY, maxY].
    firstArrow: function (minY, maxY) {
      const g = geometry();
      for (let k = 0; k < drawnCount; k++) {
        const i = drawn[k];
        const [x2, y2] = endPoint(g, i);
        const x = Math.round((g.x(src[i]) + x2) / 2), y = Math.round((g.y(sent[i]) + y2) / 2);
        if (y <= Math.max(top, minY) || y >= Math.min(g.h, maxY)) continue;
        let alone = true;
        for (const [dx, dy] of [[0, 0], [-2, -2], [2, 2], [-2, 2], [2, -2]]) alone = alone && nearest(x + dx, y + dy) === i;
        if (alone) return [x, y, data.msgs[i][0]];
      }
      return null;
    },
  };

  // nearest returns the drawn message within 5 px of (px, py), or -1.
  function nearest(px, py) {
    const g = geometry();
    let best = -1, bestD = 25;
    for (let k = 0; k < drawnCount; k++) {
      const i = drawn[k];
      const x1 = g.x(src[i]), y1 = g.y(sent[i]);
      const [x2, y2] = endPoint(g, i);
      const dx = x2 - x1, dy = y2 - y1;
      const len = dx * dx + dy * dy;
      let u = len > 0 ? ((px - x1) * dx + (py - y1) * dy) / len : 0;
      u = Math.max(0, Math.min(1, u));
      const ex = x1 + u * dx - px, ey = y1 + u * dy - py;
      const d = ex * ex + ey * ey;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }

  function describe(i, full) {
    const m = data.msgs[i];
    const fate = { d: "delivered", x: "dropped (partition)", k: "dropped (receiver down)", f: "never delivered" }[m[7]];
    let body = JSON.stringify(m[8], null, full ? 2 : 0);
    if (!full && body.length > 1500) body = body.slice(0, 1500) + " … (" + (body.length - 1500) + " more characters: click)";
    const when = m[7] === "f" ? "due " + (m[3] / 1000).toFixed(3) : (m[2] / 1000).toFixed(3) + " s (+" + (m[2] - m[1]).toFixed(1) + " ms)";
    return "#" + m[0] + " " + m[4] + " → " + m[5] + ", sent " + (m[1] / 1000).toFixed(3) + " s, " + fate + " " + when + "\n" + body;
  }

  let drag = null;
  canvas.addEventListener("mousemove", (ev) => {
    if (!data) return;
    const r = canvas.getBoundingClientRect();
    const px = ev.clientX - r.left, py = ev.clientY - r.top;
    // A drag pans once the pointer has moved 3 px with the button down;
    // less is a click.
    if (drag && (drag.moved || Math.abs(py - drag.y) > 3)) {
      const dt = ((py - drag.y) / (canvas.clientHeight - top - 6)) * (drag.to - drag.from);
      setView(drag.from - dt, drag.to - dt);
      drag.moved = true;
      return;
    }
    const i = nearest(px, py);
    if (i < 0) { tip.hidden = true; return; }
    tip.textContent = describe(i, false);
    tip.hidden = false;
    tip.style.left = Math.min(px + 12, r.width - 320) + "px";
    tip.style.top = py + 12 + "px";
  });
  canvas.addEventListener("mouseleave", () => { tip.hidden = true; drag = null; });
  canvas.addEventListener("mousedown", (ev) => {
    const r = canvas.getBoundingClientRect();
    drag = { y: ev.clientY - r.top, from, to, moved: false };
  });
  canvas.addEventListener("mouseup", (ev) => {
    const wasDrag = drag && drag.moved;
    drag = null;
    if (wasDrag || !data) return;
    const r = canvas.getBoundingClientRect();
    const px = ev.clientX - r.left, py = ev.clientY - r.top;
    if (py < top) { // a lane name: toggle it in the filter
      const g = geometry();
      const c = Math.floor((px - left) / g.laneW);
      if (c >= 0 && c < lanes.length) {
        const set = new Set(filter || []);
        if (set.has(lanes[c])) set.delete(lanes[c]); else set.add(lanes[c]);
        setView(from, to, Array.from(set).join(" "));
      }
      return;
    }
    const i = nearest(px, py);
    if (i >= 0) picked.textContent = describe(i, true);
  });
  canvas.addEventListener("wheel", (ev) => {
    if (!data) return;
    ev.preventDefault();
    const r = canvas.getBoundingClientRect();
    const g = geometry();
    const t = from + ((ev.clientY - r.top - top) / (g.h - top - 6)) * (to - from);
    const k = ev.deltaY > 0 ? 1.25 : 0.8;
    setView(t - (t - from) * k, t + (to - t) * k);
  }, { passive: false });
  document.getElementById("win-apply").addEventListener("click", () => setView(inFrom.value * 1000, inTo.value * 1000, inFilter.value));
  document.getElementById("win-all").addEventListener("click", () => setView(data.start, runEnd(), inFilter.value));
  document.getElementById("win-prev").addEventListener("click", () => setView(from - (to - from), from));
  document.getElementById("win-next").addEventListener("click", () => setView(to, to + (to - from)));
  inFilter.addEventListener("change", () => setView(from, to, inFilter.value));
  for (const el of [inFrom, inTo]) el.addEventListener("keydown", (ev) => { if (ev.key === "Enter") setView(inFrom.value * 1000, inTo.value * 1000, inFilter.value); });
  window.addEventListener("resize", () => { if (data) draw(); });

  fetch(canvas.dataset.src)
    .then((r) => { if (!r.ok) throw new Error(r.status + " " + r.statusText); return r.json(); })
    .then(async (d) => {
      load(d);
      draw();
      await frames();
      canvas.dataset.firstRenderMs = String(performance.now());
      canvas.dataset.ready = "1";
    })
    .catch((e) => { status.textContent = "cannot load the diagram: " + e.message; canvas.dataset.ready = "error"; });
})();
