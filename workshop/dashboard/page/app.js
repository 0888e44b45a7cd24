// The dashboard page: it draws the cluster picture that /api/stream pushes
// (Server-Sent Events). Read-only, no library, no network but this server.
// Every text goes in with textContent, never as HTML: names and messages
// come from the cluster and may hold anything.

const $ = (id) => document.getElementById(id);

/** h("div", { class: "pod", "data-pod": "web-1" }, child, "text", ...) */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function bar(label, usage, format) {
  const share = usage.allocatable > 0 ? Math.min(1, usage.requested / usage.allocatable) : 0;
  return h(
    "div",
    { class: "bar", title: `${label}: ${format(usage.requested)} requested of ${format(usage.allocatable)}` },
    h("span", { class: "bar-label" }, label),
    h("span", { class: "bar-track" }, h("span", { class: "bar-fill", style: `width:${Math.round(share * 100)}%` })),
    h("span", { class: "bar-text" }, `${format(usage.requested)} / ${format(usage.allocatable)}`),
  );
}

const cpu = (m) => (m >= 1000 ? `${(m / 1000).toFixed(1)}` : `${m}m`);
const mem = (b) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)}Gi` : `${Math.round(b / 2 ** 20)}Mi`);

function podCard(p) {
  return h(
    "article",
    {
      class: `pod phase-${p.phase.toLowerCase()}${p.deleting ? " deleting" : ""}`,
      "data-pod": p.name,
      "data-phase": p.phase,
      "data-restarts": p.restarts,
    },
    h("div", { class: "pod-name" }, p.name),
    h("div", { class: "pod-line" }, h("span", { class: "phase" }, p.deleting ? "Terminating" : p.phase), ` ready ${p.ready}`),
    h("div", { class: `pod-line${p.restarts > 0 ? " restarts" : ""}` }, `restarts ${p.restarts}`),
    p.ip ? h("div", { class: "pod-line dim" }, p.ip) : null,
    p.owner ? h("div", { class: "pod-line dim" }, p.owner) : null,
    p.reason ? h("div", { class: "pod-reason" }, p.reason) : null,
  );
}

function nodeColumn(n) {
  return h(
    "section",
    { class: `node state-${n.state.toLowerCase()}`, "data-node": n.name, "data-state": n.state },
    h(
      "h2",
      {},
      n.name,
      " ",
      h("span", { class: "badge" }, n.state),
      n.unschedulable ? h("span", { class: "badge warn" }, "cordoned") : null,
    ),
    n.taints.length ? h("div", { class: "taints" }, n.taints.join(", ")) : null,
    bar("cpu", n.cpu, cpu),
    bar("memory", n.memory, mem),
    h("div", { class: "pods" }, n.pods.map(podCard)),
  );
}

function draw({ picture, error }) {
  const connection = $("connection");
  connection.dataset.state = error ? "error" : "live";
  connection.textContent = error ? `reconnecting: ${error}` : "live";
  $("about").textContent =
    `tree: ${picture.cluster.tree} · chapters ${picture.cluster.chapters.join(" ")} · serves ${picture.cluster.kinds.join(", ")}`;

  const lanes = picture.nodes.map(nodeColumn);
  lanes.push(
    h(
      "section",
      { class: "node unscheduled", "data-node": "", "data-lane": "unscheduled" },
      h("h2", {}, "unscheduled"),
      h(
        "div",
        { class: "pods" },
        picture.unscheduled.length ? picture.unscheduled.map(podCard) : h("p", { class: "dim" }, "none"),
      ),
    ),
  );
  $("nodes").replaceChildren(...lanes);

  $("workloads").replaceChildren(
    h("tr", {}, h("th", {}, "kind"), h("th", {}, "name"), h("th", {}, "ready / desired")),
    ...picture.workloads.map((w) =>
      h(
        "tr",
        { "data-workload": w.name, class: w.ready < w.desired ? "short" : "" },
        h("td", {}, w.kind),
        h("td", {}, `${w.namespace}/${w.name}`),
        h("td", {}, `${w.ready} / ${w.desired}`),
      ),
    ),
  );
  $("services").replaceChildren(
    h("tr", {}, h("th", {}, "name"), h("th", {}, "cluster IP"), h("th", {}, "ports"), h("th", {}, "endpoints")),
    ...picture.services.map((s) =>
      h(
        "tr",
        { "data-service": s.name },
        h("td", {}, `${s.namespace}/${s.name}`),
        h("td", {}, s.clusterIP ?? ""),
        h("td", {}, s.ports),
        h("td", {}, s.endpoints.join(" ") || "none"),
      ),
    ),
  );
  $("events").replaceChildren(
    ...picture.events
      .slice()
      .reverse()
      .map((e) =>
        h(
          "li",
          { class: e.type === "Warning" ? "warning" : "" },
          h("span", { class: "dim" }, e.time.replace("T", " ").replace(/\..*$|Z$/, "")),
          ` ${e.reason} ${e.object}: ${e.message}`,
        ),
      ),
  );
}

function connect() {
  const source = new EventSource("api/stream");
  source.onmessage = (message) => draw(JSON.parse(message.data));
  source.onerror = () => {
    // EventSource reconnects by itself; say so meanwhile.
    const connection = $("connection");
    connection.dataset.state = "error";
    connection.textContent = "reconnecting to the dashboard server";
  };
}

connect();
