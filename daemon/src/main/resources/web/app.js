// corral's web view: the session list, kept live by the event stream, and a terminal on one session.
// The token comes in the URL's fragment (never sent to a server); the page trades it for a cookie
// that its WebSockets carry, and sends it as a header on every API call.
'use strict';

const token = (() => {
  const match = /(?:^|[#&])token=([0-9a-f]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem('corral-token', match[1]);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('corral-token') || '';
})();

// xterm.js keeps its theme (colours, cursor) and cell sizes in <style> elements, which this page's
// Content-Security-Policy (style-src 'self') refuses: colours and the cursor would not show. Its
// rules go into constructed style sheets instead, which that policy allows (no 'unsafe-inline');
// the element xterm.js holds is an inert <template>. Nothing else here makes a style element.
(() => {
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (tag, options) {
    if (String(tag).toLowerCase() !== 'style') return create.call(this, tag, options);
    const sheet = new CSSStyleSheet();
    const holder = create.call(this, 'template');
    let text = '';
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    Object.defineProperty(holder, 'textContent', {
      get: () => text,
      set: (value) => { text = String(value); sheet.replaceSync(text); },
    });
    const remove = holder.remove.bind(holder);
    holder.remove = () => {
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
      remove();
    };
    return holder;
  };
})();

const $ = (id) => document.getElementById(id);
let current = null; // { name, socket, term, fit }
let lastEventId = null;

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) {
    throw new Error(json.error ? json.error.code + ': ' + json.error.message : response.status + ' ' + response.statusText);
  }
  return json.result;
}

function showError(error) {
  $('error').textContent = error ? String(error.message || error) : '';
  $('error').hidden = !error;
}

async function refresh() {
  try {
    const result = await api('GET', '/api/sessions?all=1');
    render(result.sessions || []);
    showError(null);
  } catch (error) {
    showError(error);
  }
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 50);
}

function render(sessions) {
  const rows = sessions.map((s) => {
    const tr = document.createElement('tr');
    tr.dataset.name = s.name;
    if (current && current.name === s.name) tr.classList.add('current');
    const agent = s.agent ? s.agent + (s.readiness ? ' (' + s.readiness + ')' : '') : '';
    const cells = [s.name, s.kind, s.state, agent, s.status || '', s.workspace || '', String(s.attached)];
    for (const [i, text] of cells.entries()) {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 2) td.className = 'state-' + s.state;
      if (i === 4) td.className = 'status';
      tr.appendChild(td);
    }
    const actions = document.createElement('td');
    if (s.state === 'running') {
      const kill = document.createElement('button');
      kill.textContent = 'Kill';
      kill.className = 'kill';
      kill.addEventListener('click', (event) => {
        event.stopPropagation();
        api('POST', '/api/sessions/' + encodeURIComponent(s.name) + '/kill', {}).then(refreshSoon, showError);
      });
      actions.appendChild(kill);
    }
    tr.appendChild(actions);
    tr.addEventListener('click', () => attach(s.name));
    return tr;
  });
  $('sessions').replaceChildren(...rows);
}

function attach(name) {
  detach();
  const readOnly = $('read-only').checked;
  $('terminal-pane').hidden = false;
  $('terminal-name').textContent = name;
  $('terminal-state').textContent = readOnly ? 'attached, read-only' : 'attached';
  const term = new Terminal({ cursorBlink: true, convertEol: false, scrollback: 2000, disableStdin: readOnly });
  const fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  $('terminal').replaceChildren();
  term.open($('terminal'));
  const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host
    + '/ws/sessions/' + encodeURIComponent(name) + (readOnly ? '?readOnly=1' : ''));
  socket.binaryType = 'arraybuffer';
  current = { name, socket, term, fit };
  const sendSize = () => {
    if (socket.readyState === WebSocket.OPEN && !readOnly) {
      socket.send(JSON.stringify({ type: 'resize', cols: term.cols, rows: term.rows }));
    }
  };
  socket.addEventListener('open', () => { fit.fit(); sendSize(); term.focus(); });
  socket.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') {
      term.write(new Uint8Array(event.data));
      return;
    }
    const message = JSON.parse(event.data);
    if (message.type === 'exit') {
      $('terminal-state').textContent = 'exited with status ' + message.exitCode;
    } else if (message.type === 'detach') {
      $('terminal-state').textContent = 'detached (' + message.reason + ')';
    } else if (message.type === 'error') {
      $('terminal-state').textContent = message.message;
    }
  });
  socket.addEventListener('close', (event) => {
    if (current && current.socket === socket && $('terminal-state').textContent.startsWith('attached')) {
      $('terminal-state').textContent = 'closed' + (event.reason ? ': ' + event.reason : '');
    }
  });
  const encoder = new TextEncoder();
  term.onData((data) => { if (socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(data)); });
  term.onResize(sendSize);
  refreshSoon();
}

function detach() {
  if (!current) return;
  const { socket, term } = current;
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'detach' }));
  socket.close();
  term.dispose();
  current = null;
}

window.addEventListener('resize', () => { if (current) current.fit.fit(); });
$('detach').addEventListener('click', () => { detach(); $('terminal-pane').hidden = true; refreshSoon(); });

$('spawn').addEventListener('submit', async (event) => {
  event.preventDefault();
  const args = { command: ['sh', '-c', $('spawn-command').value] };
  if ($('spawn-name').value) args.name = $('spawn-name').value;
  try {
    await api('POST', '/api/sessions', args);
    $('spawn-command').value = '';
    refreshSoon();
  } catch (error) {
    showError(error);
  }
});

function subscribe() {
  const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/events');
  socket.addEventListener('open', () => {
    socket.send(JSON.stringify(lastEventId === null ? { type: 'subscribe' } : { type: 'subscribe', since: lastEventId }));
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'subscribed') {
      $('events').textContent = 'events: live';
      $('events').dataset.state = 'live';
      return;
    }
    const frame = message.event || message;
    if (frame.id !== undefined) lastEventId = frame.id;
    const data = frame.data || {};
    $('last-event').textContent = 'last event: ' + frame.type + (data.session ? ' ' + data.session : '')
      + (data.status ? ' → ' + data.status : '');
    refreshSoon();
  });
  socket.addEventListener('close', () => {
    $('events').textContent = 'events: reconnecting';
    $('events').dataset.state = 'reconnecting';
    setTimeout(subscribe, 1000);
  });
}

(async () => {
  if (!token) {
    showError('No token: open the URL that "corral web" prints (it ends with #token=…).');
    return;
  }
  try {
    await api('POST', '/api/login');
    const status = await api('GET', '/api/status');
    $('daemon').textContent = 'corrald ' + status.version + ', pid ' + status.pid;
  } catch (error) {
    showError(error);
    return;
  }
  refresh();
  subscribe();
})();
