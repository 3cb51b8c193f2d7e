import type { AuditQuery, AuditRecord, AuthUser } from '@nestflux/auth';
import { html, type SafeHtml } from '../html.js';
import type { AdminSyncRunRow, AdminUserRow, UserFilter } from './admin-data.js';

export interface AdminPageData {
  admin: AuthUser;
  filter: UserFilter;
  users: { rows: AdminUserRow[]; total: number };
  runs: AdminSyncRunRow[];
  auditQuery: AuditQuery;
  audit: AuditRecord[];
}

/**
 * The admin page: plain server-rendered HTML, GET forms, no script. Every value goes through
 * the `html` tag, which escapes it.
 */
export function adminPage(data: AdminPageData): SafeHtml {
  return layout(
    'Administration',
    html`
<p>Signed in as <strong>${data.admin.displayName ?? data.admin.sub}</strong> · <a href="/">Home</a></p>
${usersSection(data)}
${syncSection(data.runs)}
${auditSection(data)}`,
  );
}

export function errorPage(title: string, message: string): SafeHtml {
  return layout(title, html`<p id="error">${message}</p><p><a href="/">Home</a></p>`);
}

function usersSection({ filter, users, auditQuery }: AdminPageData): SafeHtml {
  const option = (value: string, label: string) =>
    html`<option value="${value}"${filter.status === value ? html` selected` : ''}>${label}</option>`;
  return html`
<section id="users">
<h2>Users</h2>
<form method="get" action="/admin">
  <label>Email or name <input type="search" name="q" value="${filter.search}" maxlength="200"></label>
  <label>Status <select name="status">${option('all', 'all')}${option('active', 'active')}${option('inactive', 'inactive')}</select></label>
  ${hidden('event', auditQuery.event)}${hidden('userId', auditQuery.userId)}
  <button type="submit">Search</button>
</form>
<p>${users.total} user${users.total === 1 ? '' : 's'}${users.total > users.rows.length ? html`, the ${users.rows.length} most recently signed in shown` : ''}.</p>
<table>
<thead><tr><th>Email</th><th>Name</th><th>Status</th><th>Roles</th><th>Last sign-in</th><th>Last sync</th><th></th></tr></thead>
<tbody>
${users.rows.map(
  (u) => html`<tr class="user">
  <td>${u.email}</td><td>${u.displayName ?? u.username}</td><td>${u.active ? 'active' : 'inactive'}</td>
  <td>${u.roles.join(', ')}</td><td>${when(u.lastLoginAt)}</td><td>${when(u.lastSyncedAt)}</td>
  <td><a href="/admin?${new URLSearchParams({ q: filter.search, status: filter.status, userId: u.id }).toString()}#audit">audit</a></td>
</tr>`,
)}
</tbody>
</table>
</section>`;
}

function syncSection(runs: AdminSyncRunRow[]): SafeHtml {
  return html`
<section id="sync-runs">
<h2>Latest sync runs</h2>
${
  runs.length === 0
    ? html`<p>No sync has run yet.</p>`
    : html`<table>
<thead><tr><th>Started</th><th>Finished</th><th>Source</th><th>Outcome</th><th>Fetched</th><th>Created</th><th>Updated</th><th>Deactivated</th><th>Unchanged</th><th>Matched</th><th>Skipped</th><th>Note</th></tr></thead>
<tbody>
${runs.map(
  (r) => html`<tr class="sync-run">
  <td>${when(r.startedAt)}</td><td>${when(r.finishedAt)}</td><td>${r.source}</td><td>${r.outcome}</td>
  <td>${r.fetched}</td><td>${r.created}</td><td>${r.updated}</td><td>${r.deactivated}</td><td>${r.unchanged}</td><td>${r.matched}</td><td>${r.skipped}</td>
  <td>${r.error ?? r.deactivationHeld}</td>
</tr>`,
)}
</tbody>
</table>`
}
</section>`;
}

function auditSection({ filter, auditQuery, audit }: AdminPageData): SafeHtml {
  return html`
<section id="audit">
<h2>Audit log</h2>
<form method="get" action="/admin#audit">
  ${hidden('q', filter.search)}${hidden('status', filter.status)}
  <label>Event <input type="text" name="event" value="${auditQuery.event}" placeholder="login"></label>
  <label>User id <input type="text" name="userId" value="${auditQuery.userId}"></label>
  <label>Since <input type="date" name="since" value="${auditQuery.since?.toISOString().slice(0, 10)}"></label>
  <button type="submit">Filter</button>
</form>
<table>
<thead><tr><th>At</th><th>Event</th><th>Outcome</th><th>Code</th><th>User</th><th>Provider</th><th>IP</th><th>User agent</th></tr></thead>
<tbody>
${audit.map(
  (e) => html`<tr class="audit-entry">
  <td>${when(e.at)}</td><td>${e.event}</td><td>${e.outcome}</td><td>${e.code}</td><td>${e.userId}</td><td>${e.provider}</td><td>${e.ip}</td><td>${e.userAgent}</td>
</tr>`,
)}
</tbody>
</table>
</section>`;
}

function hidden(name: string, value: string | undefined): SafeHtml {
  return value ? html`<input type="hidden" name="${name}" value="${value}">` : html``;
}

function when(at: Date | null): string {
  return at ? new Date(at).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '';
}

function layout(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · NestFlux Auth sample</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left}form{margin:.5rem 0}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;
}
