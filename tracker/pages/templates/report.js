/* The cohort page: draw the charts, and search, filter and sort the students. */
(function () {
  "use strict";
  var specs = JSON.parse(document.getElementById("chart-specs").textContent);
  Object.keys(specs).forEach(function (id) {
    var spec = vegaLite.compile(specs[id]).spec;
    new vega.View(vega.parse(spec), { renderer: "svg", container: "#" + id, hover: true })
      .runAsync();
  });

  var table = document.getElementById("students");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = rows.map(function (row) {
    return (row.cells[0].textContent + " " + row.cells[1].textContent).toLowerCase();
  });
  var search = document.getElementById("search");
  var standing = document.getElementById("standing");
  var start = document.getElementById("start");
  var shown = document.getElementById("shown");

  function filter() {
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var wanted = standing.value, from = start.value, count = 0;
    rows.forEach(function (row, i) {
      var visible = (!wanted || row.dataset.standing === wanted) &&
        (!from || row.dataset.start === from) &&
        words.every(function (word) { return text[i].indexOf(word) >= 0; });
      row.hidden = !visible;
      count += visible;
    });
    shown.textContent = count + " of " + rows.length + " shown";
  }
  [search, standing, start].forEach(function (control) {
    control.addEventListener("input", filter);
  });

  var rank = { overdue: 0, "at-risk": 1, "on-track": 2, complete: 3, none: 4 };
  function key(row, column, how) {
    if (how === "standing") return rank[row.dataset.standing];
    var cell = row.cells[column].textContent;
    if (how === "share") {
      var parts = cell.match(/(\d+)\/(\d+)/);
      return parts ? Number(parts[1]) / Number(parts[2]) : -1;
    }
    return cell.toLowerCase();
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    th.querySelector("button").addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(th.parentNode.cells, function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var how = th.dataset.sort;
      var keyed = rows.map(function (row) { return [key(row, column, how), row]; });
      keyed.sort(function (a, b) {
        var order = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
        return ascending ? order : -order;
      });
      rows = keyed.map(function (pair) { return pair[1]; });
      text = rows.map(function (row) {
        return (row.cells[0].textContent + " " + row.cells[1].textContent).toLowerCase();
      });
      var fragment = document.createDocumentFragment();
      rows.forEach(function (row) { fragment.appendChild(row); });
      body.appendChild(fragment);
    });
  });
})();
