// HPF audit console: charts (ECharts, served by the gateway) and the document-hash drop.
// Loaded as a file: the Content-Security-Policy allows no inline script.
'use strict';

function drawCharts() {
  if (typeof window.echarts === 'undefined') return;
  for (const element of document.querySelectorAll('.chart[data-chart]')) {
    const table = JSON.parse(element.dataset.table || '{"rows":[]}');
    const chart = window.echarts.init(element);
    if (element.dataset.chart === 'flows') {
      const names = [...new Set(table.rows.flatMap((row) => [row[0], row[1]]))];
      // Source and destination nodes are kept apart, so a round trip does not make a cycle.
      chart.setOption({
        animation: false,
        tooltip: {},
        series: [
          {
            type: 'sankey',
            data: [
              ...names.map((name) => ({ name: `${name} →` })),
              ...names.map((name) => ({ name: `→ ${name}` })),
            ],
            links: table.rows.map((row) => ({ source: `${row[0]} →`, target: `→ ${row[1]}`, value: row[2] })),
          },
        ],
      });
    } else {
      const months = [...new Set(table.rows.map((row) => row[0]))];
      const reasons = [...new Set(table.rows.map((row) => row[1]))];
      chart.setOption({
        animation: false,
        tooltip: {},
        legend: { type: 'scroll' },
        xAxis: { type: 'category', data: months },
        yAxis: { type: 'value' },
        series: reasons.map((reason) => ({
          name: reason,
          type: 'bar',
          stack: 'all',
          data: months.map((month) => {
            const row = table.rows.find((r) => r[0] === month && r[1] === reason);
            return row ? row[2] : 0;
          }),
        })),
      });
    }
  }
}

async function sha256Hex(file) {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function documentDrop() {
  const drop = document.getElementById('drop');
  const input = document.getElementById('document-hash');
  if (!drop || !input) return;
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (!file) return;
    // The file stays in the browser: only its SHA-256 goes into the form.
    input.value = await sha256Hex(file);
    drop.textContent = `${file.name}: ${input.value}`;
  });
}

document.addEventListener('DOMContentLoaded', () => {
  drawCharts();
  documentDrop();
});
