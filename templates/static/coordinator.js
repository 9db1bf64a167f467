/* The coordinator's pages, light progressive enhancement (no build step); the pages work without it.
 *
 * Overlap view: each day's table of hour bands becomes one ARIA grid with a single tab stop
 * (a roving tabindex): the arrow keys move between hours (left, right) and zones (up, down,
 * staying on the same instant), Home and End go to the first and last hour of the zone. The
 * exact local times of the hour under focus or the pointer are written beside the table.
 * Without JavaScript every hour cell stays focusable and carries the same text.
 */
(function () {
  "use strict";

  function enhance(table) {
    var rows = Array.prototype.map.call(table.querySelectorAll("tr.band"), function (tr) {
      return Array.prototype.slice.call(tr.querySelectorAll("td.cell"));
    });
    if (!rows.length || !rows[0].length) return;
    var wrap = table.closest(".bands-wrap");
    var day = table.closest("section.day");
    var readout = day && day.querySelector(".readout");
    var start = table.querySelector("td.common-full, td.common-part") || rows[0][0];
    rows.forEach(function (cells) { cells.forEach(function (c) { c.tabIndex = -1; }); });
    start.tabIndex = 0;
    table.setAttribute("role", "grid");
    var help = document.getElementById("keys-help");
    if (help) table.setAttribute("aria-describedby", help.id);
    // The grid itself is now the one tab stop of the day; the scroller needs none of its own.
    if (wrap) {
      wrap.removeAttribute("tabindex");
      // On a narrow screen, open the day scrolled to where it starts being interesting.
      var head = table.querySelector("th");
      wrap.scrollLeft = Math.max(0, start.offsetLeft - (head ? head.offsetWidth : 0) - 8);
    }

    function show(cell) {
      if (readout) {
        readout.hidden = false;
        readout.querySelector("span").textContent = cell.title;
      }
    }
    function move(from, to) {
      from.tabIndex = -1;
      to.tabIndex = 0;
      to.focus();
    }
    table.addEventListener("keydown", function (event) {
      var cell = event.target.closest("td.cell");
      if (!cell) return;
      var r = rows.findIndex(function (cells) { return cells.indexOf(cell) >= 0; });
      var c = rows[r].indexOf(cell);
      var next = null;
      switch (event.key) {
        case "ArrowLeft": next = rows[r][c - 1]; break;
        case "ArrowRight": next = rows[r][c + 1]; break;
        case "ArrowUp": next = r > 0 ? rows[r - 1][c] : null; break;
        case "ArrowDown": next = r < rows.length - 1 ? rows[r + 1][c] : null; break;
        case "Home": next = rows[r][0]; break;
        case "End": next = rows[r][rows[r].length - 1]; break;
        default: return;
      }
      event.preventDefault();
      if (next) move(cell, next);
    });
    table.addEventListener("focusin", function (event) {
      var cell = event.target.closest("td.cell");
      if (cell) show(cell);
    });
    table.addEventListener("mouseover", function (event) {
      var cell = event.target.closest("td.cell");
      if (cell) show(cell);
    });
  }

  function ready() {
    Array.prototype.forEach.call(document.querySelectorAll("table.bands"), enhance);
    var help = document.getElementById("keys-help");
    if (help && document.querySelector("table.bands")) help.hidden = false;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
