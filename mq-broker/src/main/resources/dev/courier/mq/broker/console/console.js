// The Courier broker's web console: reads and drives /api/v1 on the admin port it is served from.
// No build step and no library: DOM calls only, text through textContent (never markup from data).
(function () {
  'use strict';

  const POLL_MS = 1500;
  const HISTORY = 120; // samples kept per chart
  const state = { token: sessionStorage.getItem('courier-token'), history: {}, last: {}, timer: null };

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
      else if (k.startsWith('data-')) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  function num(v) { return el('td', { class: 'num' }, v); }

  function bytes(n) {
    if (n < 0) return 'no limit';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  function millis(n) {
    if (n < 0) return 'no limit';
    if (n < 1000) return n + ' ms';
    if (n < 120000) return (n / 1000).toFixed(1) + ' s';
    if (n < 7200000) return (n / 60000).toFixed(1) + ' min';
    return (n / 3600000).toFixed(1) + ' h';
  }

  async function api(method, path, body) {
    const headers = {};
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status === 401) {
      $('login').hidden = false;
      $('main').hidden = true;
      throw new Error('a token is required');
    }
    const text = await r.text();
    const value = text ? JSON.parse(text) : null;
    if (!r.ok) throw new Error(method + ' ' + path + ': ' + (value && value.error ? value.error : r.status));
    return value;
  }

  function showError(e) { $('error').textContent = e ? String(e.message || e) : ''; }

  // ---- charts: one SVG polyline per series, scaled to the largest value shown ----
  const COLORS = ['#2f6fdb', '#c2372f', '#2a9d63', '#b7791f', '#7b4bc4', '#0f8ea1'];

  function sample(key, value) {
    const h = state.history[key] || (state.history[key] = []);
    h.push(value);
    if (h.length > HISTORY) h.shift();
    return h;
  }

  function rate(key, total) {
    const now = Date.now();
    const prev = state.last[key];
    state.last[key] = { total, now };
    if (!prev || now <= prev.now) return 0;
    return Math.max(0, (total - prev.total) * 1000 / (now - prev.now));
  }

  function chart(svg, series) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    let max = 1;
    for (const s of series) for (const v of s.values) max = Math.max(max, v);
    const ns = 'http://www.w3.org/2000/svg';
    series.forEach((s, i) => {
      if (s.values.length < 2) return;
      const step = 300 / (HISTORY - 1);
      const offset = 300 - step * (s.values.length - 1);
      const points = s.values.map((v, j) => (offset + j * step).toFixed(1) + ',' + (78 - v / max * 74).toFixed(1));
      const line = document.createElementNS(ns, 'polyline');
      line.setAttribute('points', points.join(' '));
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', COLORS[i % COLORS.length]);
      line.setAttribute('stroke-width', '1.5');
      line.setAttribute('vector-effect', 'non-scaling-stroke');
      const title = document.createElementNS(ns, 'title');
      title.textContent = s.name + ': ' + Math.round(s.values[s.values.length - 1]);
      line.append(title);
      svg.append(line);
    });
    // the scale goes in the caption: text inside the stretched SVG would be stretched with it
    const caption = svg.parentNode.querySelector('figcaption');
    let scale = caption.querySelector('.scale');
    if (!scale) {
      scale = el('span', { class: 'scale' });
      caption.append(scale);
    }
    scale.replaceChildren(' · top ' + Math.round(max));
    series.forEach((s, i) => scale.append(' ', el('span', { class: 'c' + (i % COLORS.length) }, '■ ' + s.name)));
  }

  // ---- views ----
  function route() {
    const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'topics' && parts.length === 2) return { view: 'topic', topic: parts[1] };
    if (parts[0] === 'topics' && parts.length === 4 && parts[2] === 'dead-letters') {
      return { view: 'dlq', topic: parts[1], subscription: parts[3] };
    }
    if (parts[0] === 'consumers') return { view: 'consumers' };
    if (parts[0] === 'connections') return { view: 'connections' };
    return { view: 'overview' };
  }

  function show(view) {
    for (const v of ['overview', 'topic', 'dlq', 'consumers', 'connections']) $(v + '-view').hidden = v !== view;
    for (const v of ['overview', 'consumers', 'connections']) {
      $('nav-' + v).classList.toggle('active', v === view || (v === 'overview' && (view === 'topic' || view === 'dlq')));
    }
  }

  const enc = encodeURIComponent;

  async function renderOverview() {
    const [o, topics] = await Promise.all([api('GET', '/overview'), api('GET', '/topics')]);
    const cards = $('cards');
    cards.replaceChildren();
    const published = rate('published', o.published);
    const facts = [
      ['Topics', o.topics, 'topics'], ['Published', o.published, 'published'],
      ['Published/s', Math.round(published), 'rate'], ['Ready', o.ready, 'ready'],
      ['Unacknowledged', o.unacknowledged, 'unacknowledged'], ['Consumers', o.consumers, 'consumers'],
      ['Connections', o.connections, 'connections'], ['On disk', bytes(o.diskBytes), 'disk'],
      ['fsync p99', o.fsyncP99Millis.toFixed(2) + ' ms', 'fsync'],
    ];
    for (const [label, value, key] of facts) {
      cards.append(el('div', { class: 'card', 'data-card': key }, el('div', { class: 'label' }, label),
        el('div', { class: 'value' }, value)));
    }
    chart($('chart-rate'), [{ name: 'published/s', values: sample('rate', published) }]);
    chart($('chart-backlog'), [
      { name: 'ready', values: sample('ready', o.ready) },
      { name: 'unacknowledged', values: sample('unacked', o.unacknowledged) }]);
    const body = $('topics').tBodies[0];
    body.replaceChildren();
    for (const t of topics) {
      body.append(el('tr', { 'data-topic': t.name },
        el('td', {}, el('a', { href: '#/topics/' + enc(t.name) }, t.name)),
        num(t.startOffset), num(t.endOffset), num(Math.round(rate('topic:' + t.name, t.published))),
        num(t.subscriptions), num(bytes(t.diskBytes)),
        el('td', {}, bytes(t.retention.bytes) + ' / ' + millis(t.retention.millis))));
    }
  }

  async function renderTopic(name) {
    const t = await api('GET', '/topics/' + enc(name));
    $('topic-name').textContent = t.name;
    $('topic-facts').textContent = 'offsets ' + t.startOffset + '–' + t.endOffset + ' · ' + bytes(t.diskBytes)
      + ' on disk · ' + t.published + ' published since start · ' + t.duplicatesDropped + ' duplicates dropped';
    if (document.activeElement !== $('retention-bytes') && document.activeElement !== $('retention-millis')) {
      $('retention-bytes').value = t.retention.bytes;
      $('retention-millis').value = t.retention.millis;
    }
    chart($('chart-topic-rate'), [{ name: 'published/s', values: sample('rate:' + name, rate('t:' + name, t.published)) }]);
    chart($('chart-topic-lag'), t.subscriptionList.map((s) => ({ name: s.name, values: sample('lag:' + name + '/' + s.name, s.lag) })));
    const body = $('subscriptions').tBodies[0];
    body.replaceChildren();
    for (const s of t.subscriptionList) {
      const seek = el('button', { class: 'seek', onclick: () => act(async () => {
        const to = prompt('Seek ' + s.name + ' to offset (or an ISO time, such as 2026-12-01T10:00:00Z):', '0');
        if (to === null) return;
        const body = /^\d+$/.test(to.trim()) ? { offset: Number(to) } : { timestamp: Date.parse(to) };
        await api('POST', '/topics/' + enc(name) + '/subscriptions/' + enc(s.name) + '/seek', body);
      }) }, 'Seek');
      const purge = el('button', { class: 'purge danger', onclick: () => act(async () => {
        if (confirm('Acknowledge all ' + s.lag + ' messages of ' + s.name + '?')) {
          await api('POST', '/topics/' + enc(name) + '/subscriptions/' + enc(s.name) + '/purge');
        }
      }) }, 'Purge');
      body.append(el('tr', { 'data-sub': s.name },
        el('td', {}, s.name), el('td', { class: 'num lag' }, s.lag), el('td', { class: 'num ready' }, s.ready),
        el('td', { class: 'num unacked' }, s.unacknowledged), el('td', { class: 'num consumers' }, s.consumers),
        el('td', { class: 'num delivered' }, s.delivered), el('td', { class: 'num acknowledged' }, s.acknowledged),
        el('td', { class: 'num redelivered' }, s.redelivered),
        el('td', { class: 'num' }, el('a', { class: 'dead-letters', href: '#/topics/' + enc(name) + '/dead-letters/' + enc(s.name) }, s.deadLettered)),
        num(s.oldestUnacknowledgedAgeSeconds.toFixed(1) + ' s'), el('td', {}, seek, ' ', purge)));
    }
  }

  async function renderDeadLetters(topic, sub) {
    $('dlq-name').textContent = topic + ' / ' + sub;
    const letters = await api('GET', '/topics/' + enc(topic) + '/subscriptions/' + enc(sub) + '/dead-letters?limit=200');
    const body = $('dead-letters').tBodies[0];
    body.replaceChildren();
    for (const m of letters) {
      let payload = '';
      try { payload = atob(m.payloadBase64); } catch (e) { payload = m.payloadBase64; }
      const replay = el('button', { class: 'replay', 'data-offset': m.offset, onclick: () => act(() =>
        api('POST', '/topics/' + enc(topic) + '/subscriptions/' + enc(sub) + '/dead-letters/replay', { offsets: [m.offset] })) },
      'Replay');
      body.append(el('tr', { 'data-offset': m.offset }, num(m.offset), num(m.headers['courier.source.offset'] || ''),
        num(m.headers['courier.deliveries'] || ''), el('td', {}, m.headers['courier.failure'] || ''),
        el('td', { class: 'payload' }, payload.length > 200 ? payload.substring(0, 200) + '…' : payload),
        el('td', {}, replay)));
    }
    if (letters.length === 0) body.append(el('tr', { class: 'empty' }, el('td', { colSpan: 6 }, 'No dead letters')));
  }

  async function renderConsumers() {
    const list = await api('GET', '/consumers');
    const body = $('consumers').tBodies[0];
    body.replaceChildren();
    for (const c of list) {
      const close = el('button', { class: 'close danger', onclick: () => act(() => api('DELETE', '/topics/' + enc(c.topic)
        + '/subscriptions/' + enc(c.subscription) + '/consumers/' + enc(c.id))) }, 'Close');
      body.append(el('tr', { 'data-consumer': c.id }, el('td', {}, c.topic), el('td', {}, c.subscription),
        el('td', {}, c.id), num(c.unacknowledged), num(c.prefetch), num(c.waiting ? 'waiting' : millis(c.idleMillis)),
        el('td', {}, c.connections.join(', ')), el('td', {}, close)));
    }
  }

  async function renderConnections() {
    const list = await api('GET', '/connections');
    const body = $('connections').tBodies[0];
    body.replaceChildren();
    for (const c of list) {
      const close = el('button', { class: 'close danger', onclick: () => act(() => api('DELETE', '/connections/' + enc(c.id))) }, 'Close');
      body.append(el('tr', { 'data-connection': c.id }, el('td', {}, c.id.substring(0, 12)), el('td', {}, c.remote),
        el('td', {}, c.principal || 'anonymous'), el('td', {}, new Date(c.sinceMillis).toISOString()), num(c.calls),
        el('td', {}, c.consumers.join(', ')), el('td', {}, close)));
    }
  }

  async function act(action) {
    try {
      await action();
      showError(null);
    } catch (e) {
      showError(e);
    }
    refresh();
  }

  async function refresh() {
    clearTimeout(state.timer);
    const r = route();
    show(r.view);
    try {
      if (r.view === 'overview') await renderOverview();
      else if (r.view === 'topic') await renderTopic(r.topic);
      else if (r.view === 'dlq') await renderDeadLetters(r.topic, r.subscription);
      else if (r.view === 'consumers') await renderConsumers();
      else await renderConnections();
      $('status').textContent = 'updated ' + new Date().toLocaleTimeString();
      $('status').dataset.ok = 'true';
    } catch (e) {
      $('status').textContent = 'error';
      showError(e);
    }
    state.timer = setTimeout(refresh, POLL_MS);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      state.token = $('token').value.trim();
      sessionStorage.setItem('courier-token', state.token);
      $('login').hidden = true;
      $('main').hidden = false;
      refresh();
    });
    $('create-topic').addEventListener('submit', (e) => {
      e.preventDefault();
      const name = $('new-topic').value.trim();
      if (name) act(() => api('POST', '/topics', { name }).then(() => { $('new-topic').value = ''; }));
    });
    $('retention').addEventListener('submit', (e) => {
      e.preventDefault();
      const topic = route().topic;
      act(() => api('PUT', '/topics/' + enc(topic) + '/retention',
        { bytes: Number($('retention-bytes').value), millis: Number($('retention-millis').value) }));
    });
    $('message-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const topic = route().topic;
      act(async () => {
        const m = await api('GET', '/topics/' + enc(topic) + '/messages/' + Number($('message-offset').value));
        let payload;
        try { payload = atob(m.payloadBase64); } catch (x) { payload = m.payloadBase64; }
        $('message').textContent = JSON.stringify({ offset: m.offset, timestamp: new Date(m.timestamp).toISOString(),
          headers: m.headers }, null, 2) + '\n\n' + payload;
      });
    });
    $('delete-topic').addEventListener('click', () => {
      const topic = route().topic;
      if (confirm('Delete topic ' + topic + ' and every message in it?')) {
        act(() => api('DELETE', '/topics/' + enc(topic)).then(() => { location.hash = '#/'; }));
      }
    });
    $('replay-all').addEventListener('click', () => {
      const r = route();
      act(() => api('POST', '/topics/' + enc(r.topic) + '/subscriptions/' + enc(r.subscription) + '/dead-letters/replay', {}));
    });
    $('purge-dlq').addEventListener('click', () => {
      const r = route();
      if (confirm('Drop every dead letter of ' + r.subscription + '?')) {
        act(() => api('POST', '/topics/' + enc(r.topic) + '/subscriptions/' + enc(r.subscription) + '/dead-letters/purge'));
      }
    });
    window.addEventListener('hashchange', refresh);
    refresh();
  });
})();
