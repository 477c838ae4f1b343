// The DAGs page: every DAG with its recent runs' states, and a trigger dialog taking a conf.
"use strict";
(() => {
  const {el, api, poll, act, canAct, showMessage} = Chordflow;
  const body = document.querySelector("#dags tbody");

  function runDot(run) {
    return el("a", {href: `/runs/${encodeURIComponent(run.run_id)}/graph`, class: `dot s-${run.state}`,
                    title: `${run.run_id}: ${run.state}`}, "");
  }

  function row(dag) {
    const trigger = el("button", {type: "button", class: "action", disabled: !canAct(),
                                  title: canAct() ? "Trigger a run" : "read-only server",
                                  onclick: () => openTrigger(dag.dag_id)}, "Trigger");
    return el("tr", {"data-dag-id": dag.dag_id},
      el("td", {}, el("a", {href: `/dags/${encodeURIComponent(dag.dag_id)}/grid`}, dag.dag_id),
         dag.description ? el("div", {class: "muted"}, dag.description) : null),
      el("td", {class: "num"}, dag.tasks),
      el("td", {class: "runs"}, dag.recent_runs.length ? dag.recent_runs.map(runDot) : el("span", {class: "muted"}, "no runs")),
      el("td", {class: "muted"}, dag.fileloc),
      el("td", {}, trigger));
  }

  async function load() {
    const [dags, errors] = await Promise.all([api("/dags"), api("/import-errors")]);
    body.replaceChildren(...dags.map(row));
    if (!dags.length) body.append(el("tr", {}, el("td", {colspan: 5, class: "muted"}, "No DAGs in the DAGs folder.")));
    const section = document.getElementById("import-errors");
    section.hidden = !Object.keys(errors).length;
    section.querySelector("ul").replaceChildren(...Object.entries(errors).map(
      ([path, error]) => el("li", {}, el("code", {}, path), ": ", error)));
    return dags.some((dag) => dag.recent_runs.some((run) => Chordflow.isRunning(run.state)));
  }

  const dialog = document.getElementById("trigger-dialog");
  const form = document.getElementById("trigger-form");
  let triggering = null;

  function openTrigger(dagId) {
    triggering = dagId;
    document.getElementById("trigger-dag").textContent = dagId;
    document.getElementById("trigger-error").hidden = true;
    dialog.showModal();
  }

  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.value !== "trigger") return;
    event.preventDefault();
    const error = document.getElementById("trigger-error");
    let conf;
    try { conf = JSON.parse(form.elements.conf.value || "{}"); } catch (e) {
      error.textContent = `The conf is not JSON: ${e.message}`; error.hidden = false; return;
    }
    dialog.close();
    const body = {conf};
    if (form.elements.logical_date.value.trim()) body.logical_date = form.elements.logical_date.value.trim();
    act(`/dags/${encodeURIComponent(triggering)}/runs`, body, (run) => {
      showMessage(`Run ${run.run_id} started.`, "ok");
      stop(); stop = poll(load);
    });
  });

  let stop = poll(load);
})();
