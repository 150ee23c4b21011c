/* laddersheet: the "what changes" view. Reads the ladder from #ladder-data, compares two
   levels competency by competency (the rule of publish.level_diff) and renders the table.
   The address picks the levels: #diff=L2..L3 (or #pair-L2-L3, the step sections' anchors). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ladder-data").textContent);
  var from = document.getElementById("diff-from");
  var to = document.getElementById("diff-to");
  var result = document.getElementById("diff-result");
  var byCode = Object.create(null);
  data.levels.forEach(function (level) {
    byCode[level.code] = level;
  });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function shade(value) {
    var values = Object.keys(data.scale).map(Number).sort(function (a, b) { return a - b; });
    var i = values.indexOf(value);
    if (i < 0) { return 0; }
    return 1 + Math.round(4 * i / Math.max(1, values.length - 1));
  }

  function score(value) {
    var label = Object.prototype.hasOwnProperty.call(data.scale, String(value))
      ? data.scale[String(value)] : "not on the scale";
    return el("span", "score s" + shade(value), value + " · " + label);
  }

  function diff(a, b) {
    var first = Object.create(null);
    var second = Object.create(null);
    var order = [];
    (data.rows[a] || []).forEach(function (row) { first[row.id] = row; order.push(row.id); });
    (data.rows[b] || []).forEach(function (row) {
      second[row.id] = row;
      if (!(row.id in first)) { order.push(row.id); }
    });
    return order.filter(function (id) {
      var x = first[id], y = second[id];
      return !(x && y && x.expected === y.expected && x.statement === y.statement);
    }).map(function (id) { return [id, first[id], second[id]]; });
  }

  function cell(row, code) {
    var td = el("td");
    td.setAttribute("data-label", code);
    if (row) {
      td.appendChild(score(row.expected));
      td.appendChild(el("p", "statement", row.statement));
    } else {
      td.className = "absent";
      td.appendChild(el("p", "", "Not on this level's track."));
    }
    return td;
  }

  function render(a, b) {
    var rows = diff(a, b);
    var ids = Object.create(null);
    (data.rows[a] || []).concat(data.rows[b] || []).forEach(function (row) { ids[row.id] = 1; });
    var total = Object.keys(ids).length;
    var box = el("section", "pair");
    var heading = el("h3");
    heading.appendChild(el("span", "code", a));
    heading.appendChild(document.createTextNode(" " + byCode[a].title + " → "));
    heading.appendChild(el("span", "code", b));
    heading.appendChild(document.createTextNode(" " + byCode[b].title));
    box.appendChild(heading);
    if (a === b) {
      box.appendChild(el("p", "count", "Pick two different levels to see what changes."));
    } else if (!rows.length) {
      box.appendChild(el("p", "count",
        "Nothing changes: every competency has the same expected score and statement."));
    } else {
      box.appendChild(el("p", "count", rows.length + " of " + total + " competencies change."));
      var table = el("table", "diff-table");
      var head = el("tr");
      ["Competency", a, b].forEach(function (text) {
        var th = el("th", "", text);
        th.setAttribute("scope", "col");
        head.appendChild(th);
      });
      table.appendChild(el("thead")).appendChild(head);
      var body = el("tbody");
      rows.forEach(function (item) {
        var row = item[1] || item[2];
        var tr = el("tr");
        tr.setAttribute("data-competency", item[0]);
        var th = el("th", "", row.name + " ");
        th.setAttribute("scope", "row");
        th.appendChild(el("small", "", row.domain));
        tr.appendChild(th);
        tr.appendChild(cell(item[1], a));
        tr.appendChild(cell(item[2], b));
        body.appendChild(tr);
      });
      table.appendChild(body);
      box.appendChild(table);
    }
    while (result.firstChild) { result.removeChild(result.firstChild); }
    result.appendChild(box);
    document.documentElement.setAttribute("data-diff", a + ".." + b);
  }

  function fromHash() {
    var hash = window.location.hash;
    var match = /^#diff=(.+)\.\.(.+)$/.exec(hash);
    var pair = null;
    if (match) {
      try {
        pair = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
      } catch (e) {
        pair = null;
      }
    } else {
      match = /^#pair-(.+)$/.exec(hash);
      if (match) {
        data.pairs.forEach(function (p) {
          if (match[1] === byCode[p[0]].key + "-" + byCode[p[1]].key) {
            pair = p;
          }
        });
      }
    }
    if (pair && byCode[pair[0]] && byCode[pair[1]]) { return pair; }
    return null;
  }

  function show(pair, scroll) {
    from.value = pair[0];
    to.value = pair[1];
    render(pair[0], pair[1]);
    if (scroll) { document.getElementById("diff").scrollIntoView(); }
  }

  function changed() {
    render(from.value, to.value);
    var hash = "#diff=" + encodeURIComponent(from.value) + ".." + encodeURIComponent(to.value);
    try {
      window.history.replaceState(null, "", hash);
    } catch (e) {
      /* some browsers refuse history changes on file:// pages: the view still works */
    }
  }

  from.addEventListener("change", changed);
  to.addEventListener("change", changed);
  window.addEventListener("hashchange", function () {
    var pair = fromHash();
    if (pair) { show(pair, true); }
  });
  var initial = fromHash();
  if (initial) {
    show(initial, true);
  } else {
    render(from.value, to.value);
  }
})();
