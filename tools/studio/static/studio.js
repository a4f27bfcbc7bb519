// The studio's page: a view of the server's state. Buttons call the API (each call carries the
// token from the page's URL); what jobs say comes back over the events websocket.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const $ = id => document.getElementById(id);
const view = { boards: [], dataset: null, model: null, action: null, extraActions: [], flashing: {} };
let lossPlot, xyzPlot;

async function api(path, body, raw) {
  const init = { method: body === undefined && !raw ? 'GET' : 'POST', headers: { 'X-Studio-Token': token } };
  if (raw) { init.body = raw; } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const r = await fetch(path, init);
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) { say(answer.error || `${path}: ${r.status}`, true); throw new Error(answer.error); }
  return answer;
}

function say(text, error) {
  const m = $('message');
  m.textContent = text;
  m.className = error ? 'error' : '';
}

function download(a, path) {
  a.href = `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

// Events ------------------------------------------------------------------------------------

function listen() {
  const ws = new WebSocket(`ws://${location.host}/api/events?token=${encodeURIComponent(token)}`);
  ws.onopen = () => { $('connection').textContent = 'connected'; };
  ws.onclose = () => { $('connection').textContent = 'disconnected: is the studio still running?'; };
  ws.onmessage = e => on(JSON.parse(e.data));
}

const handlers = {
  state(m) {
    handlers.boards(m.state);
    handlers.dataset(m.state);
    if (m.state.model) handlers.trained(m.state);
  },
  boards(m) { view.boards = m.boards; drawBoards(); },
  dataset(m) { view.dataset = m.dataset; drawDataset(); },
  note(m) { say(m.message); },
  error(m) { say(`${m.what}: ${m.message}`, true); if (m.what === 'train') trainingDone(); },
  training(m) {
    lossPlot.reset();
    $('train-status').textContent = `training: layers ${m.layers.join(' ')}, rate ${m.rate}, ${m.epochs} epochs, seed ${m.seed}`;
  },
  epoch(m) {
    lossPlot.push(m.epoch, [m.loss, m.accuracy]);
    $('accuracy').textContent = `epoch ${m.epoch}: loss ${m.loss.toFixed(4)}, accuracy ${(100 * m.accuracy).toFixed(1)}%`;
    if (m.boundary) {
      $('boundary-figure').hidden = false;
      Charts.boundary($('boundary'), m.boundary, view.dataset.rows, m.epoch);
    }
  },
  confusion(m) { $('confusion-figure').hidden = false; Charts.confusion($('confusion'), m.names, m.counts); },
  trained(m) { view.model = m.model; trainingDone(); drawModel(); },
  flash(m) { view.flashing[m.port] = m.text; drawFlash(); },
  flashed(m) {
    $('flash-table').hidden = false;
    $('flash-table').textContent = m.table.join('\n');
    say(m.failed || 'flashed: the board serves the new model');
  },
  'live-ready'(m) { $('live-status').textContent = `${m.port} serves seq ${m.seq}, layers ${m.layers.join(' ')}`; },
  live(m) {
    const names = (view.model && view.model.classes) || m.outputs.map((_, k) => `output ${k + 1}`);
    Charts.bars($('live-bars'), m.outputs.length === 1 && names.length === 2 ? names.slice(1) : names, m.outputs);
    $('live-status').textContent = `${m.port} (seq ${m.seq}) answered ${m.inputs.map(v => +v.toFixed(3)).join(' ')}`;
  },
  sample(m) { if (m.port === $('record-port').value) xyzPlot.push(m.n, [m.x, m.y, m.z]); },
  recording(m) { $('record-status').textContent = m.text; },
  recorded(m) { $('record-start').disabled = false; $('record-status').textContent = m.text; },
  gesture(m) {
    Charts.bars($('live-bars'), m.actions, m.confidence);
    $('live-status').textContent = `${m.port}: ${m.action}`;
  },
};

function on(m) {
  const h = handlers[m.type];
  if (h) h(m);
}

// Boards ------------------------------------------------------------------------------------

function drawBoards() {
  const body = $('boards').tBodies[0];
  const ticked = new Set([...body.querySelectorAll('input:checked')].map(i => i.value));
  body.innerHTML = view.boards.map(b => `<tr data-port="${Charts.esc(b.port)}">` +
    `<td><input type="checkbox" value="${Charts.esc(b.port)}"${ticked.has(b.port) ? ' checked' : ''}></td>` +
    `<td>${Charts.esc(b.port)}</td><td>${Charts.esc(b.board)}${b.emulated ? ' (emulated)' : ''}</td>` +
    `<td class="serves">${Charts.esc(b.serves)}</td><td class="status">${Charts.esc(b.status)}</td></tr>`).join('');
  $('no-board').hidden = view.boards.length > 0;
  for (const id of ['live-port', 'record-port']) {
    const sel = $(id), was = sel.value;
    sel.innerHTML = view.boards.map(b => `<option>${Charts.esc(b.port)}</option>`).join('');
    if (view.boards.some(b => b.port === was)) sel.value = was;
  }
  $('record-start').disabled = !view.boards.length || !view.action;
  sensorFor();
  drawLiveInputs();
}

// The sensor offered for the board picked: the micro:bit's own, else the virtual board's.
function sensorFor() {
  const b = view.boards.find(x => x.port === $('record-port').value);
  const field = $('record-sensor');
  if (!b || field.dataset.port === b.port) return;
  field.dataset.port = b.port;
  field.value = b.board.startsWith('microbit') ? '' : b.board === 'modern-emulated' ? 'vboard_accel.read' : field.value;
}

// Data --------------------------------------------------------------------------------------

function drawDataset() {
  const d = view.dataset;
  download($('data-download'), '/api/dataset/download');
  $('record').hidden = d.kind !== 'gestures';
  $('rows').hidden = d.kind === 'gestures';
  if (d.kind === 'gestures') {
    const n = d.actions.reduce((s, a) => s + a.recordings.length, 0);
    $('data-summary').textContent = `${d.source}: ${d.actions.length} actions, ${n} recordings`;
    drawActions();
    const names = actionNames();
    $('recordings').tBodies[0].innerHTML = d.actions.flatMap(a => a.recordings.map((r, i) =>
      `<tr data-action="${Charts.esc(a.name)}" data-index="${i}"><td>${Charts.esc(a.name)}</td><td>${i + 1}</td><td>${r.samples}</td>` +
      `<td><select class="relabel">${names.map(n => `<option${n === a.name ? ' selected' : ''}>${Charts.esc(n)}</option>`).join('')}</select></td>` +
      `<td><button class="delete">Delete</button> <button class="show">Show</button></td></tr>`)).join('');
  } else {
    $('data-summary').textContent = `${d.source}: ${d.count} rows, inputs ${d.names.join(', ')}` +
      (d.classes ? `; classes ${d.classes.join(', ')}` : '');
    $('rows').tHead.innerHTML = '<tr>' + d.names.map(n => `<th>${Charts.esc(n)}</th>`).join('') + '<th>target</th></tr>';
    $('rows').tBodies[0].innerHTML = d.rows.slice(0, 8).map(([x, y]) => '<tr>' + x.map(v => `<td>${+v.toFixed(3)}</td>`).join('') +
      `<td>${y.map(v => +v.toFixed(3)).join(' ')}</td></tr>`).join('') + (d.count > 8 ? `<tr><td colspan="${d.names.length + 1}">…</td></tr>` : '');
  }
}

function actionNames() {
  const names = (view.dataset.actions || []).map(a => a.name);
  return names.concat(view.extraActions.filter(n => !names.includes(n)));
}

function drawActions() {
  $('actions').innerHTML = actionNames().map(n =>
    `<button class="chip${n === view.action ? ' picked' : ''}" data-action="${Charts.esc(n)}">${Charts.esc(n)}</button>`).join(' ');
  $('record-action').textContent = view.action ? `"${view.action}"` : '(pick an action)';
  $('record-start').disabled = !view.boards.length || !view.action;
}

async function readFile(input) {
  const f = input.files[0];
  input.value = '';
  return f && { name: f.name, text: await f.text() };
}

// Training and the model ---------------------------------------------------------------------

function trainingDone() { $('train').disabled = false; $('train-stop').disabled = true; }

function drawModel() {
  const m = view.model;
  $('train-status').textContent = 'trained';
  $('model-summary').textContent = `model: layers ${m.layers.join(' ')}, ${m.activations.join(' ')}` +
    (m.classes ? `; classes ${m.classes.join(', ')}` : '');
  $('model-download').hidden = false;
  download($('model-download'), '/api/model/download?file=model.mn');
  const side = m.gesture ? 'model.gesture' : m.classes ? 'model.classes' : null;
  $('side-download').hidden = !side;
  if (side) { $('side-download').textContent = `Download ${side}`; download($('side-download'), `/api/model/download?file=${side}`); }
  drawLiveInputs();
}

// Flash and the board's answers ----------------------------------------------------------------

function drawFlash() {
  $('flash-progress').innerHTML = Object.entries(view.flashing).map(([p, t]) =>
    `<div class="progress" data-port="${Charts.esc(p)}"><span>${Charts.esc(p)}</span><span>${Charts.esc(t)}</span></div>`).join('');
}

function drawLiveInputs() {
  const m = view.model;
  const box = $('live-inputs');
  const gesture = !!(m && m.gesture);
  $('live-gesture').hidden = !gesture;
  if (!m || gesture) { box.innerHTML = ''; box.dataset.inputs = ''; return; }
  if (box.dataset.inputs === m.inputs.join(',')) return;
  box.dataset.inputs = m.inputs.join(',');
  box.innerHTML = m.inputs.map((n, i) => `<label>${Charts.esc(n)} <input type="range" class="live-input" data-i="${i}" min="0" max="1" step="0.05" value="0"> ` +
    `<output>0</output></label>`).join('') + ' <button id="live-ask">Ask the board</button>';
}

async function ask() {
  const inputs = [...document.querySelectorAll('.live-input')].map(i => +i.value);
  await api('/api/live', { port: $('live-port').value, inputs });
}

// Wiring ------------------------------------------------------------------------------------

function wire() {
  $('scan').onclick = () => api('/api/boards/scan', {});
  $('emulate-modern').onclick = $('emulate-more').onclick = () => api('/api/boards/emulate', { kind: 'modern' });
  $('emulate-microbit').onclick = () => api('/api/boards/emulate', { kind: 'microbit' });
  $('data-xor').onclick = () => api('/api/dataset', { kind: 'xor' });
  $('data-gestures').onclick = () => api('/api/dataset', { kind: 'gestures' });
  $('data-csv').onchange = async e => { const f = await readFile(e.target); if (f) api('/api/dataset', { kind: 'csv', name: f.name, text: f.text }); };
  $('data-json').onchange = async e => { const f = await readFile(e.target); if (f) api('/api/dataset', { kind: 'gestures', name: f.name, text: f.text }); };
  $('add-action').onclick = () => {
    const n = $('new-action').value.trim();
    if (!n) return;
    if (!view.extraActions.includes(n)) view.extraActions.push(n);
    view.action = n;
    $('new-action').value = '';
    drawActions();
  };
  $('actions').onclick = e => { const a = e.target.dataset.action; if (a) { view.action = a; drawActions(); } };
  $('record-start').onclick = async () => {
    $('record-start').disabled = true;
    xyzPlot.reset();
    try {
      await api('/api/record', { port: $('record-port').value, action: view.action, sensor: $('record-sensor').value });
    } catch (err) { $('record-start').disabled = false; }
  };
  $('recordings').onclick = e => {
    const tr = e.target.closest('tr');
    if (!tr) return;
    if (e.target.classList.contains('delete')) api('/api/dataset/recording', { op: 'delete', action: tr.dataset.action, index: +tr.dataset.index });
    if (e.target.classList.contains('show')) {
      const r = view.dataset.actions.find(a => a.name === tr.dataset.action).recordings[+tr.dataset.index];
      xyzPlot.set(r.x.map((_, i) => i), [r.x, r.y, r.z]);
    }
  };
  $('recordings').onchange = e => {
    const tr = e.target.closest('tr');
    if (e.target.classList.contains('relabel')) api('/api/dataset/recording', { op: 'relabel', action: tr.dataset.action, index: +tr.dataset.index, to: e.target.value });
  };
  $('train').onclick = async () => {
    const body = { layers: $('layers').value, rate: $('rate').value, epochs: $('epochs').value, seed: $('seed').value };
    $('train').disabled = true;
    $('train-stop').disabled = false;
    $('confusion-figure').hidden = true;
    try { await api('/api/train', body); } catch (err) { trainingDone(); }
  };
  $('train-stop').onclick = () => api('/api/train/stop', {});
  $('model-upload').onchange = async e => {  // the model file first, then what goes beside it
    const files = [...e.target.files].sort((a, b) => b.name.endsWith('.mn') - a.name.endsWith('.mn'));
    e.target.value = '';
    for (const f of files) await api(`/api/model/upload?name=${encodeURIComponent(f.name)}`, undefined, await f.arrayBuffer());
  };
  const flash = ports => { view.flashing = {}; drawFlash(); $('flash-table').hidden = true; return api('/api/flash', { ports }); };
  $('flash-all').onclick = () => flash(view.boards.map(b => b.port));
  $('flash-picked').onclick = () => flash([...$('boards').querySelectorAll('tbody input:checked')].map(i => i.value));
  $('live-inputs').oninput = e => { if (e.target.nextElementSibling) e.target.nextElementSibling.textContent = e.target.value; };
  $('live-inputs').onchange = e => { if (e.target.classList.contains('live-input')) ask(); };
  $('live-inputs').onclick = e => { if (e.target.id === 'live-ask') ask(); };
  $('record-port').onchange = sensorFor;
  $('live-start').onclick = () => api('/api/live', { port: $('live-port').value, start: true, sensor: $('record-sensor').value });
  $('live-stop').onclick = () => api('/api/live', { port: $('live-port').value, stop: true });
}

lossPlot = Charts.loss($('loss-plot'));
xyzPlot = Charts.xyz($('xyz-plot'));
wire();
listen();
