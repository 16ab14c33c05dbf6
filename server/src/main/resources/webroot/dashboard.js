// FaceStream dashboard: follows /ws/metrics (and polls /api/replicas for a mesh's trainer replicas) and draws the
// run with Chart.js.
// State the browser test reads is exposed as window.facestream.
(function () {
  'use strict';

  const MAX_POINTS = 5000;           // per series: the page stays bounded on a long run
  const RECONNECT_MAX_MS = 10000;

  const state = { runId: null, lastSeq: -1, events: 0, gaps: 0, connection: 'connecting', runStart: null,
                  targets: {}, replicas: [], replicasRunId: null, replicasError: null };
  const FIXED_VERIFICATION = 2;      // datasets of the verification chart before the per-target accuracy lines
  const TARGET_COLOURS = ['#2b6cb0', '#6b46c1', '#dd6b20', '#319795', '#b83280', '#718096', '#d69e2e', '#2c5282'];
  const token = new URLSearchParams(location.search).get('token');

  function lineChart(id, datasets, scales) {
    return new Chart(document.getElementById(id), {
      type: 'line',
      data: { datasets: datasets.map(d => Object.assign({ data: [], pointRadius: 0, borderWidth: 1.5 }, d)) },
      options: {
        animation: false, parsing: false, normalized: true, responsive: true, maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: Object.assign({ x: { type: 'linear', title: { display: true, text: 'step' } } }, scales),
        plugins: { legend: { position: 'bottom' } }
      }
    });
  }

  const charts = {
    loss: lineChart('chart-loss', [
      { label: 'loss', borderColor: '#2b6cb0', yAxisID: 'y' },
      { label: 'learning rate', borderColor: '#dd6b20', yAxisID: 'y1' }
    ], { y: { title: { display: true, text: 'loss' } },
         y1: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'learning rate' } } }),
    throughput: lineChart('chart-throughput', [
      { label: 'images/s', borderColor: '#2f855a', yAxisID: 'y' },
      { label: 'data wait fraction', borderColor: '#c53030', yAxisID: 'y1' }
    ], { y: { beginAtZero: true, title: { display: true, text: 'images/s' } },
         y1: { position: 'right', min: 0, max: 1, grid: { drawOnChartArea: false }, title: { display: true, text: 'wait' } } }),
    classes: lineChart('chart-classes', [
      { label: 'classes in the head', borderColor: '#6b46c1', stepped: true }
    ], { y: { beginAtZero: true, title: { display: true, text: 'identities with a row' } } }),
    // TPR and FPR of the primary target first; then one 10-fold accuracy line per validation target, added as
    // targets appear (see accuracyLine)
    verification: lineChart('chart-verification', [
      { label: 'TPR at threshold', borderColor: '#2f855a', borderDash: [5, 3], pointRadius: 2 },
      { label: 'FPR at threshold', borderColor: '#c53030', borderDash: [5, 3], pointRadius: 2 }
    ], { y: { min: 0, max: 1 } }),
    roc: lineChart('chart-roc', [
      { label: 'ROC', borderColor: '#6b46c1' },
      { label: 'chance', borderColor: '#a0aec0', borderDash: [4, 4], data: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }
    ], { x: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'false positive rate' } },
         y: { min: 0, max: 1, title: { display: true, text: 'true positive rate' } } }),
    histogram: new Chart(document.getElementById('chart-histogram'), {
      type: 'bar',
      data: { labels: [], datasets: [
        { label: 'same identity', backgroundColor: 'rgba(47,133,90,.6)', data: [] },
        { label: 'different identities', backgroundColor: 'rgba(197,48,48,.6)', data: [] }
      ] },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 scales: { x: { title: { display: true, text: 'squared L2 distance' } },
                           y: { beginAtZero: true, title: { display: true, text: 'pairs' } } },
                 plugins: { legend: { position: 'bottom' } } }
    }),
    coverage: lineChart('chart-coverage', [
      { label: 'distinct identities in the last steps', borderColor: '#2b6cb0' },
      { label: 'uniform draw (expected)', borderColor: '#a0aec0', borderDash: [4, 4] },
      { label: 'identities seen', borderColor: '#2f855a' }
    ], { y: { beginAtZero: true, title: { display: true, text: 'identities' } } }),
    pipeline: lineChart('chart-pipeline', [
      { label: 'sampler pairs/s', borderColor: '#2b6cb0', yAxisID: 'y' },
      { label: 'trainer pairs/s', borderColor: '#2f855a', yAxisID: 'y' },
      { label: 'trainer lag (pairs)', borderColor: '#dd6b20', yAxisID: 'y1' }
    ], { x: { type: 'linear', title: { display: true, text: 'seconds since the run started' } },
         y: { beginAtZero: true, title: { display: true, text: 'pairs/s' } },
         y1: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'lag' } } }),
    // one line per replica other than the root, filled from /api/replicas (see showReplicas)
    divergence: lineChart('chart-divergence', [], {
      y: { beginAtZero: true, title: { display: true, text: '||p - p_root|| / ||p_root||' },
           ticks: { callback: v => Number(v).toExponential(1) } } })
  };

  // per partition of the pairs topic, the indices of its two series in the pipeline chart
  const PIPELINE_TOTALS = 3;
  const PARTITION_COLOURS = ['#3182ce', '#38a169', '#d69e2e', '#805ad5', '#e53e3e', '#319795', '#d53f8c', '#718096'];
  const partitionSeries = new Map();
  function partitionIndices(partition) {
    let s = partitionSeries.get(partition);
    if (!s) {
      const colour = PARTITION_COLOURS[partition % PARTITION_COLOURS.length];
      const datasets = charts.pipeline.data.datasets;
      datasets.push(Object.assign({ data: [], pointRadius: 0, borderWidth: 1 },
        { label: 'partition ' + partition + ' pairs/s', borderColor: colour, borderDash: [2, 2], yAxisID: 'y' }));
      datasets.push(Object.assign({ data: [], pointRadius: 0, borderWidth: 1 },
        { label: 'partition ' + partition + ' lag', borderColor: colour, borderDash: [6, 3], yAxisID: 'y1' }));
      s = { rate: datasets.length - 2, lag: datasets.length - 1 };
      partitionSeries.set(partition, s);
    }
    return s;
  }

  function push(chart, index, x, y) {
    if (typeof y !== 'number' || !isFinite(y)) return;
    const data = chart.data.datasets[index].data;
    data.push({ x: x, y: y });
    if (data.length > MAX_POINTS) data.splice(0, data.length - MAX_POINTS);
  }

  /** The index of target {@code name}'s accuracy line in the verification chart, added on first sight. */
  function accuracyLine(name) {
    if (!(name in state.targets)) {
      const datasets = charts.verification.data.datasets;
      const colour = TARGET_COLOURS[Object.keys(state.targets).length % TARGET_COLOURS.length];
      datasets.push({ label: '10-fold accuracy: ' + name, borderColor: colour, backgroundColor: colour,
                      pointRadius: 2, borderWidth: 1.5, data: [] });
      state.targets[name] = datasets.length - 1;
    }
    return state.targets[name];
  }

  function reset() {
    for (const name of ['loss', 'throughput', 'classes', 'verification', 'coverage', 'pipeline']) {
      charts[name].data.datasets.forEach(d => { d.data = []; });
    }
    // per-partition series belong to the run: drop them, keeping the three totals
    charts.pipeline.data.datasets.splice(PIPELINE_TOTALS);
    partitionSeries.clear();
    charts.verification.data.datasets.splice(FIXED_VERIFICATION);
    state.targets = {};
    charts.roc.data.datasets[0].data = [];
    charts.histogram.data.labels = [];
    charts.histogram.data.datasets.forEach(d => { d.data = []; });
    state.lastSeq = -1;
    state.runStart = null;
    dirty.all = true;
  }

  const dirty = {};
  let frame = 0;
  function redraw() {
    frame = 0;
    for (const name of Object.keys(charts)) {
      if (dirty[name] || dirty.all) charts[name].update('none');
    }
    for (const k of Object.keys(dirty)) delete dirty[k];
    text('events', state.events + (state.gaps ? ' (' + state.gaps + ' skipped)' : ''));
  }
  function touch(name) {
    dirty[name] = true;
    if (!frame) frame = requestAnimationFrame(redraw);
  }
  function text(id, value) { document.getElementById(id).textContent = value; }

  const handlers = {
    train(ev, f) {
      // in a gradient mesh every replica publishes train events; the root's are the run's (as in /api/status),
      // the others' show in the replicas panel
      if (f.replica && f.replica.root === false) return;
      push(charts.loss, 0, ev.step, f.loss);
      push(charts.loss, 1, ev.step, f.learningRate);
      push(charts.throughput, 0, ev.step, f.imagesPerSecond);
      push(charts.throughput, 1, ev.step, f.dataWaitFraction);
      push(charts.coverage, 0, ev.step, f.identitiesInWindow);
      push(charts.coverage, 1, ev.step, f.identitiesExpected);
      push(charts.coverage, 2, ev.step, f.identitiesSeen);
      touch('loss'); touch('throughput'); touch('coverage');
      if (typeof f.classes === 'number' && f.classes > 0) {
        push(charts.classes, 0, ev.step, f.classes);
        touch('classes');
      }
      text('step', ev.step);
      text('classes', typeof f.classes === 'number' && f.classes > 0 ? f.classes : '-');
    },
    eval(ev, f) {
      const lfw = f.lfw || {};
      // every validation target by name (the first is the primary, also at top level); an event from before
      // targets existed is one target
      const primary = f.target || 'validation';
      const targets = f.targets && typeof f.targets === 'object' ? f.targets : { [primary]: f };
      for (const name of Object.keys(targets)) {
        push(charts.verification, accuracyLine(name), ev.step, ((targets[name] || {}).lfw || {}).accuracyMean);
      }
      push(charts.verification, 0, ev.step, f.tpr);
      push(charts.verification, 1, ev.step, f.fpr);
      charts.verification.data.datasets[0].label = 'TPR at threshold (' + primary + ')';
      charts.verification.data.datasets[1].label = 'FPR at threshold (' + primary + ')';
      touch('verification');
      if (Array.isArray(lfw.roc)) {
        charts.roc.data.datasets[0].data = lfw.roc.map(p => ({ x: p.fpr, y: p.tpr })).sort((a, b) => a.x - b.x || a.y - b.y);
        charts.roc.data.datasets[0].label = 'ROC of ' + primary + ' at step ' + ev.step + ' (AUC '
          + Number(lfw.auc).toFixed(3) + ')';
        touch('roc');
      }
      const h = f.histograms;
      if (h && Array.isArray(h.bins)) {
        charts.histogram.data.labels = h.same.map((_, i) => ((h.bins[i] + h.bins[i + 1]) / 2).toFixed(2));
        charts.histogram.data.datasets[0].data = h.same.slice();
        charts.histogram.data.datasets[1].data = h.different.slice();
        charts.histogram.options.scales.x.title.text = (f.distance || 'squared-l2') + ' distance (' + primary + ')';
        touch('histogram');
      }
      if (typeof lfw.accuracyMean === 'number') {
        text('accuracy', lfw.accuracyMean.toFixed(3) + ' ± ' + Number(lfw.accuracyStd).toFixed(3) + ' @' + ev.step
             + ' (' + primary + ')');
      }
    },
    pipeline(ev, f) {
      const t = (ev.time - state.runStart) / 1000;
      push(charts.pipeline, 0, t, f.samplerPairsPerSecond);
      push(charts.pipeline, 1, t, f.trainerPairsPerSecond);
      push(charts.pipeline, 2, t, f.lag);
      if (Array.isArray(f.partitions)) {
        for (const p of f.partitions) {
          if (typeof p.partition !== 'number') continue;
          const s = partitionIndices(p.partition);
          push(charts.pipeline, s.rate, t, p.consumedPerSecond);
          push(charts.pipeline, s.lag, t, p.lag);
        }
      }
      touch('pipeline');
    },
    system(ev, f) {
      if (f.event === 'modelExported') text('model', f.version + ' (threshold ' + Number(f.threshold).toFixed(2) + ')');
    }
  };

  function onEvent(ev) {
    if (ev.runId !== state.runId) {
      reset();
      state.runId = ev.runId;
      text('run', ev.runId);
    }
    if (state.runStart === null) state.runStart = ev.time;
    if (state.lastSeq >= 0 && ev.seq > state.lastSeq + 1) state.gaps += ev.seq - state.lastSeq - 1;
    state.lastSeq = Math.max(state.lastSeq, ev.seq);
    state.events++;
    const handle = handlers[ev.type];
    if (handle) handle(ev, ev.figures || {});
    touch('events');
  }

  // The replicas panel. Its figures come from GET /api/replicas, not from the socket: the server joins the train
  // events of every replica of a mesh (each replica publishes its own), with each one's divergence from the root
  // over time, and the socket replays one publisher's seq per run.
  const REPLICAS_POLL_MS = 2000;
  const replicaSeries = new Map();   // replica id -> its line in the divergence chart

  function fixed(v, digits) { return typeof v === 'number' && isFinite(v) ? v.toFixed(digits) : '-'; }
  function perUpdate(bytes, updates, verb) {
    if (typeof bytes !== 'number' || typeof updates !== 'number' || updates <= 0) return '-';
    return (bytes / updates / 1000).toFixed(1) + ' KB (' + updates + ' ' + verb + ')';
  }
  function divergenceText(r) {
    if (r.root) return 'root';
    if (r.divergenceError) return 'unreadable sketch: ' + r.divergenceError;
    if (typeof r.divergence !== 'number') return '-';
    const d = r.divergenceUpdates;
    return r.divergence.toExponential(2) + (d === 0 ? ' (same updates applied)'
      : ' (' + Math.abs(d) + ' updates applied apart, the root\'s ' + (d > 0 ? 'older' : 'newer') + ')');
  }
  // trainer.mesh.foreignRowsEvery: the other replicas' classes this one holds as negatives, and their rows files it
  // could not read (each also in its log); '-' where the exchange is off
  function foreignText(r) {
    if (typeof r.foreignClasses !== 'number') return '-';
    const bad = r.rowsFilesUnreadable;
    return String(r.foreignClasses) + (bad > 0 ? ' (' + bad + ' unreadable file' + (bad === 1 ? '' : 's') + ')' : '');
  }
  function showReplicas(body) {
    const list = Array.isArray(body.replicas) ? body.replicas : [];
    if (body.runId !== state.replicasRunId) {
      state.replicasRunId = body.runId;
      charts.divergence.data.datasets.length = 0;
      replicaSeries.clear();
    }
    state.replicas = list;
    document.getElementById('replicas').hidden = list.length === 0;
    document.getElementById('replicas-rows').replaceChildren(...list.map(r => {
      const tr = document.createElement('tr');
      tr.dataset.replica = r.id;
      for (const cell of [r.id, r.root ? 'root' : 'replica', r.step, fixed(r.imagesPerSecond, 1),
                          perUpdate(r.bytesSent, r.updatesSent, 'sent'),
                          perUpdate(r.bytesReceived, r.updatesReceived, 'received'), divergenceText(r),
                          foreignText(r)]) {
        const td = document.createElement('td');
        td.textContent = cell === undefined || cell === null ? '-' : String(cell);
        tr.appendChild(td);
      }
      return tr;
    }));
    const datasets = charts.divergence.data.datasets;
    for (const r of list) {
      if (r.root || !Array.isArray(r.history)) continue;
      let i = replicaSeries.get(r.id);
      if (i === undefined) {
        const colour = TARGET_COLOURS[replicaSeries.size % TARGET_COLOURS.length];
        datasets.push({ label: r.id, borderColor: colour, backgroundColor: colour, pointRadius: 2, borderWidth: 1.5,
                        data: [] });
        i = datasets.length - 1;
        replicaSeries.set(r.id, i);
      }
      datasets[i].data = r.history.map(p => ({ x: p.step, y: p.divergence }));
    }
    if (list.length) touch('divergence');
  }

  function pollReplicas() {
    fetch('/api/replicas', { cache: 'no-store', headers: token ? { Authorization: 'Bearer ' + token } : {} })
      .then(res => res.ok ? res.json() : res.text().then(t => { throw new Error('HTTP ' + res.status + ' ' + t); }))
      .then(body => { state.replicasError = null; showReplicas(body); })
      .catch(e => {
        if (state.replicasError !== e.message) console.warn('/api/replicas:', e.message);
        state.replicasError = e.message;
      })
      .finally(() => setTimeout(pollReplicas, REPLICAS_POLL_MS));
  }

  function setConnection(s) {
    state.connection = s;
    const el = document.getElementById('connection');
    el.textContent = s;
    el.className = 'state ' + s;
  }

  let retryMs = 500;
  function connect() {
    const params = new URLSearchParams();
    if (state.runId !== null) {
      params.set('run', state.runId);
      params.set('after', String(state.lastSeq));
    }
    if (token) params.set('token', token);
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/metrics'
      + (params.toString() ? '?' + params : '');
    const ws = new WebSocket(url);
    window.facestream.socket = ws;
    ws.onopen = () => { retryMs = 500; setConnection('live'); };
    ws.onmessage = (m) => {
      let msg;
      try { msg = JSON.parse(m.data); } catch (e) { console.warn('not JSON from /ws/metrics', e); return; }
      if (msg.type === 'hello' || msg.type === 'pong') return;
      onEvent(msg);
    };
    ws.onclose = (e) => {
      setConnection('reconnecting');
      if (e.reason) console.info('metrics socket closed:', e.code, e.reason);
      setTimeout(connect, retryMs);
      retryMs = Math.min(RECONNECT_MAX_MS, retryMs * 2);
    };
  }

  window.facestream = { charts: charts, state: state, socket: null };
  connect();
  pollReplicas();
})();
