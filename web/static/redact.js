// Drawing a region redaction on a rendered page (docs/redaction.md). No library, no CDN.
// The page image is rendered at `data-scale` pixels per PDF point; the CropBox's origin is
// (`data-left`, `data-bottom`) and its height `data-height` points. A rectangle dragged on the image is
// turned into PDF points (origin bottom-left) and written into the region form's "box" field.
(function () {
  "use strict";
  var area = document.getElementById("page-draw");
  var img = document.getElementById("page-image");
  var field = document.getElementById("redact-box");
  if (!area || !img || !field) return;
  var scale = parseFloat(area.dataset.scale);
  var left = parseFloat(area.dataset.left);
  var bottom = parseFloat(area.dataset.bottom);
  var height = parseFloat(area.dataset.height);
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
    // Displayed pixels -> rendered pixels -> PDF points (y grows upwards in PDF).
    var k = a.ratio / scale;
    var x0 = left + Math.min(a.x, b.x) * k;
    var x1 = left + Math.max(a.x, b.x) * k;
    var y0 = bottom + height - Math.max(a.y, b.y) * k;
    var y1 = bottom + height - Math.min(a.y, b.y) * k;
    return [x0, y0, x1, y1].map(function (v) { return v.toFixed(1); }).join(",");
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
