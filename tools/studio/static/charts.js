// The studio's pictures: the loss curve and the x/y/z plot (uPlot), the decision boundary
// (a canvas), the confusion matrix and the confidence bars (plain HTML).
'use strict';

const Charts = (() => {
  function line(el, series, opts) {
    const data = [[]].concat(series.map(() => []));
    const plot = new uPlot(Object.assign({
      width: 360, height: 180,
      series: [{}].concat(series),
      legend: { show: true },
    }, opts || {}), data, el);
    return {
      reset() { data.forEach(a => { a.length = 0; }); plot.setData(data); },
      push(x, ys) { data[0].push(x); ys.forEach((y, i) => data[i + 1].push(y)); plot.setData(data); },
      set(xs, yss) { data[0] = xs; yss.forEach((ys, i) => { data[i + 1] = ys; }); plot.setData(data); },
    };
  }

  function loss(el) {
    return line(el, [{ label: 'loss', stroke: '#c33' }, { label: 'accuracy', stroke: '#37a', scale: 'acc' }],
      { scales: { x: { time: false }, acc: { range: [0, 1] } },
        axes: [{ label: 'epoch' }, {}, { scale: 'acc', side: 1, grid: { show: false } }] });
  }

  function xyz(el) {
    return line(el, [{ label: 'x', stroke: '#c33' }, { label: 'y', stroke: '#3a3' }, { label: 'z', stroke: '#33c' }],
      { scales: { x: { time: false }, y: { range: [-2.5, 2.5] } }, axes: [{ label: 'sample' }, { label: 'g' }] });
  }

  const COLOURS = [[230, 120, 50], [60, 120, 200], [80, 170, 90], [170, 80, 170], [200, 180, 40], [90, 90, 90]];

  // grid: {box: [[x0, x1], [y0, y1]], values: rows of classes (x2 from low to high), confidence}
  function boundary(canvas, grid, rows, epoch) {
    const ctx = canvas.getContext('2d');
    const n = grid.values.length, w = canvas.width, h = canvas.height;
    const cell = w / n;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const c = COLOURS[grid.values[j][i] % COLOURS.length];
        const a = 0.35 + 0.65 * Math.min(1, Math.abs(grid.confidence[j][i] - 0.5) * 2);
        ctx.fillStyle = `rgba(${c[0]},${c[1]},${c[2]},${a})`;
        ctx.fillRect(i * cell, h - (j + 1) * cell, cell + 1, cell + 1);
      }
    }
    const [[x0, x1], [y0, y1]] = grid.box;
    for (const [x, y] of rows || []) {
      const k = y.length === 1 ? (y[0] > 0.5 ? 1 : 0) : y.indexOf(Math.max(...y));
      const c = COLOURS[k % COLOURS.length];
      ctx.beginPath();
      ctx.arc((x[0] - x0) / (x1 - x0) * w, h - (x[1] - y0) / (y1 - y0) * h, 6, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
      ctx.strokeStyle = '#222';
      ctx.lineWidth = 2;
      ctx.fill();
      ctx.stroke();
    }
    canvas.dataset.epoch = epoch;
  }

  function confusion(table, names, counts) {
    const head = '<tr><th></th>' + names.map(n => `<th>${esc(n)}</th>`).join('') + '</tr>';
    const top = Math.max(1, ...counts.flat());
    table.innerHTML = head + counts.map((row, i) => `<tr><th>${esc(names[i])}</th>` + row.map((c, j) =>
      `<td style="background: rgba(${i === j ? '60,140,90' : '220,80,60'},${c / top})">${c}</td>`).join('') + '</tr>').join('');
  }

  function bars(el, names, outputs) {
    const top = outputs.indexOf(Math.max(...outputs));
    el.innerHTML = outputs.map((p, k) => `<div class="bar${k === top ? ' top' : ''}" data-class="${esc(names[k])}">` +
      `<span>${esc(names[k])}</span><div><div class="fill" style="width: ${Math.max(0, Math.min(1, p)) * 100}%"></div></div>` +
      `<span>${p.toFixed(3)}</span></div>`).join('');
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  return { loss, xyz, boundary, confusion, bars, esc };
})();
