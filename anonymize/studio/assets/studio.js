// The studio's one script. Everything works without it (type the numbers, type the word); with
// it, a person draws on the picture and selects a word in the testimony. It loads nothing.
"use strict";

const SVG = "http://www.w3.org/2000/svg";

function drawing(section) {
  const figure = section.querySelector("figure.canvas");
  const form = section.querySelector("form.draw");
  if (!figure || !form) return;
  const svg = figure.querySelector("svg.drawing");
  const width = Number(figure.dataset.width), height = Number(figure.dataset.height);
  svg.hidden = false;
  let start = null, points = [];

  const field = (name) => form.elements.namedItem(name);
  const shape = () => form.querySelector("input[name=shape]:checked").value;
  const clamp = (v, max) => Math.max(0, Math.min(max, Math.round(v)));
  const at = (event) => {
    const r = svg.getBoundingClientRect();
    return [clamp((event.clientX - r.left) * width / r.width, width),
            clamp((event.clientY - r.top) * height / r.height, height)];
  };

  function show() {
    svg.replaceChildren();
    let element = null;
    const x = Number(field("x").value), y = Number(field("y").value);
    const w = Number(field("w").value), h = Number(field("h").value);
    if (shape() === "polygon") {
      if (!points.length) return;
      element = document.createElementNS(SVG, points.length > 2 ? "polygon" : "polyline");
      element.setAttribute("points", points.map((p) => p.join(",")).join(" "));
    } else if (w > 0 && h > 0) {
      element = document.createElementNS(SVG, shape() === "ellipse" ? "ellipse" : "rect");
      if (shape() === "ellipse") {
        element.setAttribute("cx", x + w / 2); element.setAttribute("cy", y + h / 2);
        element.setAttribute("rx", w / 2); element.setAttribute("ry", h / 2);
      } else {
        element.setAttribute("x", x); element.setAttribute("y", y);
        element.setAttribute("width", w); element.setAttribute("height", h);
      }
    }
    if (element) {
      element.setAttribute("class", "overlay overlay--drawing");
      svg.append(element);
    }
  }

  function setBox(a, b) {
    field("x").value = Math.min(a[0], b[0]); field("y").value = Math.min(a[1], b[1]);
    field("w").value = Math.abs(a[0] - b[0]); field("h").value = Math.abs(a[1] - b[1]);
    show();
  }

  function setPoints() {
    field("points").value = points.map((p) => p.join(",")).join(" ");
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    if (points.length) setBox([Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]);
    show();
  }

  svg.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    if (shape() === "polygon") {
      points.push(at(event));
      setPoints();
      return;
    }
    start = at(event);
    svg.setPointerCapture(event.pointerId);
    setBox(start, start);
  });
  svg.addEventListener("pointermove", (event) => { if (start) setBox(start, at(event)); });
  const finish = (event) => {
    if (!start) return;
    setBox(start, at(event));
    start = null;
    field("reason").focus({ preventScroll: true });
  };
  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointercancel", () => { start = null; });
  form.addEventListener("input", (event) => {
    if (event.target.name === "points") {
      const n = (event.target.value.match(/-?\d+(\.\d+)?/g) || []).map(Number);
      points = [];
      for (let i = 0; i + 1 < n.length; i += 2) points.push([n[i], n[i + 1]]);
    }
    if (event.target.name === "shape") points = [];
    show();
  });
  form.addEventListener("reset", () => { points = []; setTimeout(show); });
  form.addEventListener("submit", (event) => {
    if (field("purpose").value === "region" && !field("reason").value.trim()) {
      event.preventDefault();
      field("reason").setCustomValidity("Say what it is: why it is redacted");
      field("reason").reportValidity();
    }
  });
  field("reason").addEventListener("input", () => field("reason").setCustomValidity(""));
}

function withholding() {
  const text = document.getElementById("testimony");
  const term = document.getElementById("term");
  if (!text || !term) return;
  const pick = () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !text.contains(selection.anchorNode)) return;
    const chosen = selection.toString().replace(/\s+/g, " ").trim().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    if (chosen) term.value = chosen;
  };
  text.addEventListener("mouseup", pick);
  text.addEventListener("keyup", pick);
  text.addEventListener("touchend", () => setTimeout(pick, 0));
}

document.querySelectorAll("section.photo").forEach(drawing);
withholding();
