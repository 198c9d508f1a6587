/* SPDX-License-Identifier: MIT
 * dash.js: the dashboard's only script (served from /assets/; the pages
 * carry no inline script). Sortable tables, the time-series charts (uPlot,
 * embedded in cxmeter at build time) with their 95 % interval bands, and
 * tidy period controls. The pages work without it: tables and figures are
 * server-rendered HTML, every chart has its table and CSV. */
(function () {
  'use strict';

  function cellValue(td, numeric) {
    var t = (td.getAttribute('data-sort') || td.textContent || '').trim();
    if (!numeric) return t.toLowerCase();
    var v = parseFloat(t.replace(/[^0-9eE+.\-]/g, ''));
    return isNaN(v) ? -Infinity : v;
  }

  function makeSortable(table) {
    var ths = table.querySelectorAll('thead th');
    ths.forEach(function (th, col) {
      var btn = th.querySelector('button') || th;
      btn.addEventListener('click', function () {
        var numeric = th.classList.contains('num');
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        ths.forEach(function (o) { o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[col], numeric), y = cellValue(b.cells[col], numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function drawChart(el) {
    var src = document.getElementById(el.getAttribute('data-series'));
    if (!src) return;
    var d = JSON.parse(src.textContent);
    if (typeof uPlot !== 'function') {
      el.textContent = 'Charts are not available in this build (uPlot missing).';
      return;
    }
    var nul = function (a) { return a.map(function (v) { return v === null ? null : v; }); };
    var opts = {
      width: Math.max(260, el.clientWidth || 300),
      height: 180,
      scales: { x: { time: true } },
      legend: { show: false },
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); },
      series: [
        {},
        { label: '95% low', stroke: 'rgba(37,99,235,0.35)', width: 1, points: { show: false } },
        { label: '95% high', stroke: 'rgba(37,99,235,0.35)', width: 1, points: { show: false } },
        { label: d.label, stroke: '#1d4ed8', width: 2 }
      ],
      bands: [{ series: [2, 1], fill: 'rgba(37,99,235,0.15)' }],
      axes: [{}, { size: 50 }]
    };
    el.textContent = '';
    var u = new uPlot(opts, [d.x, nul(d.lo), nul(d.hi), nul(d.y)], el);
    el.setAttribute('data-drawn', '1');
    window.addEventListener('resize', function () {
      u.setSize({ width: Math.max(260, el.clientWidth || 300), height: 180 });
    });
  }

  function tidyControls(form) {
    var period = form.querySelector('select[name=period]');
    if (!period) return;
    var dates = form.querySelectorAll('input[name=from], input[name=to]');
    var sync = function () {
      dates.forEach(function (i) { i.disabled = period.value !== 'custom'; });
    };
    period.addEventListener('change', sync);
    dates.forEach(function (i) {
      i.addEventListener('focus', function () { period.value = 'custom'; sync(); });
    });
    form.addEventListener('submit', function () {
      // Empty filters and a zone of UTC stay out of the URL.
      form.querySelectorAll('input[type=text]').forEach(function (i) {
        if (!i.value || (i.name === 'tz' && i.value === 'UTC')) i.disabled = true;
      });
    });
    sync();
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('table.sortable').forEach(makeSortable);
    document.querySelectorAll('.chart[data-series]').forEach(drawChart);
    document.querySelectorAll('form.controls').forEach(tidyControls);
  });
})();
