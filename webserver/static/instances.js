// Mapped Instances: one page at a time, sorted and filtered by the server; a row opens the instance.
"use strict";
(() => {
  const {el, api, poll, stateBadge, when, mixBar, describe, STATE_ORDER} = Chordflow;
  const {runId, taskId} = document.querySelector(".page").dataset;
  const body = document.querySelector("#instances tbody");
  const filter = document.getElementById("state-filter");
  const view = {offset: 0, limit: 100, state: "", sort: "map_index", descending: false};
  const WAITING = new Set(["none", "scheduled", "queued", "running", "up_for_retry"]);
  const instanceUrl = (index) =>
    `/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}/instances/${index}`;

  const seconds = (value) => value === null || value === undefined ? "" :
    value < 60 ? `${value.toFixed(2)} s` : `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;

  function row(instance) {
    const href = instanceUrl(instance.map_index);
    return el("tr", {class: "link-row", "data-map-index": instance.map_index, tabindex: 0,
                     onclick: () => location.assign(href),
                     onkeydown: (event) => { if (event.key === "Enter") location.assign(href); }},
      el("td", {class: "num"}, el("a", {href}, instance.map_index)),
      el("td", {}, instance.rendered_map_index || ""),
      el("td", {}, stateBadge(instance.state)),
      el("td", {class: "num"}, instance.try_number),
      el("td", {}, instance.hostname || ""),
      el("td", {}, when(instance.start_date)),
      el("td", {class: "num"}, seconds(instance.duration)),
      el("td", {class: "error-cell"}, (instance.error || "").split("\n")[0]));
  }

  function showFilter(states) {
    const chosen = filter.value;
    filter.replaceChildren(el("option", {value: ""}, `all (${Object.values(states).reduce((a, b) => a + b, 0)})`),
      ...STATE_ORDER.filter((s) => states[s] || s === chosen).map((s) =>
        el("option", {value: s, selected: s === chosen}, `${s} (${states[s] || 0})`)));
  }

  async function load() {
    const query = new URLSearchParams({limit: view.limit, offset: view.offset, sort: view.sort,
                                       descending: view.descending});
    if (view.state) query.set("state", view.state);
    const page = await api(`/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}/instances?${query}`);
    body.replaceChildren(...page.rows.map(row));
    if (!page.rows.length) body.append(el("tr", {}, el("td", {colspan: 8, class: "muted"}, "No instance.")));
    showFilter(page.states);
    document.getElementById("mix").replaceChildren(mixBar(page.states));
    document.getElementById("mix").title = describe(page.states);
    const last = Math.min(page.offset + page.rows.length, page.total);
    document.getElementById("page-info").textContent =
      page.total ? `${page.offset + 1}–${last} of ${page.total}` : "0 of 0";
    document.getElementById("prev-page").disabled = page.offset === 0;
    document.getElementById("next-page").disabled = last >= page.total;
    for (const th of document.querySelectorAll("th.sort")) {
      th.classList.toggle("sorted", th.dataset.sort === view.sort);
      th.classList.toggle("descending", th.dataset.sort === view.sort && view.descending);
    }
    return Object.keys(page.states).some((s) => WAITING.has(s));
  }

  let stop = poll(load);
  const reload = () => { stop(); stop = poll(load); };
  filter.addEventListener("change", () => { view.state = filter.value; view.offset = 0; reload(); });
  document.getElementById("page-size").addEventListener("change", (event) => {
    view.limit = Number(event.target.value); view.offset = 0; reload();
  });
  document.getElementById("prev-page").addEventListener("click", () => {
    view.offset = Math.max(0, view.offset - view.limit); reload();
  });
  document.getElementById("next-page").addEventListener("click", () => { view.offset += view.limit; reload(); });
  for (const th of document.querySelectorAll("th.sort")) {
    th.tabIndex = 0;
    th.addEventListener("click", () => {
      view.descending = view.sort === th.dataset.sort ? !view.descending : false;
      view.sort = th.dataset.sort;
      view.offset = 0;
      reload();
    });
  }
})();
