import type { KoaContextWithOIDC } from 'oidc-provider';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const WARNING = 'Development identity provider — for development only, never in production';

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}
.warning{background:#fff3cd;border:1px solid #e0b000;padding:.75rem;border-radius:4px}
.error{color:#b00020}
label{display:block;margin:.75rem 0 .25rem}
input{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem}
</style>
</head>
<body>
<p class="warning"><strong>${escapeHtml(WARNING)}</strong></p>
${body}
</body>
</html>`;
}

export interface SignInPageInput {
  action: string;
  clientId?: string;
  login?: string;
  error?: string;
}

/** The sign-in form: any user name signs in, the password is ignored. */
export function renderSignInPage(input: SignInPageInput): string {
  const client = input.clientId ? ` to <code>${escapeHtml(input.clientId)}</code>` : '';
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  return page(
    'Sign in (development)',
    `<h1>Sign in${client}</h1>
<p>Any user name signs in. The user name <code>admin</code> gets the role <code>admin</code>.</p>
${error}
<form method="post" action="${escapeHtml(input.action)}" autocomplete="off">
<label for="login">User name</label>
<input id="login" name="login" type="text" required autofocus maxlength="64" value="${escapeHtml(input.login)}">
<label for="password">Password (ignored)</label>
<input id="password" name="password" type="password">
<button type="submit">Sign in</button>
</form>`,
  );
}

/** A small error page for our own interaction routes. */
export function renderMessagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

/**
 * `features.rpInitiatedLogout.logoutSource`: confirms sign-out at once (a dev provider has no
 * reason to ask), keeping the buttons for browsers without JavaScript.
 */
export function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  const autoForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>');
  ctx.type = 'html';
  ctx.body = page(
    'Signing out (development)',
    `<h1>Signing out…</h1>
${autoForm}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<script>document.getElementById('op.logoutForm').submit();</script>`,
  );
}

/** `features.rpInitiatedLogout.postLogoutSuccessSource`. */
export function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  ctx.body = renderMessagePage('Signed out', 'You are signed out of the development identity provider.');
}

/** `renderError`: oidc-provider's error fields, escaped. */
export function renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): void {
  ctx.type = 'html';
  ctx.body = renderMessagePage(out.error, out.error_description ?? 'The request could not be processed.');
}

/** `features.deviceFlow.userCodeInputSource`: oidc-provider's form (`user_code` + `xsrf`), our page. */
export function userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out?: unknown, error?: Error): void {
  const message = error
    ? `<p class="error" role="alert">${escapeHtml(error.name === 'NoCodeError' || 'userCode' in error ? 'That code is unknown, used or expired. Try again.' : 'The request could not be processed.')}</p>`
    : '<p>Enter the code your device shows.</p>';
  ctx.type = 'html';
  ctx.body = page(
    'Device sign-in (development)',
    `<h1>Sign in a device</h1>\n${message}\n${form}\n<button type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

/** `features.deviceFlow.userCodeConfirmSource`: the user checks the code matches their device. */
export function userCodeConfirmSource(
  ctx: KoaContextWithOIDC,
  form: string,
  client: { clientId: string },
  _deviceInfo: unknown,
  userCode: string,
): void {
  ctx.type = 'html';
  ctx.body = page(
    'Confirm device (development)',
    `<h1>Confirm the device</h1>
<p><code>${escapeHtml(client.clientId)}</code> asks to sign in. Continue only if your device shows <code>${escapeHtml(userCode)}</code>.</p>
${form}
<button autofocus type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Abort</button>`,
  );
}

/** `features.deviceFlow.successSource`. */
export function deviceSuccessSource(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  ctx.body = renderMessagePage('Device signed in', 'Your device is signed in. You can close this page.');
}
