// Who is signed in, and navigation: shared by the pages.

export const me = { name: '', grants: [] };

/** Whether the token may deploy to env (to some env when env is null); the API checks again. */
export function canDeploy(env) {
  return me.grants.some((g) => g === 'admin' || g === 'deploy'
    || (g.startsWith('deploy:') && (env == null || g.slice(7).split(',').includes(env))));
}


/** Navigates within the app to path with the non-empty params as the hash's query. */
export function go(path, params) {
  location.hash = '#' + path + hashQuery(params);
}

export function hashQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '' && v !== false) {
      q.set(k, v);
    }
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/** Runs fn at most once per wait, after the last call (refetches after bursts of events). */
export function debounce(fn, wait) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), wait);
  };
}
