// aktflow: the focus on a failed form's error summary, the draft kept over a new login, and the KLE search
// on the intake form. Plain JS, no libraries; every page works without it.

// A form that failed is drawn again with an error summary (data-error-summary): the focus moves to it, so
// it is in view and read out; its links move the focus to the field they name.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  var details = summary.closest("details");
  if (details) details.open = true;
  summary.focus();
  summary.scrollIntoView({ block: "start" });
  summary.addEventListener("click", function (ev) {
    var a = ev.target.closest("a[href^='#']");
    if (!a) return;
    var field = document.getElementById(a.getAttribute("href").slice(1));
    if (!field) return;
    ev.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
})();

// The draft over a new login: what a form holds is kept in this tab (sessionStorage) as it is sent. When
// the session had ended, the server answers with the login page (data-session-ended); after the login the
// browser comes back to the page the form was on, and the draft is put back in the same form. Any other
// page after a send drops the draft (the server kept or stored what was typed). Files, passwords, CPR
// numbers (the field named cpr, and any value that holds one) and the form's own keys are never kept. The
// draft names the user who typed it (meta aktflow-user) and is put back only for that user: another
// person logging in in the same tab never sees it.
(function () {
  "use strict";
  var KEY = "aktflow-draft", MAX_AGE = 2 * 60 * 60 * 1000;
  var SKIP = { csrf_token: 1, version: 1, password: 1, cpr: 1, intake_token: 1, letter_sha256: 1, next: 1, back: 1 };
  var CPR = /(^|\D)\d{6}[ -]?\d{4}(?!\d)/;
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) return;

  function actionOf(form) {
    return new URL(form.getAttribute("action") || window.location.pathname, window.location.href).pathname;
  }

  function user() {
    var meta = document.querySelector("meta[name='aktflow-user']");
    return meta ? meta.getAttribute("content") : null;
  }

  function read() {
    try { return JSON.parse(store.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || form.method.toLowerCase() !== "post" || form.hasAttribute("data-login")) return;
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.disabled) return;
      var type = (el.type || "").toLowerCase();
      if (type === "file" || type === "password" || type === "hidden" || type === "submit" || type === "button") return;
      if (type === "checkbox" || type === "radio") {
        if (el.checked) (fields[el.name] = fields[el.name] || []).push(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        fields[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        fields[el.name] = [el.value];
      }
      if (fields[el.name] && fields[el.name].some(function (v) { return CPR.test(v); })) delete fields[el.name];
    });
    try {
      store.setItem(KEY, JSON.stringify({
        page: window.location.pathname, action: actionOf(form), fields: fields, at: Date.now(), user: user()
      }));
    } catch (e) { /* a full storage: the form is sent all the same */ }
  }, true);

  var draft = read();
  if (!draft) return;
  if (document.querySelector("[data-session-ended]")) {
    draft.waiting = true;  // kept until the user is back on the page the form was on
    store.setItem(KEY, JSON.stringify(draft));
    var note = document.querySelector("[data-draft-note]");
    if (note) note.hidden = false;
    return;
  }
  store.removeItem(KEY);
  if (!draft.waiting || draft.page !== window.location.pathname || Date.now() - draft.at > MAX_AGE) return;
  if (!draft.user || draft.user !== user()) return;  // typed by someone else: never shown to this user
  var form = Array.prototype.find.call(document.forms, function (f) {
    return f.method.toLowerCase() === "post" && actionOf(f) === draft.action;
  });
  if (!form) return;
  Object.keys(draft.fields).forEach(function (name) {
    var values = draft.fields[name];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name) return;
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else if (type !== "file" && type !== "hidden") {
        el.value = values[0] || "";
      }
    });
  });
  Array.prototype.forEach.call(form.elements, function (el) {
    // a checkbox left unticked in the draft is unticked again
    if (el.type === "checkbox" && !(el.name in draft.fields)) el.checked = false;
  });
  var details = form.closest("details");
  if (details) details.open = true;
  var msg = document.createElement("div");
  msg.className = "flash info";
  msg.setAttribute("role", "status");
  msg.setAttribute("data-draft-restored", "");
  msg.textContent = "Det, du skrev, før du blev logget ud, er sat ind igen. Tjek det, og send formularen igen.";
  form.insertBefore(msg, form.firstChild);
  msg.scrollIntoView({ block: "center" });
})();

// The KLE search on the intake form.
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
