// Drawing a region redaction on a rendered page (docs/redaction.md). No library, no CDN.
// The page image is rendered at `data-scale` pixels per PDF point, as the page is shown (turned by its
// /Rotate, cut to its CropBox). `data-matrix` (a,b,c,d,e,f) maps a point on the shown page (points, origin
// top-left, y down) to PDF points (origin bottom-left): x = a*u + c*v + e, y = b*u + d*v + f
// (aktflow.redaction.pages.shown_to_pdf). A rectangle dragged on the image is turned into PDF points and
// written into the region form's "box" field.
(function () {
  "use strict";
  var area = document.getElementById("page-draw");
  var img = document.getElementById("page-image");
  var field = document.getElementById("redact-box");
  if (!area || !img || !field) return;
  var scale = parseFloat(area.dataset.scale);
  var m = (area.dataset.matrix || "").split(",").map(parseFloat);
  if (m.length !== 6 || m.some(isNaN)) {
    // Without the page's matrix: an unturned page whose CropBox starts at (left, bottom).
    var top = parseFloat(area.dataset.bottom) + parseFloat(area.dataset.height);
    m = [1, 0, 0, -1, parseFloat(area.dataset.left), top];
  }
  var box = document.createElement("div");
  box.className = "drawn-box";
  box.hidden = true;
  area.appendChild(box);
  var start = null;

  function point(ev) {
    var r = img.getBoundingClientRect();
    var x = Math.min(Math.max(ev.clientX - r.left, 0), r.width);
    var y = Math.min(Math.max(ev.clientY - r.top, 0), r.height);
    return { x: x, y: y, ratio: img.naturalWidth / r.width };
  }

  function show(a, b) {
    box.hidden = false;
    box.style.left = Math.min(a.x, b.x) + "px";
    box.style.top = Math.min(a.y, b.y) + "px";
    box.style.width = Math.abs(a.x - b.x) + "px";
    box.style.height = Math.abs(a.y - b.y) + "px";
  }

  function toPoints(a, b) {
    // Displayed pixels -> rendered pixels -> points on the shown page -> PDF points (y up in PDF).
    var k = a.ratio / scale;
    var xs = [], ys = [];
    [a, b].forEach(function (p) {
      var u = p.x * k, v = p.y * k;
      xs.push(m[0] * u + m[2] * v + m[4]);
      ys.push(m[1] * u + m[3] * v + m[5]);
    });
    var out = [Math.min.apply(null, xs), Math.min.apply(null, ys), Math.max.apply(null, xs), Math.max.apply(null, ys)];
    return out.map(function (v) { return v.toFixed(1); }).join(",");
  }

  area.addEventListener("pointerdown", function (ev) {
    ev.preventDefault();
    start = point(ev);
    area.setPointerCapture(ev.pointerId);
    show(start, start);
  });
  area.addEventListener("pointermove", function (ev) {
    if (start) show(start, point(ev));
  });
  area.addEventListener("pointerup", function (ev) {
    if (!start) return;
    var end = point(ev);
    if (Math.abs(end.x - start.x) > 2 && Math.abs(end.y - start.y) > 2) {
      field.value = toPoints(start, end);
      field.focus();
    } else {
      box.hidden = true;
    }
    start = null;
  });
})();
