/* The cohort page: draw the charts, and show, search, filter and sort the students.
   The students come as data; at most SHOWN rows are in the page at once, so that a
   programme of ten thousand opens at once ("show them all" puts every one in). */
(function () {
  "use strict";
  var specs = JSON.parse(document.getElementById("chart-specs").textContent);
  Object.keys(specs).forEach(function (id) {
    var spec = vegaLite.compile(specs[id]).spec;
    new vega.View(vega.parse(spec), { renderer: "svg", container: "#" + id, hover: true })
      .runAsync();
  });

  var SHOWN = 500;
  var FIRST = 6;  // the column of the first requirement
  var data = JSON.parse(document.getElementById("students-data").textContent);
  // [number, name, start, set, standing, cells, attention, status ('' when active)]
  var students = data.students;
  // Searched without accents or case: "celine" finds Céline, "ozturk" Öztürk.
  function folded(value) {
    return value.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var text = students.map(function (s) { return folded(s[0] + " " + s[1]); });
  var order = students.map(function (_, i) { return i; });
  var table = document.getElementById("students");
  var body = table.tBodies[0];
  var search = document.getElementById("search");
  var standing = document.getElementById("standing");
  var start = document.getElementById("start");
  var shown = document.getElementById("shown");
  var all = document.getElementById("all");
  var showAll = false;

  function cell(row, content, className, title) {
    var td = row.insertCell();
    td.textContent = content;
    if (className) td.className = className;
    if (title) td.title = title;
    return td;
  }

  function render() {
    var words = folded(search.value.trim()).split(/\s+/).filter(Boolean);
    var wanted = standing.value, from = start.value;
    var matching = order.filter(function (i) {
      var s = students[i];
      return (!wanted || s[4] === wanted) && (!from || s[2] === from) &&
        words.every(function (word) { return text[i].indexOf(word) >= 0; });
    });
    var rows = showAll ? matching : matching.slice(0, SHOWN);
    var fragment = document.createDocumentFragment();
    rows.forEach(function (i) {
      var s = students[i];
      var row = document.createElement("tr");
      row.dataset.standing = s[4];
      row.dataset.start = s[2];
      cell(row, s[0]);
      var name = cell(row, s[1]);
      if (s[7]) {  // not active: graduated or withdrawn
        var status = document.createElement("span");
        status.className = "badge none inactive";
        status.textContent = s[7];
        name.append(" ", status);
        row.dataset.status = s[7];
      }
      cell(row, s[2]); cell(row, s[3]);
      var badge = document.createElement("span");
      badge.className = "badge " + s[4];
      badge.textContent = data.standings[s[4]].join(" ");
      row.insertCell().appendChild(badge);
      cell(row, s[6], "attention");
      s[5].forEach(function (c, column) {
        if (!c) { cell(row, "–", "r"); return; }
        var status = data.statuses[c[0]];
        var label = table.tHead.rows[0].cells[FIRST + column].title;
        var td = cell(row, status[0] + " " + c[1] + "/" + c[2], "r " + status[2],
                      label + ": " + status[1] + ", " + c[1] + " of " + c[2]);
        var bar = document.createElement("i");
        bar.style.setProperty("--p", Math.min(100, Math.round(100 * c[1] / c[2])) + "%");
        td.appendChild(bar);
      });
      fragment.appendChild(row);
    });
    body.replaceChildren(fragment);
    shown.textContent = rows.length < matching.length
      ? rows.length + " of " + matching.length + " matching shown (of " + students.length +
        "): search, filter, or"
      : matching.length + " of " + students.length + " shown";
    all.hidden = rows.length >= matching.length;
  }

  [search, standing, start].forEach(function (control) {
    control.addEventListener("input", function () { showAll = false; render(); });
  });
  all.addEventListener("click", function () { showAll = true; render(); });

  var rank = { overdue: 0, "at-risk": 1, "on-track": 2, complete: 3, none: 4 };
  function key(i, column, how) {
    var s = students[i];
    if (how === "standing") return rank[s[4]];
    if (how === "attention") return s[6].toLowerCase();
    if (how === "share") {
      var c = s[5][column - FIRST];
      return c ? c[1] / c[2] : -1;
    }
    return String(s[column]).toLowerCase();
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    th.querySelector("button").addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(th.parentNode.cells, function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var how = th.dataset.sort;
      var keys = order.map(function (i) { return key(i, column, how); });
      var positions = order.map(function (_, p) { return p; });
      positions.sort(function (a, b) {
        var x = keys[a], y = keys[b];
        var result = x < y ? -1 : x > y ? 1 : order[a] - order[b];
        return ascending ? result : -result;
      });
      order = positions.map(function (p) { return order[p]; });
      render();
    });
  });
  render();
})();
