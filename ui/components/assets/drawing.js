/* The drawing pad: pen, arrow, rectangle and text label over a frame, a few colours, Undo and Clear.
 *
 * Mounted by ui/components/drawing.py (st.components.v2). data: {image (a data: URI or ""),
 * maxStrokes, maxPoints, labelMax, colours {name: css}}. Every finished stroke sends the whole list
 * back as the state value "strokes": [{tool, colour, points: [[x, y], …] in 0..1, text?}, …].
 * A label is drawn with fillText (never parsed); the root carries data-strokes for tests.
 */
const pads = new WeakMap();
const latest = new WeakMap();

function createPad(root, data, send) {
  "use strict";
  const doc = root.ownerDocument || document;
  const win = doc.defaultView || window;
  const make = (tag, cls, text) => {
    const node = doc.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  let tool = "pen";
  let colour = "red";
  let strokes = [];
  let current = null;

  const pad = make("div", "sb-pad");
  pad.dataset.strokes = "0";
  const bar = make("div", "sb-pad-bar");
  const tools = [
    ["pen", "✏️ Pen"],
    ["arrow", "↗ Arrow"],
    ["rect", "▭ Box"],
    ["text", "T Text"],
  ].map(([name, label]) => {
    const b = make("button", "sb-pad-tool", label);
    b.type = "button";
    b.dataset.tool = name;
    b.addEventListener("click", () => {
      tool = name;
      redrawBar();
    });
    return b;
  });
  const swatches = Object.entries(data.colours).map(([name, css]) => {
    const b = make("button", "sb-pad-colour");
    b.type = "button";
    b.dataset.colour = name;
    b.title = name;
    b.style.background = css;
    b.addEventListener("click", () => {
      colour = name;
      redrawBar();
    });
    return b;
  });
  const label = make("input", "sb-pad-label");
  label.type = "text";
  label.maxLength = data.labelMax;
  label.placeholder = "Label text, then click the frame";
  label.setAttribute("aria-label", "Label text");
  const undo = make("button", "sb-pad-undo", "↶ Undo");
  undo.type = "button";
  undo.addEventListener("click", () => {
    strokes.pop();
    changed();
  });
  const clear = make("button", "sb-pad-clear", "Clear");
  clear.type = "button";
  clear.addEventListener("click", () => {
    strokes = [];
    changed();
  });
  const note = make("span", "sb-pad-note");
  bar.append(...tools, ...swatches, label, undo, clear, note);

  const stage = make("div", "sb-pad-stage");
  const canvas = make("canvas", "sb-pad-canvas");
  if (data.image) {
    const img = make("img", "sb-pad-frame");
    img.alt = "";
    img.src = data.image;
    img.addEventListener("load", () => {
      stage.style.aspectRatio = `${img.naturalWidth} / ${img.naturalHeight}`;
      draw();
    });
    stage.append(img);
  }
  stage.append(canvas);
  pad.append(bar, stage);
  root.append(pad);

  function redrawBar() {
    tools.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.tool === tool)));
    swatches.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.colour === colour)));
    undo.disabled = clear.disabled = !strokes.length;
  }

  function points() {
    return strokes.reduce((n, s) => n + s.points.length, 0) + (current ? current.points.length : 0);
  }

  function at(event) {
    const box = canvas.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, Math.round(v * 10000) / 10000));
    return [clamp((event.clientX - box.left) / box.width), clamp((event.clientY - box.top) / box.height)];
  }

  function full() {
    if (strokes.length >= data.maxStrokes || points() >= data.maxPoints) {
      note.textContent = "The drawing is full: undo a mark to draw another.";
      return true;
    }
    return false;
  }

  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    note.textContent = "";
    if (full()) return;
    const p = at(event);
    if (tool === "text") {
      const text = label.value.trim();
      if (!text) {
        note.textContent = "Type the label's text first.";
        return;
      }
      strokes.push({ tool, colour, points: [p], text });
      label.value = "";
      return changed();
    }
    current = { tool, colour, points: tool === "pen" ? [p] : [p, p] };
    canvas.setPointerCapture?.(event.pointerId);
    draw();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    const p = at(event);
    if (current.tool !== "pen") current.points[1] = p;
    else {
      const last = current.points[current.points.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) < 0.004 || points() >= data.maxPoints) return;
      current.points.push(p);
    }
    draw();
  });
  const finish = () => {
    if (!current) return;
    strokes.push(current);
    current = null;
    changed();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);

  function changed() {
    pad.dataset.strokes = String(strokes.length);
    redrawBar();
    draw();
    send(strokes.map((s) => ({ ...s, points: s.points.map((p) => [...p]) })));
  }

  function draw() {
    const ratio = win.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.lineWidth = Math.max(2, 0.006 * w);
    for (const s of current ? [...strokes, current] : strokes) {
      const css = data.colours[s.colour];
      ctx.strokeStyle = ctx.fillStyle = css;
      const xy = s.points.map(([x, y]) => [x * w, y * h]);
      if (s.tool === "text") {
        ctx.font = `${Math.max(10, Math.round(0.045 * h))}px sans-serif`;
        ctx.textBaseline = "top";
        ctx.fillText(s.text, xy[0][0], xy[0][1]);
      } else if (s.tool === "rect") {
        ctx.strokeRect(xy[0][0], xy[0][1], xy[1][0] - xy[0][0], xy[1][1] - xy[0][1]);
      } else {
        ctx.beginPath();
        ctx.moveTo(...xy[0]);
        xy.slice(1).forEach((p) => ctx.lineTo(...p));
        if (xy.length === 1) ctx.lineTo(xy[0][0] + 0.1, xy[0][1]);
        ctx.stroke();
        if (s.tool === "arrow") head(ctx, xy[0], xy[1], ctx.lineWidth * 4);
      }
    }
  }

  function head(ctx, from, to, size) {
    const angle = Math.atan2(to[1] - from[1], to[0] - from[0]);
    ctx.beginPath();
    ctx.moveTo(...to);
    for (const turn of [150, -150]) {
      const a = angle + (turn * Math.PI) / 180;
      ctx.lineTo(to[0] + size * Math.cos(a), to[1] + size * Math.sin(a));
    }
    ctx.closePath();
    ctx.fill();
  }

  const resized = new win.ResizeObserver(() => draw());
  resized.observe(stage);
  redrawBar();
  draw();
  return {
    destroy() {
      resized.disconnect();
      pad.remove();
    },
  };
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const call = {};
  latest.set(parentElement, call);
  if (!pads.has(parentElement)) {
    pads.set(parentElement, createPad(parentElement, data, (strokes) => setStateValue("strokes", strokes)));
  }
  return () => {
    if (latest.get(parentElement) !== call) return;
    pads.get(parentElement)?.destroy();
    pads.delete(parentElement);
    latest.delete(parentElement);
  };
}
