// Runs of one DAG, newest first; refreshes while one runs.
"use strict";
(() => {
  const {el, api, poll, stateBadge, when} = Chordflow;
  const dagId = document.querySelector(".page").dataset.dagId;
  const body = document.querySelector("#runs tbody");

  function row(run) {
    return el("tr", {},
      el("td", {}, el("a", {href: `/runs/${encodeURIComponent(run.run_id)}/graph`}, run.run_id)),
      el("td", {}, stateBadge(run.state)),
      el("td", {}, when(run.logical_date)), el("td", {}, when(run.start_date)), el("td", {}, when(run.end_date)),
      el("td", {class: "muted"}, run.note || ""));
  }

  poll(async () => {
    const runs = await api(`/runs?dag_id=${encodeURIComponent(dagId)}&limit=100`);
    body.replaceChildren(...runs.map(row));
    if (!runs.length) body.append(el("tr", {}, el("td", {colspan: 6, class: "muted"}, "No runs yet.")));
    return runs.some((run) => Chordflow.isRunning(run.state));
  });
})();
