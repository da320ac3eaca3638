// GalaxyNet's page: look at one galaxy through the network, or browse a prediction table.
// Plain browser JavaScript, no libraries: everything comes from the server that serves this page.
"use strict";

const $ = (id) => document.getElementById(id);

function show(tab) {
  for (const name of ["look", "catalogue"]) {
    $(name).hidden = name !== tab;
    $("tab-" + name).classList.toggle("active", name === tab);
  }
  if (tab === "catalogue" && !$("tables").options.length) loadTables();
}
$("tab-look").onclick = () => show("look");
$("tab-catalogue").onclick = () => show("catalogue");

// ---- Look at one galaxy ------------------------------------------------------------------

async function look(bytes, name) {
  $("status").textContent = `Asking the network about ${name}…`;
  $("status").classList.remove("error");
  const response = await fetch("/galaxynet/look", { method: "POST", body: bytes });
  const answer = await response.json();
  if (!response.ok) {
    $("status").textContent = `${name}: ${answer.error}`;
    $("status").classList.add("error");
    return;
  }
  $("status").textContent = name;
  draw(answer);
}

function draw(answer) {
  $("result").hidden = false;
  const canvas = $("galaxy"), context = canvas.getContext("2d"), picture = new Image();
  picture.onload = () => {
    canvas.width = picture.width; canvas.height = picture.height;
    context.drawImage(picture, 0, 0);
    const e = answer.ellipse;
    if (e.detected) {
      // The measured RMS axes, drawn at 3 a: about where the light ends.
      context.strokeStyle = "#f0b040"; context.lineWidth = 1.5;
      context.beginPath();
      context.ellipse(e.x, e.y, 3 * e.a, 3 * e.b, e.theta * Math.PI / 180, 0, 2 * Math.PI);
      context.stroke();
    }
  };
  picture.src = answer.image;
  $("parts").src = answer.parts;
  $("path").textContent = "Likeliest path: " + answer.path;
  const tree = $("tree");
  tree.replaceChildren();
  for (const q of answer.questions) {
    const box = document.createElement("div");
    box.className = "question";
    box.dataset.question = q.key;
    const title = document.createElement("h3");
    title.textContent = q.text + " ";
    const asked = document.createElement("span");
    asked.className = "asked";
    asked.textContent = `(asked of ${(100 * q.asked).toFixed(0)} %)`;
    title.append(asked);
    box.append(title);
    for (const a of q.answers) {
      const row = document.createElement("div");
      row.className = "answer";
      row.dataset.answer = a.name;
      const label = document.createElement("span");
      label.textContent = a.text;
      const bar = document.createElement("div");
      bar.className = "bar";
      const fill = document.createElement("div");
      fill.className = "fill";
      fill.style.width = `${(100 * a.fraction).toFixed(1)}%`;
      bar.append(fill);
      if (a.lower != null && a.upper != null) {
        const interval = document.createElement("div");
        interval.className = "interval";
        interval.style.left = `${(100 * a.lower).toFixed(1)}%`;
        interval.style.width = `${(100 * (a.upper - a.lower)).toFixed(1)}%`;
        interval.title = `90 % interval ${a.lower.toFixed(2)}–${a.upper.toFixed(2)}`;
        bar.append(interval);
      }
      const value = document.createElement("span");
      value.className = "value";
      value.textContent = a.fraction.toFixed(2);
      value.title = `spread over the views ${a.spread.toFixed(3)}`;
      row.append(label, bar, value);
      box.append(row);
    }
    tree.append(box);
  }
  const neighbours = $("neighbours");
  neighbours.replaceChildren();
  $("neighbours-box").hidden = !answer.neighbours;
  for (const n of answer.neighbours || []) {
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.src = `/galaxynet/thumbnail/${n.id}`;
    img.alt = n.id;
    img.onclick = () => openGalaxy(n.id);
    const caption = document.createElement("figcaption");
    caption.textContent = `${n.id} · ${n.similarity.toFixed(3)}`;
    figure.append(img, caption);
    neighbours.append(figure);
  }
}

async function openGalaxy(id) {
  show("look");
  const response = await fetch(`/galaxynet/image/${id}`);
  if (!response.ok) { $("status").textContent = `${id}: ${(await response.json()).error}`; return; }
  look(await response.arrayBuffer(), `galaxy ${id}`);
}

const drop = $("drop");
drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  const file = event.dataTransfer.files[0];
  if (file) file.arrayBuffer().then((bytes) => look(bytes, file.name));
});
$("file").addEventListener("change", () => {
  const file = $("file").files[0];
  if (file) file.arrayBuffer().then((bytes) => look(bytes, file.name));
});

// ---- Browse a prediction table -----------------------------------------------------------

let table = { header: [], rows: [] };

async function loadTables() {
  const names = await (await fetch("/galaxynet/catalogues")).json();
  $("tables").replaceChildren(...names.map((n) => new Option(n, n)));
  if (!names.length) $("catalogue-status").textContent = "The server was given no folder of prediction tables (serve --catalogues DIR).";
  else loadTable(names[0]);
}

function parseCSV(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else if (c !== "\r") field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

async function loadTable(name) {
  $("catalogue-status").textContent = `Loading ${name}…`;
  const rows = parseCSV(await (await fetch(`/galaxynet/catalogues/${encodeURIComponent(name)}`)).text());
  table = { header: rows[0], rows: rows.slice(1) };
  const numeric = table.header.filter((_, c) => table.rows.every((r) => r[c] !== "" && !isNaN(Number(r[c]))) && c > 0);
  $("sort").replaceChildren(...numeric.map((n) => new Option(n, n)));
  $("filter-column").replaceChildren(...numeric.map((n) => new Option(n, n)));
  render();
}

function render() {
  const sort = table.header.indexOf($("sort").value), filter = table.header.indexOf($("filter-column").value);
  const threshold = Number($("filter-value").value), sign = $("order").value === "asc" ? 1 : -1;
  let rows = table.rows.filter((r) => filter < 0 || Number(r[filter]) >= threshold);
  if (sort >= 0) rows = rows.slice().sort((a, b) => sign * (Number(a[sort]) - Number(b[sort])));
  $("catalogue-status").textContent = `${rows.length} of ${table.rows.length} galaxies` + (rows.length > 200 ? " (the first 200 shown)" : "");
  const head = document.createElement("tr");
  for (const name of ["", ...table.header]) {
    const th = document.createElement("th");
    th.textContent = name;
    if (name) th.onclick = () => { $("sort").value = name; $("order").value = $("order").value === "desc" ? "asc" : "desc"; render(); };
    head.append(th);
  }
  $("rows").tHead.replaceChildren(head);
  const body = rows.slice(0, 200).map((r) => {
    const tr = document.createElement("tr");
    const cell = document.createElement("td");
    const img = document.createElement("img");
    img.loading = "lazy";
    img.src = `/galaxynet/thumbnail/${r[0]}`;
    img.alt = r[0];
    cell.append(img);
    tr.append(cell);
    for (const value of r) {
      const td = document.createElement("td");
      td.textContent = value.length > 12 && !isNaN(Number(value)) && value.includes(".") ? Number(value).toFixed(4) : value;
      tr.append(td);
    }
    tr.onclick = () => openGalaxy(r[0]);
    return tr;
  });
  $("rows").tBodies[0].replaceChildren(...body);
}

for (const id of ["sort", "order", "filter-column", "filter-value"]) $(id).addEventListener("change", render);
$("tables").addEventListener("change", () => loadTable($("tables").value));
