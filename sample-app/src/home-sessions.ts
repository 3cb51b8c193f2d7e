/**
 * The home page's "Your sessions" section: the signed-in user's sessions (`GET /auth/sessions`),
 * each other one with a Revoke button (`DELETE /auth/sessions/:id` with the session's anti-CSRF
 * token). Rendered in the browser with textContent, so a user agent string is never markup.
 */
export function sessionsSection(): string {
  return `<h2>Your sessions</h2>
<ul id="sessions"></ul>
<script>
async function loadSessions() {
  const res = await fetch('/auth/sessions', { credentials: 'same-origin' });
  const sessions = res.ok ? await res.json() : [];
  document.getElementById('sessions').replaceChildren(...sessions.map((session) => {
    const item = document.createElement('li');
    item.className = session.current ? 'session current' : 'session';
    item.textContent = (session.current ? 'This browser' : session.userAgent || 'Unknown browser') + ' · ' + (session.ip || 'unknown address')
      + ' · signed in ' + new Date(session.createdAt).toLocaleString() + ' ';
    if (!session.current) {
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'revoke-session';
      revoke.textContent = 'Revoke';
      revoke.addEventListener('click', () => revokeSession(session.id));
      item.append(revoke);
    }
    return item;
  }));
}
async function revokeSession(id) {
  const { token } = await (await fetch('/auth/csrf', { credentials: 'same-origin' })).json();
  await fetch('/auth/sessions/' + encodeURIComponent(id), { method: 'DELETE', credentials: 'same-origin', headers: { 'x-csrf-token': token } });
  await loadSessions();
}
loadSessions();
</script>`;
}
