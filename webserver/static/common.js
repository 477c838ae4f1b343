// Shared by every page: building DOM from data (text only, never HTML), the API, polling, actions.
"use strict";

const Chordflow = (() => {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;

  // el("td", {class: "x", title: t}, child, "text"): strings become text nodes, never markup.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(path, options = {}) {
    const init = {method: options.method || "GET", headers: {Accept: "application/json"}, credentials: "same-origin"};
    if (init.method !== "GET") {
      init.headers["X-CSRF-Token"] = meta("csrf-token");
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body || {});
    }
    const response = await fetch(`/api/v1${path}`, init);
    const payload = await response.json().catch(() => ({error: `${response.status} ${response.statusText}`}));
    if (!response.ok) throw new ApiError(response.status, payload.error || response.statusText);
    return payload;
  }

  function showMessage(text, kind) {
    const box = document.getElementById("message");
    box.textContent = text;
    box.className = `message ${kind || "error"}`;
    box.hidden = !text;
  }

  // Calls load() now and, while it returns true (something still runs), again every `every` ms.
  function poll(load, every = 2000) {
    let timer = null;
    const tick = async () => {
      let again = false;
      try { again = await load(); } catch (error) { showMessage(error.message); }
      if (again) timer = setTimeout(tick, every);
    };
    tick();
    return () => clearTimeout(timer);
  }

  const canAct = () => meta("read-only") !== "true";
  const loggedIn = () => meta("logged-in") === "true";

  // An action button: disabled with the reason when actions are off; asks to log in when needed.
  async function act(path, body, done) {
    if (!canAct()) return showMessage("This server is read-only: set CHORDFLOW_WEB_PASSWORD to enable actions.");
    if (!loggedIn()) { location.assign(`/login?next=${encodeURIComponent(location.pathname)}`); return; }
    try {
      const result = await api(path, {method: "POST", body});
      showMessage("Done.", "ok");
      if (done) done(result);
    } catch (error) { showMessage(error.message); }
  }

  const RUNNING = new Set(["queued", "running"]);
  const isRunning = (state) => RUNNING.has(state);

  function stateBadge(state) {
    return el("span", {class: `state s-${state}`, title: state}, state);
  }

  // Worst first: a failure is never hidden behind successes.
  const STATE_ORDER = ["failed", "upstream_failed", "up_for_retry", "up_for_reschedule", "running", "queued",
                       "scheduled", "none",
                       "removed", "skipped", "success"];

  // A bar with one segment per state, as wide as its share (CSSOM, not a style attribute: the CSP forbids those).
  function mixBar(states) {
    const bar = el("span", {class: "mix"});
    for (const state of STATE_ORDER.filter((s) => states[s])) {
      const segment = el("span", {class: `s-${state}`});
      segment.style.flexGrow = String(states[state]);
      bar.append(segment);
    }
    return bar;
  }

  const describe = (states) => Object.entries(states).map(([s, n]) => `${n} ${s}`).join(", ");

  function when(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return isNaN(date) ? iso : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  }

  return {el, append, api, ApiError, showMessage, poll, act, canAct, loggedIn, isRunning, stateBadge, when, meta,
          STATE_ORDER, mixBar, describe};
})();
