// Databases: every target with its status (Synced / Pending / Error), versions, env and directory;
// search by name, filters, and cursor paging (page.next), which stays an index scan at any depth.
import { get, query } from './api.js';
import { badge, empty, flash, h, short, when } from './dom.js';
import { go } from './state.js';

const PAGE_SIZE = 50;

export async function databasesView(ctx) {
  const f = {
    name: ctx.params.get('name') || '', status: ctx.params.get('status') || '',
    env: ctx.params.get('env') || '', directory: ctx.params.get('directory') || '',
    after: ctx.params.get('after') || '', n: Number(ctx.params.get('n') || 0),
  };
  const [page, options] = await Promise.all([
    get('/api/v1/databases' + query({ status: f.status, env: f.env, directory: f.directory, name: f.name,
      pageSize: PAGE_SIZE, after: f.after })),
    filterOptions(),
  ]);
  if (ctx.stale()) {
    return null;
  }
  const hasBehind = page.items.some((d) => d.versionsBehind !== undefined);
  const body = h('tbody', null, page.items.map((d) => row(d, hasBehind)));
  const rows = new Map(page.items.map((d, i) => [d.targetId, body.children[i]]));
  const table = page.items.length === 0
    ? empty(f.name || f.status || f.env || f.directory ? 'No database matches these filters.'
      : 'No databases yet: push a migration directory that an env of the project file follows.')
    : h('table', { id: 'databases' },
      h('thead', null, h('tr', null, h('th', { text: 'Name' }), h('th', { text: 'Status' }),
        h('th', { text: 'Current version' }), h('th', { text: 'Target version' }),
        hasBehind ? h('th', { text: 'Behind' }) : null, h('th', { text: 'Env' }), h('th', { text: 'Directory' }),
        h('th', { text: 'Last deployment' }), h('th', { text: 'Error' }))),
      body);
  ctx.show(h('section', null,
    h('h1', { text: 'Databases' }),
    h('p', { class: 'muted', text: 'Each target database of every env, at the version its last deployment left it.' }),
    toolbar(f, options),
    table,
    pager(f, page)));
  const refetch = ctx.reload;
  return {
    refresh: refetch,
    onEvent(type, e) {
      if (type === 'reset') {
        refetch();
      } else if (type === 'database') {
        const tr = rows.get(e.id);
        if (tr) {
          update(tr, e, hasBehind);
          if (e.status === 'FAILED' && !e.error) {
            refetch(); // the event names no error: fetch the page for the row's error text
          }
        } else if (!f.after && matches(f, e)) {
          refetch(); // a new database on the first page: fetch the page in its order
        }
      }
    },
  };
}

function row(d, hasBehind) {
  const name = d.lastSetId
    ? h('a', { href: '#/sets/' + encodeURIComponent(d.lastSetId) + '/targets/' + encodeURIComponent(d.targetId),
      text: d.name })
    : d.name;
  return h('tr', { data: { targetId: d.targetId, name: d.name } },
    h('td', null, name),
    h('td', { class: 'status' }, badge(d.status)),
    h('td', { class: 'mono current', text: d.currentVersion || '—' }),
    h('td', { class: 'mono target', text: d.targetVersion || '—' }),
    hasBehind ? h('td', { class: 'num behind', text: d.versionsBehind ?? '' }) : null,
    h('td', { class: 'nowrap', text: d.env }),
    h('td', { class: 'nowrap', text: d.directory }),
    h('td', { class: 'when nowrap', text: when(d.lastDeploymentAt) }),
    h('td', { class: 'error small', title: d.error || '', text: short(d.error, 80) }));
}

/** A database event, applied to its row in place. */
function update(tr, e, hasBehind) {
  tr.querySelector('.status').replaceChildren(badge(e.status));
  if (e.currentVersion !== undefined) {
    tr.querySelector('.current').textContent = e.currentVersion || '—';
  }
  if (e.targetVersion !== undefined) {
    tr.querySelector('.target').textContent = e.targetVersion || '—';
  }
  if (hasBehind && e.versionsBehind !== undefined) {
    tr.querySelector('.behind').textContent = e.versionsBehind;
  }
  if (e.setId) {
    const a = tr.querySelector('td a');
    const href = '#/sets/' + encodeURIComponent(e.setId) + '/targets/' + encodeURIComponent(e.id);
    if (a) {
      a.setAttribute('href', href);
    } else {
      tr.firstChild.replaceChildren(h('a', { href, text: tr.dataset.name }));
    }
  }
  if (e.status !== 'FAILED') {
    tr.querySelector('.error').textContent = '';
  } else if (e.error) {
    tr.querySelector('.error').textContent = short(e.error, 80);
  }
  tr.querySelector('.when').textContent = when(new Date().toISOString());
  flash(tr);
}

function matches(f, e) {
  return (!f.status || f.status === e.status) && (!f.env || f.env === e.env)
    && (!f.directory || f.directory === e.directory)
    && (!f.name || (e.name || '').toLowerCase().includes(f.name.toLowerCase()));
}

/** Envs and directories to filter by: from the directories pushed and the sets deployed. */
async function filterOptions() {
  try {
    const [dirs, sets] = await Promise.all([get('/api/v1/directories?pageSize=500'),
      get('/api/v1/deployment-sets?pageSize=200')]);
    const directories = [...new Set([...dirs.items.map((d) => d.directory), ...sets.items.map((s) => s.directory)])];
    return { directories: directories.sort(), envs: [...new Set(sets.items.map((s) => s.env))].sort() };
  } catch (e) {
    return { directories: [], envs: [] };
  }
}

function select(name, label, values, current, words) {
  const all = current && !values.includes(current) ? [...values, current] : values;
  return h('label', null, label, h('select', { name },
    h('option', { value: '', text: 'All' }),
    all.map((v) => h('option', { value: v, text: words ? words[v] || v : v, selected: v === current }))));
}

function toolbar(f, options) {
  const form = h('form', { class: 'toolbar', role: 'search' },
    h('label', null, 'Name', h('input', { name: 'name', type: 'search', value: f.name, placeholder: 'Search by name' })),
    select('status', 'Status', ['SYNCED', 'PENDING', 'FAILED'], f.status,
      { SYNCED: 'Synced', PENDING: 'Pending', FAILED: 'Error' }),
    select('env', 'Env', options.envs, f.env),
    select('directory', 'Directory', options.directories, f.directory),
    h('button', { type: 'submit', text: 'Apply' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    go('/databases', { name: d.get('name').trim(), status: d.get('status'), env: d.get('env'),
      directory: d.get('directory') });
  });
  form.querySelectorAll('select').forEach((s) => s.addEventListener('change', () => form.requestSubmit()));
  return form;
}

function pager(f, page) {
  const p = page.page || {};
  const from = f.n + (page.items.length ? 1 : 0);
  const to = f.n + page.items.length;
  const base = { name: f.name, status: f.status, env: f.env, directory: f.directory };
  let next = null;
  if (p.next) {
    const after = new URLSearchParams(p.next.split('?')[1] || '').get('after');
    next = h('button', { type: 'button', text: 'Next →', onclick: () => go('/databases', { ...base, after, n: to }) });
  }
  const first = f.after ? h('button', { type: 'button', text: '← First page', onclick: () => go('/databases', base) })
    : null;
  return h('div', { class: 'pager' }, first, next,
    h('span', { class: 'muted', text: page.items.length ? `${from}–${to} of ${p.total}` : `0 of ${p.total ?? 0}` }));
}
