// DOM building without innerHTML: every datum goes in as text, so nothing a tenant's database or a
// migration file holds can become markup.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k === 'class') {
      el.className = v;
    } else if (k === 'text') {
      el.textContent = v;
    } else if (k === 'data') {
      Object.assign(el.dataset, v);
    } else if (k.startsWith('on')) {
      el.addEventListener(k.slice(2), v);
    } else if (k in el && typeof v !== 'string') {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : v);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    if (Array.isArray(c)) {
      append(el, c);
    } else {
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
}

const STATUS = {
  SYNCED: ['Synced', 's-ok'], PENDING: ['Pending', 's-warn'], FAILED: ['Error', 's-err'],
  PASSED: ['Passed', 's-ok'], NO_ACTION: ['No action', 's-ok'], DRY_RUN: ['Dry run', 's-idle'],
  RUNNING: ['Running', 's-warn'], QUEUED: ['Queued', 's-warn'], SKIPPED: ['Skipped', 's-idle'],
  STALLED: ['Stalled', 's-err'], PAUSED: ['Paused', 's-idle'], CANCELLED: ['Cancelled', 's-idle'],
  HALTED: ['Halted', 's-err'],
};

/** A status as a word and a colour: Synced / Pending / Error for databases, as Atlas Cloud shows them. */
export function badge(status, kind) {
  let [word, cls] = STATUS[status] || [status || '—', 's-idle'];
  if (kind === 'deployment' && status === 'FAILED') {
    word = 'Failed';
  }
  return h('span', { class: 'badge ' + cls, data: { status: status || '' }, text: word });
}

export function when(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  if (isNaN(d)) {
    return iso;
  }
  const p = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' '
    + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
}

export function short(s, n) {
  if (!s) {
    return '';
  }
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export function flash(row) {
  row.classList.remove('flash');
  void row.offsetWidth;
  row.classList.add('flash');
}

export function empty(text) {
  return h('div', { class: 'empty', text });
}

export function notice(kind, text) {
  return h('div', { class: 'notice ' + kind, role: kind === 'err' ? 'alert' : 'status', text });
}
