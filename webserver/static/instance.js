// One task instance: Details (state, tries, host, times, error), Rendered, Log (per try, follows a
// running try), XCom (every key; DataFrames as tables; big values cut with a download link); clear actions.
"use strict";
(() => {
  const {el, api, act, stateBadge, when, isRunning, showMessage} = Chordflow;
  const {runId, taskId, mapIndex} = document.querySelector(".page").dataset;
  const base = `/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}/instances/${mapIndex}`;
  const WAITING = new Set(["none", "scheduled", "queued", "running", "up_for_retry"]);
  let instance = null;

  async function ensureInstance() {
    if (!instance) instance = await api(base);
    document.getElementById("crumb-instances").hidden = !instance.mapped;
    return instance;
  }

  // -- tabs ------------------------------------------------------------------------------------
  const loaders = {details: loadDetails, rendered: loadRendered, log: loadLog, xcom: loadXcoms};
  function showTab(name) {
    if (!loaders[name]) name = "details";
    for (const link of document.querySelectorAll("[data-tab]")) link.classList.toggle("current", link.dataset.tab === name);
    for (const panel of document.querySelectorAll(".tab-panel")) panel.hidden = panel.id !== `tab-${name}`;
    loaders[name]().catch((error) => showMessage(error.message));
  }
  window.addEventListener("hashchange", () => showTab(location.hash.slice(1)));

  // -- details ---------------------------------------------------------------------------------
  const seconds = (value) => value === null || value === undefined ? "" : `${value.toFixed(2)} s`;

  async function loadDetails() {
    instance = null;
    await ensureInstance();
    const fields = [["Task", instance.task_id], ["Map index", instance.map_index],
      ["Name", instance.rendered_map_index], ["State", stateBadge(instance.state)],
      ["Try", `${instance.try_number} of ${instance.max_tries + 1}`], ["Host", instance.hostname],
      ["Started", when(instance.start_date)], ["Ended", when(instance.end_date)],
      ["Duration", seconds(instance.duration)], ["Error", instance.error ? el("pre", {class: "error"}, instance.error) : ""]];
    document.querySelector("#tab-details tbody").replaceChildren(...fields.map(([name, value]) =>
      el("tr", {}, el("th", {}, name), el("td", {}, value ?? ""))));
    document.querySelector("#tries tbody").replaceChildren(...instance.tries.map((t) => el("tr", {},
      el("td", {class: "num"}, t.try_number), el("td", {}, stateBadge(t.state)), el("td", {}, t.hostname || ""),
      el("td", {}, when(t.start_date)), el("td", {}, when(t.end_date)), el("td", {class: "error-cell"}, t.error || ""))));
    if (WAITING.has(instance.state)) setTimeout(() => { if (!document.getElementById("tab-details").hidden) loadDetails(); }, 2000);
  }

  // -- rendered --------------------------------------------------------------------------------
  async function loadRendered() {
    await ensureInstance();
    const fields = instance.rendered_fields;
    document.getElementById("rendered-note").textContent = fields ? `Try ${instance.try_number}, as rendered for it.`
      : "No rendered fields were recorded for this instance (it has not run, or its worker records none).";
    const shown = (value) => typeof value === "string" ? value : JSON.stringify(value, null, 2);
    document.querySelector("#rendered tbody").replaceChildren(...Object.entries(fields || {}).map(([name, value]) =>
      el("tr", {}, el("th", {}, name), el("td", {}, el("pre", {}, shown(value))))));
  }

  // -- log -------------------------------------------------------------------------------------
  let following = null;
  async function loadLog(tryNumber) {
    if (following) clearTimeout(following);
    await ensureInstance();
    const tries = instance.tries.map((t) => t.try_number);
    const chosen = tryNumber || null;
    const pre = document.getElementById("log");
    pre.textContent = "";
    let offset = 0;
    let shown = null;
    const step = async () => {
      const query = new URLSearchParams({offset});
      if (shown || chosen) query.set("try_number", shown || chosen);
      const chunk = await api(`${base}/logs?${query}`);
      shown = chunk.try_number;
      pre.append(document.createTextNode(chunk.content));
      offset = chunk.next_offset;
      document.getElementById("log-status").textContent =
        `try ${chunk.try_number}${chunk.hostname ? ` on ${chunk.hostname}` : ""}${chunk.running ? " · following…" : ""}`;
      const choices = [...new Set([...tries, chunk.try_number])].sort((a, b) => a - b);
      document.getElementById("log-tries").replaceChildren(...choices.map((n) =>
        el("button", {type: "button", class: n === chunk.try_number ? "current" : "", "data-try": n,
                      onclick: () => loadLog(n)}, `Try ${n}`)));
      if (chunk.running && !document.getElementById("tab-log").hidden) following = setTimeout(step, 1000);
    };
    await step();
  }

  // -- XCom ------------------------------------------------------------------------------------
  function table(data) {
    return el("table", {class: "list xcom-table"},
      el("thead", {}, el("tr", {}, data.columns.map((c) => el("th", {}, c)))),
      el("tbody", {}, data.rows.map((r) => el("tr", {}, r.map((v) => el("td", {}, v === null ? "" : String(v)))))));
  }

  async function loadXcoms() {
    await ensureInstance();
    const entries = await api(`${base}/xcom`);
    const box = document.getElementById("xcoms");
    box.replaceChildren(...entries.map((entry) => {
      const download = el("a", {href: `/api/v1${base}/xcom/${encodeURIComponent(entry.key)}`, download: ""},
                          entry.truncated ? "download the whole value" : "download");
      const size = entry.rows !== undefined ? `${entry.rows} rows` : `${entry.bytes} bytes`;
      return el("section", {class: "xcom", "data-key": entry.key},
        el("h3", {}, entry.key, el("span", {class: "muted"}, ` ${entry.kind} · ${size}`)),
        entry.table ? table(entry.table) : el("pre", {class: "value"}, entry.value),
        entry.truncated ? el("p", {class: "muted"}, "Cut short here: ", download) : el("p", {}, download));
    }));
    if (!entries.length) box.append(el("p", {class: "muted"}, "This instance pushed no XCom."));
  }

  // -- actions ---------------------------------------------------------------------------------
  for (const button of document.querySelectorAll("[data-clear]")) {
    button.disabled = !Chordflow.canAct();
    button.title = Chordflow.canAct() ? "" : "read-only server";
    button.addEventListener("click", () => {
      const how = button.dataset.clear;
      const body = {map_indices: how === "failed" ? [] : [Number(mapIndex)].filter((i) => i >= 0),
                    only_failed: how === "failed", downstream: how === "downstream"};
      act(`/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}/clear`, body, (result) => {
        showMessage(`Cleared ${result.cleared} instance(s); the run is ${result.state}.`, "ok");
        instance = null;
        showTab(location.hash.slice(1));
      });
    });
  }

  showTab(location.hash.slice(1));
})();
