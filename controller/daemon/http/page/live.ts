/**
 * The status page's only script, inline (the CSP allows it by nonce, nothing else): it follows the
 * server's events (`/live`) and, when something changed, fetches the same page and swaps in its
 * `.live` blocks (matched by id), keeping the focused button focused and open details open; it sends the action forms with
 * fetch and shows the answer in #notice. A stream the server refuses (too many open, logged out) makes
 * it refresh the page every `data-refresh` seconds instead, and ask for a stream again after
 * LIVE_RETRY_SECONDS. Without JavaScript none of this runs: forms post and redirect back, and a
 * <noscript> refresh reloads the page.
 */

/** Seconds after which a page refused its live stream asks again (GET /live's Retry-After). */
export const LIVE_RETRY_SECONDS = 10;

/** The script's source (plain ES2020, no build step). */
export const LIVE_SCRIPT = `(() => {
const body = document.body, live = body.dataset.live;
const notice = document.getElementById('notice');
const follow = document.getElementById('follow');
const RETRY_MS = ${LIVE_RETRY_SECONDS * 1000};
let timer = 0, running = false, again = false;
function keyOf(el) {
  if (!el || el === body) return null;
  if (el.id) return '#' + CSS.escape(el.id);
  if (el.name) return el.tagName.toLowerCase() + '[name="' + CSS.escape(el.name) + '"][value="' + CSS.escape(el.value || '') + '"]';
  return null;
}
async function refresh() {
  if (running) { again = true; return; }
  running = true;
  try {
    const res = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin', redirect: 'manual' });
    if (res.type === 'opaqueredirect' || res.status === 303) { location.reload(); return; }
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const focused = keyOf(document.activeElement);
    const opened = [...document.querySelectorAll('details[open][id]')].map((d) => d.id);
    for (const block of doc.querySelectorAll('.live[id]')) {
      const old = document.getElementById(block.id);
      if (old) old.replaceWith(document.importNode(block, true));
    }
    for (const id of opened) { const d = document.getElementById(id); if (d) d.open = true; }
    const updated = doc.getElementById('updated');
    if (updated) document.getElementById('updated').firstChild.textContent = updated.firstChild.textContent;
    if (focused && !document.activeElement?.closest?.('main')) document.querySelector(focused)?.focus();
  } catch (e) { /* the next event tries again */ } finally {
    running = false;
    if (again) { again = false; schedule(); }
  }
}
function schedule() { if (!timer) timer = setTimeout(() => { timer = 0; refresh(); }, 250); }
function connect() {
  const events = new EventSource(live);
  events.addEventListener('change', schedule);
  events.addEventListener('open', () => { if (follow) follow.textContent = ', live'; });
  events.addEventListener('error', () => {
    if (events.readyState !== EventSource.CLOSED) { if (follow) follow.textContent = ', reconnecting'; return; }
    const every = body.dataset.refresh;
    if (follow) follow.textContent = ', refreshes every ' + every + 's (live updates refused)';
    const poll = setInterval(refresh, every * 1000);
    setTimeout(() => { clearInterval(poll); connect(); }, RETRY_MS);
  });
}
if (live && 'EventSource' in window) connect();
function say(text, failed) {
  notice.textContent = text;
  notice.className = failed ? 'error' : '';
}
document.addEventListener('submit', async (event) => {
  const form = event.target, button = event.submitter;
  const action = form.getAttribute('action') || '';
  if (form.method !== 'post' || action !== '/actions') return;
  event.preventDefault();
  // The form's fields and the pressed button's name and value, read before the button is disabled.
  const fields = new URLSearchParams(new FormData(form, button));
  if (button) button.disabled = true;
  try {
    const res = await fetch(action, { method: 'POST', body: fields, headers: { accept: 'application/json' }, credentials: 'same-origin' });
    const answer = await res.json().catch(() => ({}));
    if (res.ok) say(answer.message || 'Done.', false);
    else say((answer.error && (answer.error.code + ': ' + answer.error.message)) || ('Refused (' + res.status + ')'), true);
    schedule();
  } catch (e) {
    say('The controller did not answer: ' + e.message, true);
  } finally {
    if (button) button.disabled = false;
  }
});
})();`;
