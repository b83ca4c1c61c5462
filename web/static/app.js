// aktflow: the KLE search on the intake form. Plain JS, no libraries; the form works without it.
(function () {
  "use strict";
  var input = document.querySelector("input[data-kle-search]");
  if (!input) return;
  var list = document.getElementById("kle-list");
  var title = document.getElementById("kle-title");
  var url = input.getAttribute("data-kle-search");
  var timer = null, last = null, known = {};

  function show() {
    var hit = known[input.value.trim()];
    title.textContent = hit ? hit : "";
  }

  function fetchResults() {
    var q = input.value.trim();
    if (q === last || q.length < 2) { show(); return; }
    last = q;
    fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        while (list.firstChild) list.removeChild(list.firstChild);
        (data.results || []).forEach(function (row) {
          var opt = document.createElement("option");
          opt.value = row.emne;
          opt.label = row.emne + " " + row.titel;
          opt.textContent = row.titel;
          known[row.emne] = row.titel;
          list.appendChild(opt);
        });
        show();
      })
      .catch(function () { /* the search is a help only */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchResults, 180);
    show();
  });
  input.addEventListener("change", show);
  if (input.value) fetchResults();
})();
