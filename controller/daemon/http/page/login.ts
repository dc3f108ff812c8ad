/** The login form of the status page (the API token, kept in an HttpOnly SameSite=Strict cookie). */
import { html, type Html } from './html.js';

/** The login form body; `failed` adds the reason the last attempt was refused. */
export function loginBody(failed?: string): Html {
  return html`<div class="card" style="max-width:420px">
<h1>Log in</h1>
<p>Give the controller's API token (the content of <code>apiTokenFile</code> or <code>apiTokenEnv</code>).</p>
${failed ? html`<p class="error" id="login-error">${failed}</p>` : ''}
<form method="post" action="/login">
<label>API token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button>
</form></div>`;
}
