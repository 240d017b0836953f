// The JSON API, with the session cookie the browser sends by itself. A change (POST) repeats the
// readable CSRF cookie in X-CSRF-Token; the token itself is in an HttpOnly cookie this code never sees.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || ('HTTP ' + status));
    this.status = status;
    this.code = body && body.code;
  }
}

export function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)flotilla_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

export async function get(path) {
  return answer(await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } }));
}

export async function post(path, body) {
  return answer(await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf() },
    body: JSON.stringify(body || {}),
  }));
}

async function answer(r) {
  if (r.status === 401) {
    // The session ended (token revoked or cookie gone): sign in again and come back here.
    location.assign('/signin?next=' + encodeURIComponent('/' + location.hash)
      + '&error=' + encodeURIComponent('your session ended; sign in again'));
    throw new ApiError(401, { error: 'signed out' });
  }
  const text = await r.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = { error: text };
  }
  if (!r.ok) {
    throw new ApiError(r.status, body);
  }
  return body;
}

/** A path segment, escaped (target ids hold slashes: prod/tenant_4). */
export function seg(s) {
  return encodeURIComponent(s);
}

/** A query string of the non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) {
      q.set(k, v);
    }
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
