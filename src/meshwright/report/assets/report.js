// meshwright report: sortable tables, zoomable diagrams, print with everything open.
// Plain DOM code, no library, no network.
(function () {
  "use strict";

  function cellKey(row, i) {
    var cell = row.cells[i];
    if (!cell) { return ""; }
    return cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
  }

  function sortTable(table, index, numeric, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    rows.sort(function (a, b) {
      var x = cellKey(a, index), y = cellKey(b, index);
      var c = numeric ? (parseFloat(x) - parseFloat(y)) : x.localeCompare(y, undefined, {numeric: true});
      if (isNaN(c)) { c = 0; }
      return ascending ? c : -c;
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r); });
    body.appendChild(frag);
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute("tabindex", "0");
      var go = function () { sortTable(table, i, th.classList.contains("num"), th); };
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
    });
  });

  function naturalSize(svg) {
    var vb = svg.viewBox && svg.viewBox.baseVal;
    if (vb && vb.width) { return {w: vb.width, h: vb.height}; }
    var r = svg.getBoundingClientRect();
    return {w: r.width || 100, h: r.height || 100};
  }

  document.querySelectorAll("figure.diagram").forEach(function (fig) {
    var viewport = fig.querySelector(".viewport");
    var svg = viewport && viewport.querySelector("svg");
    if (!svg) { return; }
    var size = naturalSize(svg);
    var scale = 1;
    function apply() {
      svg.style.width = (size.w * scale) + "px";
      svg.style.height = (size.h * scale) + "px";
      svg.removeAttribute("width");
      svg.removeAttribute("height");
    }
    function fit() {
      var room = viewport.clientWidth - 4;
      scale = Math.min(1.25, room > 0 ? room / size.w : 1);
      apply();
    }
    function zoom(factor, cx, cy) {
      var old = scale;
      scale = Math.max(0.1, Math.min(8, scale * factor));
      var k = scale / old;
      var x = cx === undefined ? viewport.clientWidth / 2 : cx;
      var y = cy === undefined ? viewport.clientHeight / 2 : cy;
      var sl = viewport.scrollLeft, st = viewport.scrollTop;
      apply();
      viewport.scrollLeft = (sl + x) * k - x;
      viewport.scrollTop = (st + y) * k - y;
    }
    fit();
    fig.querySelectorAll("button[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var z = b.getAttribute("data-zoom");
        if (z === "fit") { fit(); } else if (z === "1") { scale = 1; apply(); } else { zoom(parseFloat(z)); }
      });
    });
    viewport.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !e.metaKey) { return; }
      e.preventDefault();
      var r = viewport.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
    }, {passive: false});
    var drag = null;
    viewport.addEventListener("mousedown", function (e) {
      if (e.button !== 0 || e.target.closest("a")) { return; }
      drag = {x: e.clientX, y: e.clientY, l: viewport.scrollLeft, t: viewport.scrollTop};
      viewport.classList.add("dragging");
      e.preventDefault();
    });
    window.addEventListener("mousemove", function (e) {
      if (!drag) { return; }
      viewport.scrollLeft = drag.l - (e.clientX - drag.x);
      viewport.scrollTop = drag.t - (e.clientY - drag.y);
    });
    window.addEventListener("mouseup", function () { drag = null; viewport.classList.remove("dragging"); });
  });

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.setAttribute("open", ""); });
  });
})();
