// The app: a hash router over three pages (Databases, Migrations, Directories), the signed-in
// token's grants (which decide what actions are shown; the API decides what they may do), and the
// live event stream routed to the page on screen.
import { get } from './api.js';
import { h, notice } from './dom.js';
import { connect, live, onEvent } from './live.js';
import { databasesView } from './databases.js';
import { setsView, setView, targetView } from './sets.js';
import { dirsView, versionView } from './dirs.js';
import { debounce, me } from './state.js';


const ROUTES = [
  [/^\/databases$/, 'databases', () => databasesView],
  [/^\/sets$/, 'sets', () => setsView],
  [/^\/sets\/([^/]+)$/, 'sets', () => setView],
  [/^\/sets\/([^/]+)\/targets\/([^/]+)$/, 'sets', () => targetView],
  [/^\/dirs$/, 'dirs', () => dirsView],
  [/^\/dirs\/([^/]+)\/versions\/([^/]+)$/, 'dirs', () => versionView],
];

let current = null;
let generation = 0;

/** The page's parameters: path segments and the hash's query. */
function parse() {
  const raw = location.hash.replace(/^#/, '') || '/databases';
  const [path, q] = raw.split('?');
  return { path, params: new URLSearchParams(q || '') };
}

async function render() {
  const { path, params } = parse();
  const gen = ++generation;
  const main = document.getElementById('view');
  for (const [re, nav, view] of ROUTES) {
    const m = path.match(re);
    if (!m) {
      continue;
    }
    document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === nav));
    const ctx = {
      args: m.slice(1).map(decodeURIComponent),
      params,
      stale: () => gen !== generation,
      show: (node) => {
        if (gen === generation) {
          main.replaceChildren(node);
        }
      },
    };
    const load = async () => {
      try {
        const v = await view()(ctx);
        if (gen === generation && v) {
          current = v; // the page on screen now, with its rows, gets the events
        }
      } catch (e) {
        if (gen === generation) {
          main.replaceChildren(notice('err', e.message));
        }
      }
    };
    // Fetches the page again in place, once a burst of events is over.
    ctx.reload = debounce(() => gen === generation && load(), 400);
    current = null;
    await load();
    return;
  }
  location.hash = '#/databases';
}

async function start() {
  try {
    const who = await get('/api/v1/whoami');
    me.name = who.name;
    me.grants = who.grants || [];
    document.getElementById('who').replaceChildren(h('span', { title: 'grants: ' + me.grants.join(' '),
      text: me.name + ' · ' + me.grants.join(', ') }));
  } catch (e) {
    document.getElementById('view').replaceChildren(notice('err', e.message));
    return;
  }
  onEvent((type, data) => {
    if (current && current.onEvent) {
      current.onEvent(type, data);
    }
  });
  connect();
  // While the stream is down, the page on screen refreshes itself every few seconds instead.
  setInterval(() => {
    if (!live.connected && current && current.refresh && !document.hidden) {
      current.refresh();
    }
  }, 5000);
  window.addEventListener('hashchange', render);
  render();
}

start();
