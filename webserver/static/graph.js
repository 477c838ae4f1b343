// Graph of one run: dagre lays the tasks out; [N] after a mapped task's id; colours by state.
"use strict";
(() => {
  const {el, api, poll, act, canAct, stateBadge, when, isRunning} = Chordflow;
  const runId = document.querySelector(".page").dataset.runId;
  const svg = document.getElementById("graph");
  const SVG = "http://www.w3.org/2000/svg";
  const NODE_HEIGHT = 44;

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The state a task shows: the worst one among its instances, so a failure is never hidden.
  const PRECEDENCE = Chordflow.STATE_ORDER;
  function dominant(states) {
    const present = Object.keys(states).filter((s) => states[s] > 0);
    return PRECEDENCE.find((s) => present.includes(s)) || "none";
  }

  function label(task) {
    return task.mapped ? `${task.task_id} [${task.map_count ?? " "}]` : task.task_id;
  }

  // What the second line says: the state, or a mapped task's mix of states ("2 success · 1 failed").
  function stateText(task) {
    const present = PRECEDENCE.filter((s) => task.states[s] > 0);
    if (!task.mapped || present.length < 2) return dominant(task.states);
    return present.map((s) => `${task.states[s]} ${s}`).join(" · ");
  }

  function draw(run) {
    const graph = new dagre.graphlib.Graph({compound: true});
    graph.setGraph({rankdir: "LR", nodesep: 18, ranksep: 48, marginx: 12, marginy: 12});
    graph.setDefaultEdgeLabel(() => ({}));
    const groups = new Set();
    for (const task of run.tasks) {
      const width = Math.max(90, label(task).length * 7.4 + 24, stateText(task).length * 6 + 20);
      graph.setNode(task.task_id, {width, height: NODE_HEIGHT, task});
      const dot = task.task_id.lastIndexOf(".");
      if (dot > 0) {  // a task group: "group.task" (nested: "outer.inner.task")
        const group = task.task_id.slice(0, dot);
        const parts = group.split(".");
        for (let i = 1; i <= parts.length; i++) {
          const id = `group:${parts.slice(0, i).join(".")}`;
          if (!groups.has(id)) { groups.add(id); graph.setNode(id, {group: parts.slice(0, i).join(".")}); }
          if (i > 1) graph.setParent(id, `group:${parts.slice(0, i - 1).join(".")}`);
        }
        graph.setParent(task.task_id, `group:${group}`);
      }
    }
    for (const task of run.tasks) {
      for (const up of task.upstream) if (graph.hasNode(up)) graph.setEdge(up, task.task_id);
    }
    dagre.layout(graph);

    const size = graph.graph();
    svg.setAttribute("viewBox", `0 0 ${size.width} ${size.height}`);
    svg.setAttribute("width", size.width);
    svg.setAttribute("height", size.height);
    const layers = ["groups", "edges", "nodes"].map((name) => svgEl("g", {class: name}));
    svg.replaceChildren(svgEl("defs", {}), ...layers);
    svg.firstChild.append(svgEl("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
                                           markerHeight: 7, orient: "auto-start-reverse"}));
    svg.firstChild.firstChild.append(svgEl("path", {d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead"}));

    for (const id of groups) {
      const box = graph.node(id);
      const g = svgEl("g", {class: "group"});
      g.append(svgEl("rect", {x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width,
                              height: box.height, rx: 8}),
               svgEl("text", {x: box.x - box.width / 2 + 8, y: box.y - box.height / 2 + 13, class: "group-label"},
                     box.group));
      layers[0].append(g);
    }
    for (const edge of graph.edges()) {
      const points = graph.edge(edge).points;
      const d = points.map((p, i) => `${i ? "L" : "M"} ${p.x} ${p.y}`).join(" ");
      layers[1].append(svgEl("path", {d, class: "edge", "marker-end": "url(#arrow)"}));
    }
    for (const task of run.tasks) {
      const box = graph.node(task.task_id);
      const state = dominant(task.states);
      const g = svgEl("g", {class: `node s-${state}${task.mapped ? " mapped" : ""}`, tabindex: 0, role: "button",
                            "data-task-id": task.task_id});
      g.append(svgEl("rect", {x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width,
                              height: box.height, rx: 6}),
               svgEl("text", {x: box.x, y: box.y - 3, "text-anchor": "middle", class: "task-label"}, label(task)),
               svgEl("text", {x: box.x, y: box.y + 13, "text-anchor": "middle", class: "state-label"}, stateText(task)));
      g.addEventListener("click", () => details(task));
      g.addEventListener("keydown", (event) => { if (event.key === "Enter") details(task); });
      layers[2].append(g);
    }
  }

  function details(task) {
    const aside = document.getElementById("task-details");
    const counts = Object.entries(task.states).map(([state, n]) => el("li", {}, stateBadge(state), ` ${n}`));
    const base = `/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(task.task_id)}`;
    aside.replaceChildren(
      el("h2", {}, label(task)),
      el("ul", {class: "counts"}, counts),
      el("p", {class: "muted"}, task.upstream.length ? `after ${task.upstream.join(", ")}` : "no upstream"),
      task.mapped ? el("a", {href: `${base}/instances`, class: "button"}, "Mapped Instances")
                  : el("a", {href: `${base}/instances/-1`, class: "button"}, "Instance"));
    aside.hidden = false;
  }

  function legend() {
    document.getElementById("legend").replaceChildren(
      ...["success", "running", "queued", "scheduled", "failed", "upstream_failed", "up_for_retry", "skipped", "none"]
        .map((s) => el("span", {class: `key s-${s}`}, s)));
  }

  let shape = null;
  async function load() {
    const run = await api(`/runs/${encodeURIComponent(runId)}`);
    document.getElementById("run-state").replaceChildren(stateBadge(run.state));
    const dag = document.getElementById("run-dag");
    dag.replaceChildren(el("a", {href: `/dags/${encodeURIComponent(run.dag_id)}/runs`}, run.dag_id));
    document.getElementById("run-dates").textContent =
      `logical date ${when(run.logical_date)} · started ${when(run.start_date)}${run.end_date ? ` · ended ${when(run.end_date)}` : ""}`;
    const cancel = document.getElementById("cancel-run");
    cancel.hidden = !isRunning(run.state) || !canAct();
    const nextShape = JSON.stringify(run.tasks);
    if (nextShape !== shape) { shape = nextShape; draw(run); }
    return isRunning(run.state);
  }

  document.getElementById("cancel-run").addEventListener("click", () =>
    act(`/runs/${encodeURIComponent(runId)}/cancel`, {reason: "from the web UI"}, () => load()));
  legend();
  poll(load);
})();
