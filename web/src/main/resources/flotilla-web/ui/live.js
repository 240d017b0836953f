// Status changes as Server-Sent Events from GET /api/v1/events. EventSource resumes by itself with
// Last-Event-ID after a dropped connection; when the server refuses the stream (not there yet, or
// signed out) it closes, and this retries it every few seconds. While it is down, views poll.

const TYPES = ['database', 'deployment', 'set', 'reset'];
let source = null;
let listener = () => {};
let retry = null;
/** The state of the stream, and its last events (for a look in the browser's console: flotillaLive.recent). */
export const live = { connected: false, recent: [] };
window.flotillaLive = live;

function indicator(on, text) {
  live.connected = on;
  const el = document.getElementById('live');
  if (el) {
    el.className = 'live ' + (on ? 'on' : 'off');
    el.textContent = text;
  }
}

export function onEvent(fn) {
  listener = fn;
}

export function connect() {
  if (source) {
    source.close();
  }
  clearTimeout(retry);
  source = new EventSource('/api/v1/events', { withCredentials: true });
  source.onopen = () => indicator(true, 'live');
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      indicator(false, 'offline · polling');
      retry = setTimeout(connect, 5000);
    } else {
      indicator(false, 'reconnecting…');
    }
  };
  for (const type of TYPES) {
    source.addEventListener(type, (e) => {
      let data = {};
      try {
        data = e.data ? JSON.parse(e.data) : {};
      } catch (x) {
        return;
      }
      live.recent.push({ id: e.lastEventId, type, data });
      if (live.recent.length > 200) {
        live.recent.shift();
      }
      listener(type, data);
    });
  }
}
