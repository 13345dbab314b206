// Sluice's dashboard: the usage ledger (GET /admin/v1/usage) and the upstreams (GET /admin/v1/upstreams),
// read with the admin token, which is kept in sessionStorage (this tab only) and never in a URL.
'use strict';

const TOKEN = 'sluice-admin-token';
const charts = {};

function token() {
  return sessionStorage.getItem(TOKEN);
}

async function get(path) {
  const response = await fetch(path, { headers: { Authorization: 'Bearer ' + token() } });
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN);
    throw new Error('unauthorized');
  }
  if (!response.ok) {
    throw new Error(path + ': ' + response.status);
  }
  return response.json();
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

/** The last {@code count} days up to {@code today} (YYYY-MM-DD, the server's today in its usage zone). */
function days(count, today) {
  const list = [];
  const end = Date.parse(today + 'T00:00:00Z');
  for (let i = count - 1; i >= 0; i--) {
    list.push(isoDay(new Date(end - i * 86400000)));
  }
  return list;
}

function sumBy(rows, keyOf, valueOf) {
  const sums = new Map();
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== null) {
      sums.set(key, (sums.get(key) || 0) + valueOf(row));
    }
  }
  return sums;
}

function chart(id, option) {
  const element = document.getElementById(id);
  charts[id] = charts[id] || echarts.init(element);
  charts[id].setOption(Object.assign({ animation: false }, option), true);
}

function perDay(period, rows, valueOf) {
  const sums = sumBy(rows, row => row.period, valueOf);
  return period.map(day => sums.get(day) || 0);
}

function render(usage, upstreams, period) {
  const rows = usage.data;
  const tokens = row => row.prompt_tokens + row.completion_tokens;
  const refusals = row => Object.values(row.refusals).reduce((a, b) => a + b, 0);
  chart('chart-fleet', {
    tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: period },
    yAxis: [{ type: 'value', name: 'requests' }, { type: 'value', name: 'tokens' }],
    series: [
      { name: 'requests', type: 'bar', stack: 'r', data: perDay(period, rows, row => row.requests) },
      { name: 'refusals', type: 'bar', stack: 'r', data: perDay(period, rows, refusals) },
      { name: 'tokens', type: 'line', yAxisIndex: 1, data: perDay(period, rows, tokens) }]
  });
  const names = [...new Set(rows.filter(row => row.upstream !== null).map(row => row.upstream))].sort();
  chart('chart-upstreams', {
    tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: period }, yAxis: { type: 'value' },
    series: names.map(name => ({ name, type: 'bar', stack: 'u',
      data: perDay(period, rows.filter(row => row.upstream === name), row => row.requests) }))
  });
  const scopes = [...new Set(rows.flatMap(row => Object.keys(row.refusals)))].sort();
  chart('chart-refusals', {
    tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: period }, yAxis: { type: 'value' },
    series: scopes.map(scope => ({ name: scope, type: 'bar', stack: 's',
      data: perDay(period, rows, row => row.refusals[scope] || 0) }))
  });
  const top = [...sumBy(rows, row => row.key, tokens).entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).reverse();
  chart('chart-keys', {
    tooltip: {}, grid: { left: 160 }, xAxis: { type: 'value', name: 'tokens' },
    yAxis: { type: 'category', data: top.map(entry => entry[0]) },
    series: [{ name: 'tokens', type: 'bar', data: top.map(entry => entry[1]) }]
  });
  const body = document.querySelector('#upstreams tbody');
  body.replaceChildren(...upstreams.data.map(upstream => {
    const row = document.createElement('tr');
    const paused = Object.entries(upstream.cooling_seconds).map(([model, seconds]) => model + ' (' + seconds + ' s)').join(', ');
    for (const [text, open] of [[upstream.name], [upstream.url], [upstream.breaker, upstream.breaker !== 'closed'],
      [paused || '-'], [Math.round(upstream.requests_share_left * 100) + ' %'], [Math.round(upstream.tokens_share_left * 100) + ' %']]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (open) {
        cell.className = 'open';
      }
      row.appendChild(cell);
    }
    return row;
  }));
  document.getElementById('status').textContent = rows.length + ' rows, ' + period[0] + ' to ' + period[period.length - 1]
    + '; totals: ' + usage.totals.requests + ' requests, ' + usage.totals.refusals + ' refusals, '
    + (usage.totals.prompt_tokens + usage.totals.completion_tokens) + ' tokens';
  document.body.dataset.rendered = 'true';
}

async function load() {
  if (!token()) {
    show(false);
    return;
  }
  try {
    // the server's today (its usage zone), which a query without dates answers for
    const today = (await get('/admin/v1/usage?key=-')).to;
    const period = days(Number(document.getElementById('days').value), today);
    const [usage, upstreams] = await Promise.all([
      get('/admin/v1/usage?from=' + period[0] + '&to=' + period[period.length - 1]), get('/admin/v1/upstreams')]);
    show(true);
    render(usage, upstreams, period);
  } catch (error) {
    if (error.message === 'unauthorized') {
      document.getElementById('login-error').textContent = 'That token was not accepted.';
      show(false);
    } else {
      document.getElementById('status').textContent = 'Could not read the usage: ' + error.message;
    }
  }
}

function show(dashboard) {
  document.getElementById('dashboard').hidden = !dashboard;
  document.getElementById('login').hidden = dashboard;
}

document.getElementById('token-form').addEventListener('submit', event => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN, document.getElementById('token').value);
  document.getElementById('token').value = '';
  load();
});
document.getElementById('refresh').addEventListener('click', load);
document.getElementById('days').addEventListener('change', load);
document.getElementById('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN);
  show(false);
});
window.addEventListener('resize', () => Object.values(charts).forEach(instance => instance.resize()));
load();
