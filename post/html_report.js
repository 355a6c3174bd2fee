// SPDX-License-Identifier: MIT
// The renderer of qprof-report --html pages (post/write_html.c inlines it,
// after d3.js 3.x from Debian's libjs-d3).  It reads the report's data from
// the <script type="application/json" id="qprof-data"> element and draws
// with d3 into SVG.  Strings from the trace are only ever written with
// d3's .text() (textContent), never as markup.  Every chart is an <svg
// class="chart"> with data-chart = hist | cdf | time | split | delta;
// its series are <g class="series"> or <path class="series"> elements,
// its points <rect class="bar">, <circle class="pt">, <rect class="seg">
// or <circle class="delta">: tests/post/browser_check.py reads them back.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('qprof-data').textContent);
  var app = d3.select('#app');
  var detail = d3.select('#detail');
  var color = d3.scale.category10();

  app.text('');

  function fmt(v, d) {
    if (v === null || v === undefined || isNaN(v)) { return '-'; }
    return (+v).toFixed(d === undefined ? 2 : d);
  }
  function signed(v, d) {
    if (v === null || v === undefined) { return '-'; }
    return (v >= 0 ? '+' : '') + fmt(v, d);
  }
  function table(parent, head, rows, opts) {
    var t = parent.append('table');
    var tr = t.append('thead').append('tr');
    head.forEach(function (h, k) {
      var left = k < ((opts && opts.left) || 1) || (opts && opts.text && opts.text.indexOf(k) >= 0);
      tr.append('th').attr('class', left ? 'l' : null).text(h);
    });
    var body = t.append('tbody');
    rows.forEach(function (r) {
      var row = body.append('tr');
      if (opts && opts.marked && opts.marked(r)) { row.attr('class', 'marked'); }
      r.cells.forEach(function (c, k) {
        var left = k < ((opts && opts.left) || 1) || (opts && opts.text && opts.text.indexOf(k) >= 0);
        row.append('td').attr('class', left ? 'l' : null).text(c);
      });
    });
    return t;
  }
  function svg(parent, kind, w, h, title) {
    var box = parent.append('div');
    box.append('div').attr('class', 'note').text(title);
    var s = box.append('svg').attr('class', 'chart').attr('data-chart', kind)
      .attr('width', w).attr('height', h);
    s.append('title').text(title);
    return s;
  }
  function axes(s, x, y, m, w, h, xlabel, ylabel) {
    s.append('g').attr('class', 'axis').attr('transform', 'translate(0,' + (h - m.b) + ')')
      .call(d3.svg.axis().scale(x).orient('bottom').ticks(5, x.base ? ',.1s' : undefined));
    s.append('g').attr('class', 'axis').attr('transform', 'translate(' + m.l + ',0)')
      .call(d3.svg.axis().scale(y).orient('left').ticks(5));
    s.append('text').attr('x', w - m.r).attr('y', h - 2).attr('text-anchor', 'end').text(xlabel);
    s.append('text').attr('x', 2).attr('y', 10).text(ylabel);
  }

  // ---- the report ---------------------------------------------------------

  var PHASES = ['enqTime', 'preProcTime', 'execTotal', 'execToComplete', 'postProc',
                'totalRoundtripTime'];

  function histogram(parent, name, ph) {
    var w = 300, h = 170, m = { l: 44, r: 8, t: 8, b: 28 };
    var s = svg(parent, 'hist', w, h, name + ': ' + ph.count + ' inferences, µs' +
                (ph.above ? ' (' + ph.above + ' above the p99, not drawn)' : ''));
    s.attr('data-phase', name);
    var n = ph.counts.length;
    var x = d3.scale.linear().domain([ph.lo, ph.lo + n * ph.width]).range([m.l, w - m.r]);
    var y = d3.scale.linear().domain([0, d3.max(ph.counts) || 1]).range([h - m.b, m.t]);
    var g = s.append('g').attr('class', 'series').attr('data-series', name);
    g.selectAll('rect').data(ph.counts).enter().append('rect').attr('class', 'bar')
      .attr('x', function (d, k) { return x(ph.lo + k * ph.width); })
      .attr('width', Math.max(1, (w - m.l - m.r) / n - 1))
      .attr('y', function (d) { return y(d); })
      .attr('height', function (d) { return h - m.b - y(d); })
      .attr('fill', '#4e79a7')
      .append('title').text(function (d, k) {
        return fmt(ph.lo + k * ph.width) + '–' + fmt(ph.lo + (k + 1) * ph.width) + ' µs: ' + d;
      });
    axes(s, x, y, m, w, h, 'µs', 'count');
  }

  function cdf(parent, p) {
    var w = 520, h = 280, m = { l: 44, r: 130, t: 8, b: 28 };
    var names = PHASES.filter(function (n) { return p.phases[n]; });
    var lo = Infinity, hi = 0;
    names.forEach(function (n) {
      p.phases[n].cdf.forEach(function (q) {
        if (q[0] > 0 && q[0] < lo) { lo = q[0]; }
        if (q[0] > hi) { hi = q[0]; }
      });
    });
    if (!(lo < Infinity)) { lo = 0.1; }
    if (!(hi > lo)) { hi = lo * 10; }
    var s = svg(parent, 'cdf', w, h, 'CDF per phase (µs, log scale)');
    var x = d3.scale.log().domain([lo, hi]).range([m.l, w - m.r]).clamp(true);
    var y = d3.scale.linear().domain([0, 1]).range([h - m.b, m.t]);
    var line = d3.svg.line().x(function (q) { return x(Math.max(q[0], lo)); })
      .y(function (q) { return y(q[1]); });
    names.forEach(function (n, k) {
      s.append('path').attr('class', 'series').attr('data-series', n)
        .attr('stroke', color(k)).attr('d', line(p.phases[n].cdf))
        .append('title').text(n);
      s.append('text').attr('x', w - m.r + 6).attr('y', m.t + 12 + 14 * k)
        .attr('fill', color(k)).text(n);
    });
    axes(s, x, y, m, w, h, 'µs', 'fraction');
  }

  function showDetail(p, r, cs) {
    detail.attr('hidden', null).text(describe(p, r, cs) + '\n(click to close)');
  }
  detail.on('click', function () { detail.attr('hidden', true); });

  function describe(p, r, cs) {
    // r: [t s, round trip µs, seq, pid, tid, submit tid, call site, enq, pre, exec, post]
    return 'program ' + p.name + ', seq ' + r[2] + ' at ' + fmt(r[0], 6) + ' s\n' +
      'round trip ' + fmt(r[1]) + ' µs: enq ' + fmt(r[7]) + ', preProc ' + fmt(r[8]) +
      ', execTotal ' + fmt(r[9]) + ', postProc ' + fmt(r[10]) + '\n' +
      'pid ' + r[3] + ', thread ' + r[4] + (r[5] ? ', runtime worker ' + r[5] : '') + '\n' +
      'call site ' + (r[6] >= 0 ? cs[r[6]] : '(unknown)');
  }

  function overTime(parent, p) {
    var w = 900, h = 300, m = { l: 56, r: 10, t: 8, b: 28 };
    var red = p.reduction;
    var s = svg(parent, 'time', w, h, 'Round trip over time (µs, log scale; hover or click a point)');
    var x = d3.scale.linear().domain(d3.extent(p.points, function (r) { return r[0]; }))
      .range([m.l, w - m.r]);
    var ymin = d3.min(p.points, function (r) { return r[1] > 0 ? r[1] : null; }) || 1;
    var ymax = d3.max(p.points, function (r) { return r[1]; }) || 1;
    var y = d3.scale.log().domain([ymin, Math.max(ymax, ymin * 10)]).range([h - m.b, m.t])
      .clamp(true).nice();
    var g = s.append('g').attr('class', 'series').attr('data-series', 'totalRoundtripTime');
    g.selectAll('circle').data(p.points).enter().append('circle').attr('class', 'pt')
      .attr('cx', function (r) { return x(r[0]); })
      .attr('cy', function (r) { return y(r[1]); })
      .attr('r', 2)
      .attr('fill', function (r) { return r[1] > red.tail_from_us ? '#e15759' : '#4e79a7'; })
      .on('click', function (r) { showDetail(p, r, data.callsites); })
      .append('title').text(function (r) { return describe(p, r, data.callsites); });
    axes(s, x, y, m, w, h, 's', 'µs');
    parent.append('p').attr('class', 'note').text(
      red.drawn + ' of ' + red.inferences + ' inferences drawn: ' +
      (red.every > 1 ?
       'all ' + red.tail + ' above the p99 (' + fmt(red.tail_from_us) + ' µs, red) and every ' +
       red.every + 'th of the others, in time order' : 'all of them (red: above the p99)') + '.');
  }

  function split(parent, sp) {
    var w = 620, h = 150, m = { l: 120, r: 10, t: 8, b: 28 };
    var s = svg(parent, 'split', w, h, 'Waiting (light) and working (dark): mean over ' +
                sp.inferences + ' inferences, and the ' + sp.tail_inferences +
                ' at or above the p99 (' + fmt(sp.tail_total_us) + ' µs mean), µs');
    var bars = [{ name: 'mean', key: 'mean_us' }, { name: 'p99 tail', key: 'tail_us' }];
    var max = d3.max(bars, function (b) {
      return d3.sum(sp.parts, function (q) { return q[b.key] || 0; });
    }) || 1;
    var x = d3.scale.linear().domain([0, max]).range([m.l, w - m.r]);
    var y = d3.scale.ordinal().domain(bars.map(function (b) { return b.name; }))
      .rangeBands([m.t, h - m.b], 0.3);
    sp.parts.forEach(function (q, k) {
      var g = s.append('g').attr('class', 'series').attr('data-series', q.name);
      var acc = bars.map(function (b) {
        var before = 0;
        for (var j = 0; j < k; j++) { before += sp.parts[j][b.key] || 0; }
        return { b: b, x0: before, v: q[b.key] || 0 };
      });
      g.selectAll('rect').data(acc).enter().append('rect').attr('class', 'seg')
        .attr('x', function (a) { return x(a.x0); })
        .attr('width', function (a) { return x(a.x0 + a.v) - x(a.x0); })
        .attr('y', function (a) { return y(a.b.name); })
        .attr('height', y.rangeBand())
        .attr('fill', color(k)).attr('fill-opacity', q.waiting ? 0.45 : 1)
        .append('title').text(function (a) {
          return a.b.name + ': ' + q.label + ' ' + fmt(a.v) + ' µs';
        });
    });
    s.append('g').attr('class', 'axis').attr('transform', 'translate(0,' + (h - m.b) + ')')
      .call(d3.svg.axis().scale(x).orient('bottom').ticks(6));
    s.append('g').attr('class', 'axis').attr('transform', 'translate(' + m.l + ',0)')
      .call(d3.svg.axis().scale(y).orient('left'));
    table(parent, ['part', 'kind', 'mean µs', 'p99 tail µs'], sp.parts.map(function (q) {
      return { cells: [q.label, q.waiting ? 'waiting' : 'working', fmt(q.mean_us), fmt(q.tail_us)] };
    }));
  }

  function program(p) {
    var sec = app.append('section').attr('class', 'program');
    sec.append('h2').text('program ' + p.name + ' (pid ' + p.pid + ')');
    sec.append('p').text(p.completed + ' completed inferences' +
      (p.throughput_per_s ? ', ' + fmt(p.throughput_per_s, 1) + ' inferences/s' : ''));
    var st = PHASES.filter(function (n) { return p.phases[n]; }).map(function (n) {
      var q = p.phases[n];
      return { cells: [n, q.count, fmt(q.mean), fmt(q.p50), fmt(q.p90), fmt(q.p99), fmt(q.max)] };
    });
    table(sec, ['phase (µs)', 'count', 'mean', 'p50', 'p90', 'p99', 'max'], st);
    sec.append('h3').text('Latency histograms');
    var hs = sec.append('div').attr('class', 'charts');
    PHASES.forEach(function (n) { if (p.phases[n]) { histogram(hs, n, p.phases[n]); } });
    sec.append('h3').text('Latency CDF');
    cdf(sec, p);
    sec.append('h3').text('Latency over time');
    overTime(sec, p);
    if (p.split) {
      sec.append('h3').text('Where the time goes: waiting and working');
      split(sec, p.split);
    }
    sec.append('h3').text('Findings');
    if (!p.findings || !p.findings.length) {
      sec.append('p').text('No finding applies.');
    } else {
      p.findings.forEach(function (f) {
        var d = sec.append('div').attr('class', 'finding');
        d.append('p').append('b').text(f.kind);
        d.append('p').text(f.text);
        d.append('p').attr('class', 'note').text(f.advice);
        table(d, ['evidence', 'value', 'unit'], f.evidence.map(function (e) {
          return { cells: [e.name, fmt(e.value, 3), e.unit] };
        }));
      });
    }
    sec.append('h3').text('Slowest ' + p.slowest.length + ' inferences');
    table(sec, ['seq', 'time s', 'pid', 'thread', 'call site', 'round trip µs', 'enq', 'preProc',
                'execTotal', 'postProc'], p.slowest.map(function (r) {
      return { cells: [r[2], fmt(r[0], 6), r[3], r[4], r[6] >= 0 ? data.callsites[r[6]] : '(unknown)',
                       fmt(r[1]), fmt(r[7]), fmt(r[8]), fmt(r[9]), fmt(r[10])] };
    }), { left: 1, text: [4] });
  }

  // ---- the device level (--opstats, --compile-metrics, --device-trace, the
  // recorded qaic-util -q): the JSON report's "device" object ------------------

  function pct(v) { return v === null || v === undefined ? '-' : fmt(v, 1) + ' %'; }

  function device(d) {
    var sec = app.append('section').attr('class', 'device');
    sec.append('h2').text('Device level');
    if (d.environment) {
      var e = d.environment;
      sec.append('h3').text('Device environment (qaic-util -q at record time)');
      sec.append('p').text('runtime ' + (e.runtime_version || '-') + ', ' + e.devices.length +
                           ' device(s)' + (e.record['qaic-util'] ? '; qaic-util: ' + e.record['qaic-util'] : ''));
      table(sec, ['QID', 'Status', 'FW Version', 'FW image', 'NSP Version', 'PCI Address'],
            e.devices.map(function (v) {
              return { v: v, cells: [v.qid, v.status || '-', v.fw_version || '-', v.fw_image || '-',
                                     v.nsp_version || '-', v.pci_address || '-'] };
            }), { left: 1, text: [1, 2, 3, 4, 5], marked: function (r) { return !r.v.ready; } });
      if (e.not_ready) {
        sec.append('p').attr('class', 'finding').text('WARNING: ' + e.not_ready + ' device(s) not Ready');
      }
    }
    d.opstats.forEach(function (o) {
      sec.append('h3').text('Opstats ' + o.file + (o.inference === null ? '' :
        ' (program ' + o.program + ', activation ' + o.activation + ', inference ' + o.inference + ')'));
      table(sec, ['core', 'ucycles', 'HMX', 'HVX', 'DMA', 'sync HMX', 'sync HVX', 'sync DMA', 'DDR',
                  'MHz', 'verdict'], o.cores.map(function (c) {
        return { cells: ['c' + c.core, c.total_ucycles, pct(c.busy_pct.HMX), pct(c.busy_pct.HVX),
                         pct(c.busy_pct.DMA), pct(c.sync_pct.HMX), pct(c.sync_pct.HVX),
                         pct(c.sync_pct.DMA), pct(c.ddr_pct), fmt(c.effective_mhz), c.verdict] };
      }), { left: 1, text: [10] });
      table(sec, ['core', 'operator', 'engine', 'mem', 'ucycles', '% of cycles', 'count'],
            o.top_operators.map(function (t) {
              return { cells: ['c' + t.core, t.details, t.engine || '-', t.mem || '-', t.ucycles,
                               pct(t.pct), t.count] };
            }), { left: 4 });
      o.findings.forEach(function (f) { sec.append('p').attr('class', 'finding').text(f.text); });
    });
    if (d.compile_metrics) {
      var m = d.compile_metrics;
      sec.append('h3').text('Compile perf-metrics ' + m.file + ' (KB per inference)');
      var kb = function (v) { return v === null || v === undefined ? '-' : v; };
      table(sec, ['core', 'DDR read', 'const read', 'DDR write', 'MC read', 'MC write', 'VTCM bytes',
                  'spill'], m.cores.map(function (c) {
        return { c: c, cells: ['c' + c.core, kb(c.ddr_read_kb), kb(c.const_read_kb), kb(c.ddr_write_kb),
                               kb(c.mc_read_kb), kb(c.mc_write_kb), kb(c.vtcm_bytes),
                               kb(c.spill_kb) + (c.spilling ? ' SPILL' : '')] };
      }), { marked: function (r) { return r.c.spilling; } });
      m.findings.forEach(function (f) { sec.append('p').attr('class', 'finding').text(f); });
    }
    if (d.device_trace) {
      var t = d.device_trace;
      sec.append('h3').text('Device trace ' + t.file);
      sec.append('p').text(t.aligned ?
        t.matched + ' of ' + t.inferences.length + ' profiled inference(s) aligned to the host clock; ' +
        'alignment error ≤ ' + fmt(t.alignment_error_us, 3) + ' µs; operators outside their span: ' +
        t.ops_outside_span + ' (the operators are in the --chrome-trace timeline)' :
        'not aligned: ' + (t.note || '-'));
    }
  }

  function report() {
    app.append('h1').text('qprof report');
    if (data.note) { app.append('p').attr('class', 'note').text('Selection: ' + data.note); }
    data.programs.forEach(program);
    var by = app.append('section');
    by.append('h2').text('Breakdowns (--by)');
    ['program', 'thread', 'queue', 'callsite'].forEach(function (k) {
      by.append('h3').text('by ' + k + ' (round trip µs; phase means)');
      table(by, [k, 'count', 'mean', 'p50', 'p99', 'max', 'enq', 'preProc', 'execTotal',
                 'postProc'], data.by[k].map(function (r) {
        return { cells: [r[0], r[1], fmt(r[2]), fmt(r[3]), fmt(r[4]), fmt(r[5]), fmt(r[6]),
                         fmt(r[7]), fmt(r[8]), fmt(r[9])] };
      }));
    });
    if (data.device) { device(data.device); }
    var a = data.accounting, acc = app.append('section');
    acc.append('h2').text('Accounting');
    table(acc, ['what', 'count'], [
      { cells: ['qprof events read', a.events] },
      { cells: ['processes', a.processes] },
      { cells: ['hosts', a.hosts] },
      { cells: ['discarded events (lost by LTTng)', a.discarded_events] },
      { cells: ['discarded packets', a.discarded_packets] },
      { cells: ['matched by BO handles', a.matched.bo_handles] },
      { cells: ['matched FIFO per DBC', a.matched.fifo_per_dbc] },
      { cells: ['kernel-only', a.matched.kernel_only] },
      { cells: ['incomplete: no completion', a.incomplete.no_completion] },
      { cells: ['incomplete: lost events', a.incomplete.lost_events] },
      { cells: ['incomplete: failed', a.incomplete.failed] },
      { cells: ['incomplete: unmatched', a.incomplete.unmatched] },
      { cells: ['PERF_STATS queries by the shim', a.shim_perf_queries] }
    ]);
    if (a.losses.length) {
      acc.append('h3').text('Lost data per stream');
      table(acc, ['trace', 'stream', 'pid', 'events', 'packets'], a.losses.map(function (l) {
        return { cells: [l.trace, l.stream, l.pid, l.events, l.packets] };
      }), { left: 2 });
    }
  }

  // ---- the comparison -------------------------------------------------------

  var STATS = ['p50', 'p90', 'p99', 'mean'];

  function deltas(parent, p) {
    var names = Object.keys(p.metrics_us);
    var w = 760, rowh = 22, m = { l: 150, r: 20, t: 8, b: 28 };
    var h = m.t + m.b + rowh * names.length;
    var s = svg(parent, 'delta', w, h, 'delta NEW − BASE with its 95 % interval (µs); filled: marked');
    var lo = 0, hi = 0;
    names.forEach(function (n) {
      STATS.forEach(function (k) {
        var v = p.metrics_us[n][k];
        lo = Math.min(lo, v.ci95[0], v.delta);
        hi = Math.max(hi, v.ci95[1], v.delta);
      });
    });
    var x = d3.scale.linear().domain([lo, hi]).nice().range([m.l, w - m.r]);
    var y = d3.scale.ordinal().domain(names).rangeBands([m.t, h - m.b]);
    s.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', m.t).attr('y2', h - m.b)
      .attr('stroke', '#888');
    STATS.forEach(function (k, j) {
      var g = s.append('g').attr('class', 'series').attr('data-series', k);
      var off = function (n) { return y(n) + (j + 0.5) * y.rangeBand() / STATS.length; };
      var sel = g.selectAll('g').data(names).enter().append('g');
      sel.append('line').attr('x1', function (n) { return x(p.metrics_us[n][k].ci95[0]); })
        .attr('x2', function (n) { return x(p.metrics_us[n][k].ci95[1]); })
        .attr('y1', off).attr('y2', off).attr('stroke', color(j));
      sel.append('circle').attr('class', 'delta').attr('r', 3)
        .attr('cx', function (n) { return x(p.metrics_us[n][k].delta); }).attr('cy', off)
        .attr('stroke', color(j))
        .attr('fill', function (n) { return p.metrics_us[n][k].marked ? color(j) : '#fff'; })
        .append('title').text(function (n) {
          var v = p.metrics_us[n][k];
          return n + ' ' + k + ': ' + signed(v.delta) + ' µs [' + signed(v.ci95[0]) + ', ' +
            signed(v.ci95[1]) + ']' + (v.marked ? ' marked' : '');
        });
    });
    s.append('g').attr('class', 'axis').attr('transform', 'translate(0,' + (h - m.b) + ')')
      .call(d3.svg.axis().scale(x).orient('bottom').ticks(8));
    s.append('g').attr('class', 'axis').attr('transform', 'translate(' + m.l + ',0)')
      .call(d3.svg.axis().scale(y).orient('left'));
  }

  function compare() {
    var me = data.method;
    app.append('h1').text('qprof comparison');
    app.append('p').text('BASE ' + data.base + ', NEW ' + data.new);
    app.append('p').attr('class', 'note').text(
      'delta = NEW − BASE; 95 % interval by block bootstrap (' + me.blocks +
      ' blocks of consecutive inferences per run, ' + me.replicates + ' replicates); drift: the ' +
      'larger |first half − second half| of the two runs. Marked: interval excluding 0, |delta| > ' +
      me.drift_factor + ' × drift and ≥ max(' + me.min_change_us + ' µs, ' +
      (me.min_change_fraction_of_round_trip * 100) + ' % of BASE\'s totalRoundtripTime). ' +
      data.marked + ' change(s) marked.');
    data.programs.forEach(function (p) {
      var sec = app.append('section').attr('class', 'program');
      sec.append('h2').text('program ' + p.name + ' (BASE ' + p.base_count + ', NEW ' +
                            p.new_count + ' inferences)');
      deltas(sec, p);
      var rows = [];
      Object.keys(p.metrics_us).forEach(function (n) {
        STATS.forEach(function (k) {
          var v = p.metrics_us[n][k];
          rows.push({ v: v, cells: [n, k, fmt(v.base), fmt(v.new), signed(v.delta),
            '[' + signed(v.ci95[0]) + ', ' + signed(v.ci95[1]) + ']', fmt(v.drift),
            v.marked ? (v.delta > 0 ? 'slower' : 'faster') : ''] });
        });
      });
      table(sec, ['metric (µs)', 'stat', 'BASE', 'NEW', 'delta', '95 % interval', 'drift', 'marked'],
            rows, { left: 2, marked: function (r) { return r.v.marked; } });
    });
    if (data.only_in_base.length || data.only_in_new.length) {
      app.append('p').text('Not compared: only in BASE: ' + data.only_in_base.join(', ') +
                           '; only in NEW: ' + data.only_in_new.join(', '));
    }
  }

  if (data.kind === 'compare') { compare(); } else { report(); }
  document.body.setAttribute('data-rendered', 'yes');
}());
