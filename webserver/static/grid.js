// Grid: runs as columns (newest first) x tasks as rows; a mapped task is one row whose cell shows
// its state mix and [N]; task groups ("group.task") fold. Click a cell: its instance(s).
"use strict";
(() => {
  const {el, api, poll, isRunning, when, mixBar, describe} = Chordflow;
  const dagId = document.querySelector(".page").dataset.dagId;
  const table = document.getElementById("grid");
  const PAGE = 25;
  let offset = 0;  // how many newer runs come before this page
  const folded = new Set();
  const taskUrl = (runId, task) => `/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(task)}/instances`;

  // A cell: one bar per state, as wide as its share; "[N]" for a mapped task.
  function cell(runId, row, data) {
    const total = Object.values(data.states).reduce((a, b) => a + b, 0);
    const bar = mixBar(data.states);
    const title = `${row.task_id} in ${runId}: ${describe(data.states) || "no instance"}`;
    const label = row.mapped ? el("span", {class: "n"}, `[${data.map_count ?? " "}]`) : null;
    if (!total) return el("td", {class: "cell empty", title});
    const href = row.mapped ? taskUrl(runId, row.task_id) : `${taskUrl(runId, row.task_id)}/-1`;
    return el("td", {class: "cell", title}, el("a", {href, "data-task-id": row.task_id, "data-run-id": runId},
                                              bar, label));
  }

  function groupOf(taskId) {
    const dot = taskId.lastIndexOf(".");
    return dot > 0 ? taskId.slice(0, dot) : null;
  }

  // Rows of a group fold into one row summing its tasks' states per run.
  function groupRow(group, rows, runs) {
    const cells = runs.map((run, i) => {
      const states = {};
      for (const row of rows) for (const [s, n] of Object.entries(row.cells[i].states)) states[s] = (states[s] || 0) + n;
      return {states, map_count: null};
    });
    const open = !folded.has(group);
    const toggle = el("button", {type: "button", class: "fold", "aria-expanded": open ? "true" : "false",
                                 onclick: () => { open ? folded.add(group) : folded.delete(group); render(); }},
                      open ? "▾" : "▸");
    return el("tr", {class: "group-row", "data-group": group},
      el("th", {class: "task"}, toggle, " ", group, el("span", {class: "muted"}, ` (${rows.length})`)),
      cells.map((data, i) => {
        const total = Object.values(data.states).reduce((a, b) => a + b, 0);
        if (!total) return el("td", {class: "cell empty"});
        return el("td", {class: "cell", title: describe(data.states)}, mixBar(data.states));
      }));
  }

  let last = null;
  function render() {
    const grid = last;
    const runs = [...grid.runs].reverse();  // newest first
    const tasks = grid.tasks.map((t) => ({...t, cells: [...t.cells].reverse()}));
    document.getElementById("grid-count").textContent = runs.length
      ? `runs ${offset + 1}–${offset + runs.length}, newest first` : "no runs";
    document.getElementById("more-runs").disabled = grid.runs.length < PAGE;
    document.getElementById("fewer-runs").disabled = offset === 0;
    table.tHead.replaceChildren(el("tr", {}, el("th", {class: "task"}, "Task"), runs.map((run) =>
      el("th", {class: "run", title: `${run.run_id}\n${run.state}\nlogical date ${when(run.logical_date)}`},
        el("a", {href: `/runs/${encodeURIComponent(run.run_id)}/graph`, class: `dot s-${run.state}`}, ""),
        el("div", {class: "run-label"}, run.run_id)))));
    const body = [];
    const seenGroups = new Set();
    for (const task of tasks) {
      const group = groupOf(task.task_id);
      if (group && !seenGroups.has(group)) {
        seenGroups.add(group);
        body.push(groupRow(group, tasks.filter((t) => groupOf(t.task_id) === group), runs));
      }
      if (group && folded.has(group)) continue;
      body.push(el("tr", {"data-task-id": task.task_id},
        el("th", {class: `task${group ? " in-group" : ""}`}, group ? task.task_id.slice(group.length + 1) : task.task_id,
           task.mapped ? el("span", {class: "muted"}, " (mapped)") : null),
        task.cells.map((data, i) => cell(runs[i].run_id, task, data))));
    }
    if (!tasks.length) body.push(el("tr", {}, el("td", {class: "muted"}, "No tasks.")));
    table.tBodies[0].replaceChildren(...body);
  }

  let stop = null;
  function start() {
    if (stop) stop();
    stop = poll(async () => {
      last = await api(`/dags/${encodeURIComponent(dagId)}/grid?limit=${PAGE}&offset=${offset}`);
      render();
      return last.runs.some((run) => isRunning(run.state));
    }, 3000);
  }
  document.getElementById("more-runs").addEventListener("click", () => { offset += PAGE; start(); });
  document.getElementById("fewer-runs").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); start(); });
  start();
})();
