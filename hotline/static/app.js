// hotline: the little JavaScript there is. Everything works without it; this makes intake faster.
(function () {
  "use strict";
  const csrf = document.body.dataset.csrf || "";

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

  // Area picker: matches names typed without diacritics ("tan canh" finds "Xã Tân Cảnh").
  function areaPicker() {
    const input = document.getElementById("area-search");
    const hidden = document.getElementById("area");
    const list = document.getElementById("area-results");
    const path = document.getElementById("area-path");
    if (!input || !hidden || !list) return;
    let items = [], active = -1;
    function choose(item) {
      // An area of the old map: the call goes on what it is today; split, pick the part.
      const today = item.today || [];
      if (today.length > 1) { items = today; active = 0; render(); input.focus(); return; }
      const now = today.length === 1 ? today[0] : item;
      hidden.value = now.code; path.textContent = now.path;
      input.value = now === item ? item.name : item.name + " → " + now.name;
      list.hidden = true; suggest();
    }
    function render() {
      list.replaceChildren(...items.map((item, i) => {
        const now = (item.today || []).map((t) => t.name).join(", ");
        const li = el("li", { role: "option", "aria-selected": String(i === active) },
          now ? item.name + " → " + now : item.name, el("small", {}, item.path));
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(item); });
        return li;
      }));
      list.hidden = items.length === 0;
    }
    const search = debounce(async () => {
      const q = input.value.trim();
      if (!q) { items = []; hidden.value = ""; path.textContent = ""; render(); return; }
      const res = await fetch("/api/v1/areas?q=" + encodeURIComponent(q), { credentials: "same-origin" });
      if (!res.ok) return;
      items = (await res.json()).items; active = items.length ? 0 : -1; render();
    }, 150);
    input.addEventListener("input", () => { hidden.value = ""; search(); });
    input.addEventListener("keydown", (e) => {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(items[active]); e.preventDefault(); }
      else if (e.key === "Escape") { list.hidden = true; }
    });
    input.addEventListener("blur", () => setTimeout(() => { list.hidden = true; }, 150));
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
    suggest = debounce(async () => {
      if (!(form.elements.narrative.value || "").trim()) {
        box.replaceChildren(el("span", { class: "hint" }, box.dataset.empty)); return;
      }
      const res = await fetch("/api/v1/routing/explain", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body()),
      });
      if (!res.ok) return;
      const d = await res.json();
      const parts = [];
      const cats = (d.suggestions || []).filter((s) => s.kind === "category");
      if (cats.length === 0 && !(d.referrals || []).length) {
        box.replaceChildren(el("span", { class: "hint" }, box.dataset.empty)); return;
      }
      const head = el("div", {}, el("strong", {}, box.dataset.title + ": "));
      (d.suggestions || []).forEach((s) => {
        const span = el("span", { class: "sugg" }, el("span", { class: s.kind === "category" ? "tag strong" : "tag" }, s.label || s.code));
        if (s.words && s.words.length) span.append(" ", ...s.words.map((w) => el("mark", {}, w)));
        head.append(span);
      });
      parts.push(head);
      if ((d.referrals || []).length) {
        parts.push(el("div", {}, el("strong", {}, box.dataset.agencies + ":"),
          el("ul", {}, ...d.referrals.map((r) => el("li", {}, r.agency_name || r.agency_code, " ", el("code", {}, r.rule_id))))));
      } else if (d.triage) {
        parts.push(el("div", { class: "hint" }, box.dataset.triage));
      }
      box.replaceChildren(...parts);
    }, 300);
    form.addEventListener("input", (e) => { if (e.target.name !== "caller_phone") suggest(); });
    form.addEventListener("change", suggest);
  }

  // More rows for people at risk.
  function addPerson() {
    const button = document.getElementById("add-person");
    const box = document.getElementById("people");
    if (!button || !box) return;
    button.addEventListener("click", () => {
      const rows = box.querySelectorAll(".person");
      const last = rows[rows.length - 1];
      const index = rows.length;
      const row = last.cloneNode(true);
      row.dataset.index = index;
      row.querySelectorAll("input, select").forEach((input) => {
        input.name = input.name.replace(/people-\d+-/, `people-${index}-`);
        if (input.type === "checkbox") input.checked = false; else input.value = "";
        input.classList.remove("invalid");
      });
      row.querySelectorAll(".field-error").forEach((n) => n.remove());
      box.append(row);
      row.querySelector("input").focus();
    });
  }

  // A repeat caller: earlier calls from the same number, as the reader may see them.
  function repeatCaller() {
    const input = document.getElementById("caller_phone");
    const box = document.getElementById("repeat-caller");
    if (!input || !box) return;
    const check = debounce(async () => {
      const phone = input.value.trim();
      if (phone.replace(/\D/g, "").length < 8) { box.hidden = true; return; }
      // POST: a phone number must not travel in a URL (access logs keep URLs).
      const res = await fetch("/api/v1/calls/search", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ phone }),
      });
      if (!res.ok) { box.hidden = true; return; }
      const d = await res.json();
      if (!d.total) { box.hidden = true; return; }
      box.replaceChildren(el("strong", {}, `${d.total} ` + (document.body.dataset.locale === "en" ? "earlier call(s) from this number: " : "cuộc gọi trước từ số này: ")),
        ...d.items.slice(0, 5).map((c) => { const a = el("a", { href: `/calls/${c.id}`, target: "_blank" }, c.reference); return el("span", {}, a, " "); }));
      box.hidden = false;
    }, 400);
    input.addEventListener("input", check);
    if (input.value) check();
  }

  document.addEventListener("DOMContentLoaded", () => {
    areaPicker(); liveSuggestions(); addPerson(); repeatCaller();
    if (document.getElementById("narrative") && document.getElementById("narrative").value) suggest();
  });
})();
