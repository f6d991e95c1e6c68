// The small sign-in form of GET /connect/authorize (authorization code + PKCE).

export interface AuthorizeParams {
  client_id: string;
  redirect_uri: string;
  state: string;
  scope: string;
  code_challenge: string;
  code_challenge_method: string;
  response_type: string;
}

export const AUTHORIZE_FIELDS: (keyof AuthorizeParams)[] = [
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
  'response_type',
];

export function signInPage(params: AuthorizeParams, problem: string | null): string {
  const hidden = AUTHORIZE_FIELDS.map(
    (name) => `<input type="hidden" name="${name}" value="${escapeHtml(params[name])}">`,
  ).join('\n      ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>SALTO KS (simulator) — sign in</title>
    <style>
      body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto; color: #1d2733; }
      label { display: block; margin: 0.8rem 0 0.2rem; }
      input[type=text], input[type=password] { width: 100%; padding: 0.4rem; box-sizing: border-box; }
      button { margin-top: 1rem; padding: 0.5rem 1.2rem; }
      .problem { color: #b00020; }
      .note { color: #5b6b7b; font-size: 0.9rem; }
    </style>
  </head>
  <body>
    <h1>Sign in to SALTO KS</h1>
    <p class="note">Simulator: sign in with a system user of the simulated account.
      <em>${escapeHtml(params.client_id)}</em> asks for <em>${escapeHtml(params.scope)}</em>.</p>
    ${problem === null ? '' : `<p class="problem" role="alert">${escapeHtml(problem)}</p>`}
    <form method="post" action="/connect/authorize">
      ${hidden}
      <label for="username">User name</label>
      <input type="text" id="username" name="username" autocomplete="username" required>
      <label for="password">Password</label>
      <input type="password" id="password" name="password" autocomplete="current-password" required>
      <button type="submit">Sign in</button>
    </form>
  </body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
