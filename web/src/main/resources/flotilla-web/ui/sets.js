// Migrations: deployment sets (succeeded/total, status, version, start and end), one set's targets
// (failed only, on demand), and one target's per-file log with the failing statement and the error.
// Deploy and the rollout controls appear where the token's grants allow them.
import { get, post, query, seg } from './api.js';
import { badge, empty, flash, h, notice, short, when } from './dom.js';
import { canDeploy, go } from './state.js';

const PAGE_SIZE = 25;
const TARGETS_PAGE = 500;

export async function setsView(ctx) {
  const f = { status: ctx.params.get('status') || '', env: ctx.params.get('env') || '',
    directory: ctx.params.get('directory') || '', page: Number(ctx.params.get('page') || 1) };
  const page = await get('/api/v1/deployment-sets' + query({ status: f.status, env: f.env,
    directory: f.directory, page: f.page, pageSize: PAGE_SIZE }));
  if (ctx.stale()) {
    return null;
  }
  const body = h('tbody', null, page.items.map(setRow));
  const rows = new Map(page.items.map((s, i) => [s.id, body.children[i]]));
  const total = page.page.total;
  ctx.show(h('section', null,
    h('h1', { text: 'Migrations' }),
    h('p', { class: 'muted', text: 'Deployment sets: one per push an env follows, or per deploy.' }),
    h('div', { class: 'toolbar' }, statusFilter(f), canDeploy(null) ? deployButton(page.items) : null),
    page.items.length === 0 ? empty('No deployment sets yet.') : h('table', { id: 'sets' },
      h('thead', null, h('tr', null, ['#', 'Directory', 'Env', 'Version', 'Status', 'Targets', 'Started',
        'Completed', 'Trigger'].map((t) => h('th', { text: t })))),
      body),
    h('div', { class: 'pager' },
      f.page > 1 ? h('button', { type: 'button', text: '← Newer', onclick: () => go('/sets', { ...f, page: f.page - 1 }) }) : null,
      f.page * PAGE_SIZE < total ? h('button', { type: 'button', text: 'Older →',
        onclick: () => go('/sets', { ...f, page: f.page + 1 }) }) : null,
      h('span', { class: 'muted', text: `${total} sets` }))));
  const refetch = ctx.reload;
  return {
    refresh: refetch,
    onEvent(type, e) {
      if (type === 'set') {
        const tr = rows.get(e.id);
        if (tr) {
          updateSetRow(tr, e);
        } else if (f.page === 1) {
          refetch();
        }
      } else if (type === 'reset') {
        refetch();
      }
    },
  };
}

function setRow(s) {
  return h('tr', { data: { setId: s.id } },
    h('td', null, h('a', { href: '#/sets/' + seg(s.id), text: '#' + s.seq })),
    h('td', { text: s.directory }),
    h('td', { text: s.env }),
    h('td', { class: 'mono', text: s.version || '—' }),
    h('td', { class: 'status' }, badge(s.stalled ? 'STALLED' : s.status, 'deployment'), s.dryRun ? ' dry run' : null),
    h('td', { class: 'num counts', text: counts(s) }),
    h('td', { class: 'nowrap', text: when(s.createdAt) }),
    h('td', { class: 'completed nowrap', text: when(s.completedAt) }),
    h('td', { class: 'muted', text: (s.trigger || '').toLowerCase() }));
}

function counts(s) {
  return `${s.succeeded}/${s.total}` + (s.failed ? ` · ${s.failed} failed` : '')
    + (s.skipped ? ` · ${s.skipped} skipped` : '');
}

function updateSetRow(tr, e) {
  tr.querySelector('.status').replaceChildren(badge(e.status, 'deployment'));
  tr.querySelector('.counts').textContent = counts(e);
  if (e.status !== 'RUNNING' && e.status !== 'PAUSED') {
    const c = tr.querySelector('.completed');
    if (c.textContent === '—') {
      c.textContent = when(new Date().toISOString());
    }
  }
  flash(tr);
}

function statusFilter(f) {
  const s = h('select', { name: 'status' }, h('option', { value: '', text: 'All' }),
    ['RUNNING', 'PASSED', 'FAILED', 'NO_ACTION', 'DRY_RUN', 'STALLED'].map((v) =>
      h('option', { value: v, text: v.replace('_', ' ').toLowerCase(), selected: v === f.status })));
  s.addEventListener('change', () => go('/sets', { ...f, status: s.value, page: 1 }));
  return h('label', null, 'Status', s);
}

/** Deploy a tag to an env: POST /api/v1/deployments, then to the new set. */
function deployButton(sets) {
  const envs = [...new Set(sets.map((s) => s.env))].filter((e) => canDeploy(e));
  const dialog = h('dialog', { id: 'deploy-dialog' });
  const message = h('div');
  const form = h('form', { method: 'dialog' },
    h('h2', { text: 'Deploy' }),
    h('label', null, 'Env', h('input', { name: 'env', required: true, list: 'deploy-envs', value: envs[0] || '' }),
      h('datalist', { id: 'deploy-envs' }, envs.map((e) => h('option', { value: e })))),
    h('label', null, 'Tag (empty: the tag the env follows, else latest)', h('input', { name: 'tag', placeholder: 'latest' })),
    h('label', null, 'Up to version (optional)', h('input', { name: 'toVersion', placeholder: '20240721111345' })),
    h('label', { class: 'check' }, h('input', { name: 'dryRun', type: 'checkbox' }), 'Dry run (plan only)'),
    message,
    h('menu', null, h('button', { type: 'button', text: 'Cancel', onclick: () => dialog.close() }),
      h('button', { type: 'submit', class: 'primary', text: 'Deploy' })));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    try {
      const r = await post('/api/v1/deployments', { env: d.get('env').trim(), tag: d.get('tag').trim() || null,
        dryRun: d.get('dryRun') === 'on', toVersion: d.get('toVersion').trim() || null });
      dialog.close();
      go('/sets/' + seg(r.id));
    } catch (e) {
      message.replaceChildren(notice('err', e.message));
    }
  });
  dialog.append(form);
  return h('span', null, h('button', { type: 'button', class: 'primary', id: 'deploy', text: 'Deploy…',
    onclick: () => dialog.showModal() }), dialog);
}

export async function setView(ctx) {
  const [id] = ctx.args;
  const failedOnly = ctx.params.get('failed') === '1';
  const tpage = Number(ctx.params.get('tpage') || 1);
  let set;
  try {
    set = await get('/api/v1/deployment-sets/' + seg(id) + query({ pageSize: TARGETS_PAGE, page: tpage }));
  } catch (e) {
    if (e.status !== 404) {
      throw e;
    }
    // Just deployed: the set reaches the views a moment after the coordinator took it.
    ctx.show(notice('ok', `Deployment set ${id} was started; waiting for its first results…`));
    setTimeout(ctx.reload, 1000);
    return { refresh: ctx.reload, onEvent: (type, e2) => ((type === 'set' && e2.id === id) || type === 'reset')
      && ctx.reload() };
  }
  if (ctx.stale()) {
    return null;
  }
  const targets = set.targets.filter((t) => !failedOnly || t.status === 'FAILED');
  const may = canDeploy(set.env);
  const body = h('tbody', null, targets.map((t) => targetRow(set, t, may)));
  const rows = new Map(targets.map((t, i) => [t.targetId, body.children[i]]));
  const message = h('div', { id: 'action-message' });
  // The controls follow the set's state as events report it: Resume appears once it is paused.
  const slot = h('div', { id: 'set-controls' });
  const showControls = (s) => slot.replaceChildren(...[may ? controls(s) : null].filter((c) => c));
  showControls(set);
  const head = h('div', { class: 'panel' }, h('dl', { class: 'facts' },
    fact('Status', h('span', { id: 'set-status' }, badge(set.stalled ? 'STALLED' : set.status, 'deployment'))),
    fact('Targets', h('span', { id: 'set-counts', class: 'num', text: counts(set) })),
    fact('Directory', set.directory + (set.tag ? ':' + set.tag : '')),
    fact('Env', set.env),
    fact('Version', h('span', { class: 'mono', text: set.version || '—' })),
    fact('Trigger', (set.trigger || '').toLowerCase() + (set.dryRun ? ', dry run' : '')),
    fact('Started', when(set.createdAt)),
    fact('Completed', when(set.completedAt)),
    set.error ? fact('Error', h('span', { class: 'error-box', text: set.error })) : null));
  const toggle = h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'failed-only', checked: failedOnly,
    onchange: (ev) => go('/sets/' + seg(id), { failed: ev.target.checked ? '1' : '' }) }), ' Failed targets only');
  const tp = set.targetsPage || {};
  ctx.show(h('section', null,
    h('div', { class: 'crumbs' }, h('a', { href: '#/sets', text: 'Migrations' }), ' / set #' + set.seq),
    h('h1', { text: `Deployment set #${set.seq}` }),
    h('p', { class: 'muted mono small', text: set.id }),
    head,
    slot,
    message,
    h('h2', { text: 'Targets' }),
    h('div', { class: 'toolbar' }, toggle),
    targets.length === 0 ? empty(failedOnly ? 'No failed targets.' : 'No target has reported yet.')
      : h('table', { id: 'targets' }, h('thead', null, h('tr', null, ['Target', 'Status', 'From', 'To', 'Error',
        'Started', 'Ended', may ? 'Actions' : null].filter((t) => t !== null).map((t) => h('th', { text: t })))), body),
    tp.total > tpage * TARGETS_PAGE ? h('div', { class: 'pager' }, h('button', { type: 'button', text: 'More targets →',
      onclick: () => go('/sets/' + seg(id), { failed: failedOnly ? '1' : '', tpage: tpage + 1 }) })) : null));
  const refetch = ctx.reload;
  return {
    refresh: refetch,
    onEvent(type, e) {
      if (type === 'set' && e.id === set.id) {
        document.getElementById('set-status').replaceChildren(badge(e.status, 'deployment'));
        document.getElementById('set-counts').textContent = counts(e);
        showControls({ ...set, ...e });
        if (['PASSED', 'FAILED', 'HALTED', 'CANCELLED'].includes(e.status)) {
          refetch(); // ended: its completion time, and the targets' actions that still mean something
        }
      } else if (type === 'deployment' && e.setId === set.id) {
        const tr = rows.get(e.targetId);
        if (tr) {
          tr.querySelector('.status').replaceChildren(badge(e.status, 'deployment'));
          tr.querySelector('.error').textContent = short(e.error, 100);
          flash(tr);
        }
        // Once the burst is over, the set's header, counters, times and targets as the views hold them.
        refetch();
      } else if (type === 'reset') {
        refetch();
      }
    },
  };
}

function fact(label, value) {
  return [h('dt', { text: label }), h('dd', null, value)];
}

function targetRow(set, t, may) {
  const link = '#/sets/' + seg(set.id) + '/targets/' + seg(t.targetId);
  return h('tr', { data: { targetId: t.targetId, name: t.targetName } },
    h('td', null, h('a', { href: link, text: t.targetName })),
    h('td', { class: 'status' }, badge(t.status, 'deployment')),
    h('td', { class: 'mono', text: t.fromVersion || '—' }),
    h('td', { class: 'mono', text: t.toVersion || t.currentVersion || '—' }),
    h('td', { class: 'error small', title: t.error || '', text: short(t.error, 100) }),
    h('td', { class: 'nowrap', text: when(t.startedAt) }),
    h('td', { class: 'nowrap', text: when(t.endedAt) }),
    may ? h('td', null, targetActions(set, t)) : null);
}

function targetActions(set, t) {
  if (set.status === 'CANCELLED') {
    return null; // the coordinator retries and skips nothing of a cancelled set
  }
  const retry = h('button', { type: 'button', text: 'Retry', title: 'run this target again',
    onclick: () => act(set, 'retry', { target: t.targetName }) });
  const skip = h('button', { type: 'button', text: 'Skip', title: 'go on without this target',
    onclick: () => {
      const reason = prompt(`Skip ${t.targetName}: why? (kept in the audit trail)`);
      if (reason) {
        act(set, 'skip', { target: t.targetName, reason });
      }
    } });
  return h('span', { class: 'row-actions' }, t.status === 'FAILED' || t.status === 'SKIPPED' ? retry : null,
    ['PASSED', 'NO_ACTION', 'DRY_RUN', 'SKIPPED'].includes(t.status) ? null : skip);
}

/**
 * The rollout controls that mean something for the set as the views show it: Pause while it runs,
 * Resume while paused (the coordinator resumes nothing else), Cancel until it ends, Retry failed
 * when a target failed.
 */
function controls(set) {
  const running = set.status === 'RUNNING';
  const paused = set.status === 'PAUSED';
  if (!running && !paused && !set.failed) {
    return null;
  }
  return h('div', { class: 'actions', id: 'set-actions' },
    running ? h('button', { type: 'button', id: 'pause', text: 'Pause', onclick: () => act(set, 'pause') }) : null,
    paused ? h('button', { type: 'button', id: 'resume', text: 'Resume', onclick: () => act(set, 'resume') }) : null,
    set.failed ? h('button', { type: 'button', text: 'Retry failed',
      onclick: () => act(set, 'retry', { failed: true }) }) : null,
    running || paused ? h('button', { type: 'button', id: 'cancel', class: 'danger', text: 'Cancel rollout',
      onclick: () => confirm('Cancel this rollout for good? Targets not started are skipped.') && act(set, 'cancel') })
      : null);
}

async function act(set, action, body) {
  const message = document.getElementById('action-message');
  try {
    const r = await post('/api/v1/deployment-sets/' + seg(set.id) + '/' + action, body || {});
    message.replaceChildren(notice('ok', `${action}: the rollout is now ${(r.state || '').toLowerCase()}`));
  } catch (e) {
    message.replaceChildren(notice('err', `${action} failed: ${e.message}`));
  }
}

export async function targetView(ctx) {
  const [setId, targetId] = ctx.args;
  const d = await get('/api/v1/deployment-sets/' + seg(setId) + '/targets/' + seg(targetId));
  if (ctx.stale()) {
    return null;
  }
  ctx.show(h('section', null,
    h('div', { class: 'crumbs' }, h('a', { href: '#/sets', text: 'Migrations' }), ' / ',
      h('a', { href: '#/sets/' + seg(setId), text: 'set' }), ' / ' + d.targetName),
    h('h1', null, d.targetName + ' ', badge(d.status, 'deployment')),
    h('div', { class: 'panel' }, h('dl', { class: 'facts' },
      fact('Env', d.env), fact('Directory', d.directory),
      fact('URL', h('span', { class: 'mono', text: d.url || '—' })),
      fact('From version', h('span', { class: 'mono', text: d.fromVersion || '—' })),
      fact('To version', h('span', { class: 'mono', text: d.toVersion || '—' })),
      fact('Current version', h('span', { class: 'mono', text: d.currentVersion || '—' })),
      fact('Attempt', String(d.attempt ?? '')), fact('Worker', d.workerId || '—'),
      fact('Started', when(d.startedAt)), fact('Ended', when(d.endedAt)))),
    d.error ? h('div', { class: 'error-box', id: 'target-error', role: 'alert' },
      h('strong', { text: 'Error: ' }), d.error) : null,
    h('h2', { text: 'Log' }),
    d.files.length === 0 ? empty(d.status === 'NO_ACTION' ? 'No migration files to execute.' : 'No file ran.')
      : d.files.map(fileLog)));
  const refetch = ctx.reload;
  return {
    refresh: refetch,
    onEvent: (type, e) => (type === 'deployment' && e.setId === d.deploymentSetId && e.targetId === d.targetId)
      && refetch(),
  };
}

function fileLog(f) {
  const failed = !!f.errorStmt || !!f.errorText;
  let ran = (f.applied || []).map((s) => (typeof s === 'string' ? s : JSON.stringify(s)));
  if (f.errorStmt && ran.length && ran[ran.length - 1] === f.errorStmt) {
    ran = ran.slice(0, -1); // the executor lists the statement it was running: show it once, as the failure
  }
  return h('article', { class: 'file' + (failed ? ' failed' : '') },
    h('header', null, h('span', { class: 'name mono', text: f.name }),
      badge(failed ? 'FAILED' : 'PASSED', 'deployment'),
      h('span', { class: 'muted small', text: (failed ? (ran.length ? `${ran.length} statements ran before the failing one` : 'failed at its first statement')
        : `${ran.length} statements applied`) + (f.skipped ? `, ${f.skipped} skipped (already applied)` : '')
        + ' · ' + when(f.startedAt) })),
    h('ol', null, ran.map((s) => h('li', null, h('pre', { text: s }))),
      f.errorStmt ? h('li', { class: 'failed', title: 'the statement that failed' },
        h('pre', { class: 'error-stmt', text: f.errorStmt })) : null),
    f.errorText ? h('div', { class: 'error-box error-text', text: f.errorText }) : null);
}
