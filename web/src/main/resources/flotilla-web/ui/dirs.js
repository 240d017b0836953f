// Directories: each directory's versions with the tags on them, and one version's files and
// atlas.sum. A file's SQL may hold `-- atlas:sensitive` literals: the registry shows it only to
// tokens that may push that directory or deploy; others see the file names and atlas.sum.
import { get, seg } from './api.js';
import { empty, h, when } from './dom.js';

export async function dirsView(ctx) {
  const dirs = await get('/api/v1/dirs?pageSize=100');
  if (ctx.stale()) {
    return null;
  }
  ctx.show(h('section', null,
    h('h1', { text: 'Directories' }),
    h('p', { class: 'muted', text: 'Migration directories in the registry, by version, with their tags.' }),
    dirs.items.length === 0 ? empty('Nothing pushed yet: flotilla migrate push NAME') : dirs.items.map(directory)));
  return { refresh: () => {} };
}

function directory(d) {
  // One row per version; a version carries every tag that points at it.
  const versions = new Map();
  for (const t of d.tags) {
    const v = versions.get(t.versionId) || { versionId: t.versionId, latestVersion: t.latestVersion, tags: [],
      updatedAt: t.updatedAt, announced: true };
    v.tags.push(t.tag);
    v.announced = v.announced && t.announced;
    v.updatedAt = v.updatedAt > t.updatedAt ? v.updatedAt : t.updatedAt;
    versions.set(t.versionId, v);
  }
  const list = [...versions.values()].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  return h('div', { class: 'panel', data: { directory: d.name } },
    h('h2', { text: d.name }),
    h('table', null,
      h('thead', null, h('tr', null, ['Latest migration', 'Tags', 'Version id', 'Tagged', 'Announced']
        .map((t) => h('th', { text: t })))),
      h('tbody', null, list.map((v) => h('tr', null,
        h('td', null, h('a', { class: 'mono', href: '#/dirs/' + seg(d.name) + '/versions/' + seg(v.versionId),
          text: v.latestVersion || '(empty)' })),
        h('td', null, h('span', { class: 'tags' }, v.tags.map((t) => h('span', { class: 'tag', text: t })))),
        h('td', { class: 'mono small', title: v.versionId, text: v.versionId.slice(0, 12) }),
        h('td', { text: when(v.updatedAt) }),
        h('td', { text: v.announced ? 'yes' : 'not yet' }))))));
}

export async function versionView(ctx) {
  const [name, versionId] = ctx.args;
  const v = await get('/api/v1/versions/' + seg(versionId) + '/files');
  if (ctx.stale()) {
    return null;
  }
  ctx.show(h('section', null,
    h('div', { class: 'crumbs' }, h('a', { href: '#/dirs', text: 'Directories' }), ' / ' + name),
    h('h1', { text: `${v.directory} @ ${v.latestVersion || '(empty)'}` }),
    h('p', { class: 'muted mono small', text: v.versionId }),
    v.contentHidden ? h('p', { class: 'notice ok', text: 'File contents need a token that may push this directory or'
      + ' deploy: migration files may hold sensitive literals. Names and atlas.sum are shown.' }) : null,
    h('h2', { text: `Files (${v.files.length})` }),
    v.files.length === 0 ? empty('No migration files.') : v.files.map((f) => h('article', { class: 'file' },
      h('header', null, h('span', { class: 'name mono', text: f.name }),
        h('span', { class: 'muted small', text: f.description || '' })),
      f.content !== undefined && f.content !== null ? h('pre', { class: 'content', text: f.content }) : null)),
    h('h2', { text: 'atlas.sum' }),
    h('article', { class: 'file' }, h('pre', { class: 'content', id: 'atlas-sum', text: v.atlasSum || '(none)' }))));
  return { refresh: () => {} };
}
