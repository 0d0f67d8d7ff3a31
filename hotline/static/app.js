// hotline: the little JavaScript there is. Everything works without it; this makes intake faster
// and makes sure a call typed on the intake form is never lost (drafts, area resolution).
(function () {
  "use strict";
  const csrf = document.body.dataset.csrf || "";
  const DRAFT = "hotline-draft:";
  const TAB_DRAFT = "hotline-draft-key";
  const DRAFT_MAX_AGE = 12 * 3600 * 1000; // drafts hold case data: kept half a day at most

  function debounce(fn, ms) {
    let t;
    return function (...args) { clearTimeout(t); t = setTimeout(() => fn.apply(this, args), ms); };
  }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    children.forEach((c) => node.append(c));
    return node;
  }
  // The same folding as hotline.i18n.text.fold: "Xã Tân Cảnh" -> "xa tan canh".
  function fold(text) {
    return text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }
  function focusables(form) {
    return Array.from(form.querySelectorAll("input, select, textarea, button, summary, a[href]"))
      .filter((n) => n.type !== "hidden" && !n.disabled && n.tabIndex >= 0 && n.offsetParent !== null);
  }
  function focusNext(node) {
    const all = focusables(node.form || document.getElementById("intake-form"));
    const next = all[all.indexOf(node) + 1];
    if (next) next.focus();
  }

  // Area picker: matches names typed without diacritics ("tan canh" finds "Xã Tân Cảnh"). On Tab,
  // blur or save, the text resolves: one match is picked, several keep the list open, none is an
  // error beside the field. Nothing typed is ever silently dropped.
  let resolveArea = async function () { return "ok"; };
  function areaPicker() {
    const input = document.getElementById("area-search");
    const hidden = document.getElementById("area");
    const list = document.getElementById("area-results");
    const path = document.getElementById("area-path");
    const error = document.getElementById("err-area");
    const unknown = document.getElementById("area-unknown");
    const unknownNote = document.getElementById("area-unknown-note");
    if (!input || !hidden || !list) return;
    let items = [], active = -1, loadedFor = null, severalShown = false;
    function showError(text) {
      if (!error) return;
      error.textContent = text || ""; error.hidden = !text;
      input.classList.toggle("invalid", Boolean(text));
      if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", text ? "area-path err-area" : "area-path");
    }
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); severalShown = false; }
    function choose(item) {
      // An area of the old map: the call goes on what it is today; split, pick the part.
      const today = item.today || [];
      if (today.length > 1) { items = today; active = 0; render(); input.focus(); return; }
      const now = today.length === 1 ? today[0] : item;
      hidden.value = now.code; path.textContent = now.path;
      input.value = now === item ? item.name : item.name + " → " + now.name;
      close(); showError(""); suggest(); saveDraft();
      if (unknown && unknown.checked) { unknown.checked = false; unknownNote.hidden = true; }
    }
    function render() {
      list.replaceChildren(...items.map((item, i) => {
        const now = (item.today || []).map((t) => t.name).join(", ");
        const li = el("li", { role: "option", id: `area-opt-${i}`, "aria-selected": String(i === active) },
          now ? item.name + " → " + now : item.name, el("small", {}, item.path));
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(item); });
        return li;
      }));
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", String(!list.hidden));
      if (active >= 0) input.setAttribute("aria-activedescendant", `area-opt-${active}`);
      else input.removeAttribute("aria-activedescendant");
    }
    async function load(q) {
      if (q === loadedFor) return items;
      const res = await fetch("/api/v1/areas?q=" + encodeURIComponent(q), { credentials: "same-origin" });
      items = res.ok ? (await res.json()).items : [];
      loadedFor = q; active = items.length ? 0 : -1;
      return items;
    }
    function unique(q) {
      if (items.length === 1) return items[0];
      const wanted = fold(q);
      const byName = items.filter((item) => fold(item.name).includes(wanted));
      return byName.length === 1 ? byName[0] : null;
    }
    resolveArea = async function () {
      const q = input.value.trim();
      if (hidden.value) return "ok";
      if (!q) return "empty";
      await load(q);
      if (input.value.trim() !== q || hidden.value) return "ok"; // typed on meanwhile
      const one = unique(q);
      if (one) { choose(one); return "picked"; }
      if (items.length) {
        render(); severalShown = true; showError(input.dataset.several); return "several";
      }
      close(); showError(unknown && unknown.checked ? "" : input.dataset.none); return "none";
    };
    const search = debounce(async () => {
      const q = input.value.trim();
      if (!q) { items = []; loadedFor = null; render(); return; }
      await load(q);
      if (input.value.trim() === q && document.activeElement === input) render();
    }, 150);
    input.addEventListener("input", () => { hidden.value = ""; path.textContent = ""; showError(""); search(); });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Tab" && !e.shiftKey && !hidden.value && input.value.trim()) {
        if (severalShown) { close(); return; } // a second Tab leaves; the error stays beside the field
        e.preventDefault();
        resolveArea().then((r) => { if (r !== "several") focusNext(input); });
        return;
      }
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0 && !e.ctrlKey && !e.metaKey) { choose(items[active]); e.preventDefault(); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", () => setTimeout(() => {
      if (document.activeElement === input) return;
      if (!hidden.value && input.value.trim()) resolveArea(); else close();
    }, 150));
    if (unknown) unknown.addEventListener("change", () => {
      unknownNote.hidden = !unknown.checked;
      if (unknown.checked && !hidden.value) showError("");
    });
  }

  // Live suggestions: what the classifier and the rules would do, without saving anything.
  let suggest = function () {};
  function liveSuggestions() {
    const form = document.getElementById("intake-form");
    const box = document.getElementById("suggestions");
    if (!form || !box) return;
    function body() {
      const data = new FormData(form);
      const people = [];
      for (let i = 0; data.has(`people-${i}-sex`); i++) {
        const age = data.get(`people-${i}-age`);
        people.push({ age: age && /^\d+$/.test(age) ? Number(age) : null, sex: data.get(`people-${i}-sex`) || null });
      }
      return {
        line: data.get("line"), area: data.get("area") || null, narrative: data.get("narrative") || "",
        categories: data.getAll("categories"), subcategories: data.getAll("subcategories"),
        urgency: data.get("urgency") || "normal", needs: data.getAll("needs"),
        people: people.filter((p) => p.age !== null || p.sex),
      };
    }
    function post(payload) {
      return fetch("/api/v1/routing/explain", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(payload),
      });
    }
    suggest = debounce(async () => {
      if (!(form.elements.narrative.value || "").trim()) {
        box.replaceChildren(el("span", { class: "hint" }, box.dataset.empty)); return;
      }
      const payload = body();
      let res = await post(payload);
      if (res.status === 422) {
        // A field being typed is not valid yet (an age of 200): suggest from the rest.
        const fields = ((await res.json()).error || {}).fields || {};
        Object.keys(fields).forEach((name) => {
          const top = name.split(/[.[]/)[0];
          if (top === "people") payload.people = [];
          else if (top !== "line" && top !== "narrative" && top in payload) delete payload[top];
        });
        res = await post(payload);
      }
      if (!res.ok) return; // keep what is shown rather than empty the box
      const d = await res.json();
      const parts = [];
      const cats = (d.suggestions || []).filter((s) => s.kind === "category");
      if (cats.length === 0 && !(d.referrals || []).length) {
        box.replaceChildren(el("span", { class: "hint" }, box.dataset.empty)); return;
      }
      const head = el("div", {}, el("strong", {}, box.dataset.title + ": "));
      // Each suggestion says where it came from (the rules, the model, both) and why: the
      // words that fired or weighed, marked by what found them.
      const sources = { rules: box.dataset.srcRules, model: box.dataset.srcModel, "rules+model": box.dataset.srcBoth };
      (d.suggestions || []).forEach((s) => {
        const span = el("span", { class: "sugg" }, el("span", { class: s.kind === "category" ? "tag strong" : "tag" }, s.label || s.code));
        if (s.source) span.append(" ", el("small", { class: `src src-${s.source.replace("+", "-")}` }, sources[s.source] || s.source));
        const why = s.why && s.why.length ? s.why : (s.words || []).map((w) => ({ text: w, source: s.source }));
        if (why.length) span.append(" ", ...why.map((w) => el("mark", { class: `m-${w.source}`, title: sources[w.source] || "" }, w.text)));
        head.append(span);
      });
      parts.push(head);
      if ((d.referrals || []).length) {
        parts.push(el("div", {}, el("strong", {}, box.dataset.agencies + ":"),
          el("ul", {}, ...d.referrals.map((r) => el("li", {}, r.agency_name || r.agency_code)))));
      } else if (d.triage) {
        parts.push(el("div", { class: "hint" }, box.dataset.triage));
      }
      box.replaceChildren(...parts);
    }, 300);
    form.addEventListener("input", (e) => { if (e.target.name !== "caller_phone") suggest(); });
    form.addEventListener("change", suggest);
  }

  // People at risk: one row at first, "+ person" (or Alt+P) adds the next.
  function addPersonRow(box) {
    const rows = box.querySelectorAll(".person");
    const last = rows[rows.length - 1];
    const index = rows.length;
    const row = last.cloneNode(true);
    row.dataset.index = index;
    row.querySelectorAll("input, select").forEach((input) => {
      input.name = input.name.replace(/people-\d+-/, `people-${index}-`);
      if (input.type === "checkbox") input.checked = false; else input.value = "";
      input.classList.remove("invalid"); input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby");
    });
    row.querySelectorAll(".field-error").forEach((n) => n.remove());
    box.append(row);
    return row;
  }
  function addPerson() {
    const button = document.getElementById("add-person");
    const box = document.getElementById("people");
    if (!button || !box) return;
    button.addEventListener("click", (e) => {
      e.preventDefault();
      addPersonRow(box).querySelector("input").focus();
    });
    document.addEventListener("keydown", (e) => {
      if (e.altKey && (e.key === "p" || e.key === "P")) { e.preventDefault(); button.click(); }
    });
  }

  // A repeat caller: earlier calls from the same number (date, categories, status, agencies), as
  // the reader may see them; never the call being edited or later ones.
  function repeatCaller() {
    const input = document.getElementById("caller_phone");
    const box = document.getElementById("repeat-caller");
    if (!input || !box) return;
    const check = debounce(async () => {
      const phone = input.value.trim();
      if (phone.replace(/\D/g, "").length < 8) { box.hidden = true; return; }
      // POST: a phone number must not travel in a URL (access logs keep URLs).
      const res = await fetch("/calls/earlier", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf },
        body: new URLSearchParams({ phone, call: box.dataset.call || "" }),
      });
      if (!res.ok) { box.hidden = true; return; }
      const html = await res.text();
      box.innerHTML = html; // rendered and escaped by the server's template
      box.hidden = !html.trim();
    }, 400);
    input.addEventListener("input", check);
    if (input.value) check();
  }

  // Keys: Enter in a one-line field never saves; Ctrl+Enter (or Cmd+Enter) saves from anywhere.
  function keyboard() {
    const form = document.getElementById("intake-form");
    if (!form) return;
    form.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      if (e.ctrlKey || e.metaKey) { e.preventDefault(); form.requestSubmit(document.getElementById("save")); return; }
      const t = e.target;
      if (t.tagName === "INPUT" && !["submit", "button", "reset"].includes(t.type)) e.preventDefault();
    });
    form.addEventListener("submit", (e) => {
      const text = document.getElementById("area-search");
      const hidden = document.getElementById("area");
      const unknown = document.getElementById("area-unknown");
      if (e.submitter && e.submitter.name === "add_person") return;
      if (text && hidden && text.value.trim() && !hidden.value && !(unknown && unknown.checked)) {
        e.preventDefault();
        resolveArea().then((r) => { if (r === "picked") form.requestSubmit(e.submitter || undefined); else text.focus(); });
      }
    });
    const bad = form.querySelector("[aria-invalid=true]");
    if (bad) bad.focus();
    else {
      const prompt = document.getElementById("session-prompt") || document.getElementById("confirm-empty");
      if (prompt) { prompt.tabIndex = -1; prompt.focus(); }
    }
  }

  // Drafts: the intake form is kept in this browser as the operator types, under the form's
  // idempotency key, and restored after a reload, a session expiry or a crash. Saving clears it.
  let saveDraft = function () {};
  function readDraft(key) {
    try { return JSON.parse(localStorage.getItem(DRAFT + key) || "null"); } catch (e) { return null; }
  }
  function allDrafts() {
    const out = [];
    for (let i = 0; i < localStorage.length; i++) {
      const name = localStorage.key(i);
      if (name && name.startsWith(DRAFT)) {
        const d = readDraft(name.slice(DRAFT.length));
        if (d) out.push(Object.assign(d, { key: name.slice(DRAFT.length) }));
      }
    }
    return out;
  }
  function clearSavedDraft() {
    const params = new URLSearchParams(location.search);
    const key = params.get("draft");
    if (params.get("created") === "1" && key) {
      localStorage.removeItem(DRAFT + key);
      if (sessionStorage.getItem(TAB_DRAFT) === key) sessionStorage.removeItem(TAB_DRAFT);
    }
    allDrafts().forEach((d) => { if (!d.at || Date.now() - d.at > DRAFT_MAX_AGE) localStorage.removeItem(DRAFT + d.key); });
  }
  function drafts() {
    const form = document.getElementById("intake-form");
    if (!form || !form.dataset.draftKey) return;
    const keyInput = form.elements.idempotency_key;
    const note = document.getElementById("draft-note");
    const user = form.dataset.user;
    const skip = new Set(["csrf", "idempotency_key", "telephony", "confirm_empty", "add_person"]);
    function collect() {
      const fields = [];
      Array.from(form.elements).forEach((n) => {
        if (!n.name || skip.has(n.name) || n.type === "submit" || n.type === "button") return;
        if (n.type === "checkbox" || n.type === "radio") { if (n.checked) fields.push([n.name, n.value, true]); }
        else fields.push([n.name, n.value]);
      });
      return fields;
    }
    function hasContent(fields) {
      return fields.some(([name, value, checked]) => !["line", "urgency"].includes(name) && (checked || (value || "").trim()));
    }
    function restore(draft) {
      const box = document.getElementById("people");
      const rows = Math.max(0, ...draft.fields.map(([n]) => { const m = /^people-(\d+)-/.exec(n); return m ? Number(m[1]) + 1 : 0; }));
      while (box && box.querySelectorAll(".person").length < rows) addPersonRow(box);
      Array.from(form.elements).forEach((n) => {
        if (!n.name || skip.has(n.name)) return;
        if (n.type === "checkbox" || n.type === "radio") n.checked = false;
      });
      draft.fields.forEach(([name, value, checked]) => {
        const nodes = Array.from(form.elements).filter((n) => n.name === name);
        nodes.forEach((n) => {
          if (n.type === "checkbox" || n.type === "radio") { if (n.value === value) n.checked = Boolean(checked); }
          else n.value = value;
        });
      });
      keyInput.value = draft.key; form.dataset.draftKey = draft.key;
      sessionStorage.setItem(TAB_DRAFT, draft.key);
      const unknown = document.getElementById("area-unknown");
      if (unknown) document.getElementById("area-unknown-note").hidden = !unknown.checked;
      const phone = document.getElementById("caller_phone");
      if (phone) phone.dispatchEvent(new Event("input"));
      suggest();
    }
    function when(draft) {
      return new Date(draft.at).toLocaleTimeString(document.documentElement.lang || "vi", { hour: "2-digit", minute: "2-digit" });
    }
    function discardButton(draft) {
      const b = el("button", { type: "button", class: "secondary small" }, form.dataset.discard);
      b.addEventListener("click", () => {
        localStorage.removeItem(DRAFT + draft.key); sessionStorage.removeItem(TAB_DRAFT);
        location.href = form.getAttribute("action");
      });
      return b;
    }
    function tell(text, ...buttons) { note.replaceChildren(text + " ", ...buttons); note.hidden = false; }
    function saveNow() {
      const fields = collect();
      const key = form.dataset.draftKey;
      if (!hasContent(fields)) return;
      const before = readDraft(key);
      const record = { user: (before && before.user) || user, at: Date.now(), path: location.pathname, fields };
      try { localStorage.setItem(DRAFT + key, JSON.stringify(record)); } catch (e) { return; }
      sessionStorage.setItem(TAB_DRAFT, key);
    }
    saveDraft = debounce(saveNow, 300);
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
    form.addEventListener("submit", saveNow); // typed a moment ago: kept before the page goes

    const ownKey = form.dataset.draftKey;
    if (document.getElementById("session-prompt") || form.querySelector("[aria-invalid=true]") || document.getElementById("confirm-empty")) {
      saveNow(); // the server sent back what was posted: keep it at once (a reload, a sign-in)
      return;
    }
    const own = readDraft(ownKey);
    if (own) { // back from signing in (?draft=KEY): the same form, the same key
      restore(Object.assign(own, { key: ownKey }));
      tell(form.dataset.restored.replace("%(time)s", when(own)), discardButton(own));
      return;
    }
    const tabKey = sessionStorage.getItem(TAB_DRAFT);
    const tab = tabKey && readDraft(tabKey);
    if (tab && (!tab.user || tab.user === user)) { // this tab was reloaded, or the browser restarted
      restore(Object.assign(tab, { key: tabKey }));
      tell(form.dataset.restored.replace("%(time)s", when(tab)), discardButton(tab));
      return;
    }
    const others = allDrafts().filter((d) => d.user === user && d.path === location.pathname).sort((a, b) => b.at - a.at);
    if (others.length) { // typed in a tab that is gone (a crash): offered, not forced
      const last = others[0];
      const restoreButton = el("button", { type: "button", class: "primary small" }, form.dataset.restore);
      restoreButton.addEventListener("click", () => {
        restore(last);
        tell(form.dataset.restored.replace("%(time)s", when(last)), discardButton(last));
      });
      tell(form.dataset.offer.replace("%(time)s", when(last)), restoreButton, " ", discardButton(last));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    clearSavedDraft();
    areaPicker(); liveSuggestions(); addPerson(); repeatCaller(); keyboard(); drafts();
    if (document.getElementById("narrative") && document.getElementById("narrative").value) suggest();
  });
})();

// Any page shown again with field errors: the first field in error gets the focus (the intake
// form does this itself, after its own checks).
document.addEventListener("DOMContentLoaded", () => {
  if (document.getElementById("intake-form")) return;
  const bad = document.querySelector("main [aria-invalid=true]");
  if (bad) bad.focus();
});

// Period pickers (dashboard, reports): typing a date means "the dates below", so the period
// list follows; choosing a preset leaves the dates to the server, which shows its days.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-period-picker]")) {
    const period = form.querySelector("select[name=period]");
    for (const input of form.querySelectorAll("input[type=date]")) {
      for (const kind of ["input", "change"]) input.addEventListener(kind, () => { period.value = "custom"; });
    }
  }
});
