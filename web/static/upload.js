/* Bulk work on the case page (web/bulk.py): several files uploaded one by one with a progress bar each,
   a drop zone, "vælg alle på siden" for the bulk assessment, and the searchable list of grounds.
   Everything works without this script too (one request with all files; the full list of grounds). */
(function () {
  "use strict";
  if (window.aktflowBulk) { return; }
  window.aktflowBulk = true;

  function size(bytes) {
    return (bytes / 1048576).toLocaleString("da-DK", { maximumFractionDigits: 1 }) + " MB";
  }

  function item(list, file) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = file.name + " (" + size(file.size) + ") ";
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Overført af " + file.name);
    var status = document.createElement("span");
    status.className = "small";
    li.appendChild(name); li.appendChild(bar); li.appendChild(status);
    list.appendChild(li);
    return { li: li, bar: bar, status: status };
  }

  function send(form, file, row) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { row.bar.value = Math.round(100 * e.loaded / e.total); }
      };
      xhr.onload = function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = null; }
        if (xhr.status === 200 && answer && answer.ok) {
          row.bar.value = 100; row.status.textContent = "Tilføjet";
          row.li.setAttribute("data-upload", "ok");
        } else {
          var why = answer && answer.error ? answer.error :
            (xhr.status === 413 ? "Filen er for stor." : "Filen kunne ikke tilføjes (" + xhr.status + ").");
          row.status.textContent = "Ikke tilføjet: " + why;
          row.li.setAttribute("data-upload", "failed");
        }
        resolve();
      };
      xhr.onerror = function () {
        row.status.textContent = "Ikke tilføjet: forbindelsen til serveren blev afbrudt.";
        row.li.setAttribute("data-upload", "failed");
        resolve();
      };
      xhr.send(data);
    });
  }

  function setupUpload(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("[data-upload-list]");
    var zone = form.querySelector("[data-dropzone]");
    var max = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    var dropped = null;

    function show(files) {
      list.textContent = "";
      Array.prototype.forEach.call(files, function (f) {
        var row = item(list, f);
        if (max && f.size > max) { row.status.textContent = "For stor: højst " + size(max) + "."; }
      });
    }
    input.addEventListener("change", function () { dropped = null; show(input.files); });
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      dropped = e.dataTransfer.files;
      show(dropped);
    });
    form.addEventListener("submit", function (e) {
      var files = Array.prototype.slice.call(dropped || input.files);
      e.preventDefault();
      if (!files.length) { list.textContent = ""; item(list, { name: "Vælg mindst én fil", size: 0 }); return; }
      list.textContent = "";
      form.querySelector("[data-upload-submit]").disabled = true;
      var chain = Promise.resolve();
      files.forEach(function (f) {
        var row = item(list, f);
        if (max && f.size > max) {
          row.status.textContent = "Ikke tilføjet: filen er større end " + size(max) + ".";
          row.li.setAttribute("data-upload", "failed");
          return;
        }
        chain = chain.then(function () { return send(form, f, row); });
      });
      chain.then(function () {
        var done = list.querySelectorAll("[data-upload=ok]").length;
        var p = document.createElement("p");
        p.setAttribute("role", "status");
        p.setAttribute("data-upload-done", String(done));
        p.textContent = done + " af " + files.length + " filer tilføjet. ";
        var a = document.createElement("a");
        a.href = window.location.pathname + "#dokumenter";
        a.textContent = "Vis dokumenterne";
        p.appendChild(a);
        form.appendChild(p);
        form.querySelector("[data-upload-submit]").disabled = false;
      });
    });
  }

  function setupSelectAll(box) {
    box.addEventListener("change", function () {
      document.querySelectorAll("input[data-bulk-select]").forEach(function (c) { c.checked = box.checked; });
    });
  }

  function setupGrounds(search) {
    var set = document.getElementById(search.getAttribute("data-grounds-filter"));
    var none = set.querySelector("[data-grounds-none]");
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      var shown = 0;
      set.querySelectorAll("[data-ground-text]").forEach(function (label) {
        var hit = !q || label.getAttribute("data-ground-text").indexOf(q) !== -1;
        label.hidden = !hit;
        if (hit) { shown += 1; }
      });
      none.hidden = shown !== 0;
    });
  }

  function init() {
    document.querySelectorAll("form[data-upload-many]").forEach(setupUpload);
    document.querySelectorAll("input[data-select-all]").forEach(setupSelectAll);
    document.querySelectorAll("input[data-grounds-filter]").forEach(setupGrounds);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
