/** The stand-in hosted UI's pages: the sign-in form and the error page. No script at all; one stylesheet of its own. */
const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export const HOSTED_UI_CSS = `
:root { font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1f24; }
body { margin: 0; background: #f6f8fa; }
main { max-width: 24rem; margin: 3rem auto; padding: 1.5rem; background: #fff; border: 1px solid #d0d7de; border-radius: 0.5rem; }
h1 { font-size: 1.4rem; margin-top: 0; }
form { display: flex; flex-direction: column; gap: 0.4rem; }
input { font: inherit; padding: 0.5rem; border: 1px solid #57606a; border-radius: 0.375rem; }
button { font: inherit; margin-top: 0.75rem; padding: 0.5rem 1rem; border-radius: 0.375rem; border: 1px solid #0b5cad; background: #0b5cad; color: #fff; }
:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
.note { color: #57606a; font-size: 0.9rem; }
.error { color: #a40e26; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(title)}</title>
<link rel="stylesheet" href="/hosted-ui.css">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface SignInPage {
  readonly poolName: string;
  readonly usernameLabel: 'Email' | 'Username';
  /** The authorization request, carried through the form as hidden fields. */
  readonly hidden: Record<string, string>;
  readonly username?: string;
  readonly error?: string;
}

export function signInPage(input: SignInPage): string {
  const hidden = Object.entries(input.hidden)
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join('\n');
  const email = input.usernameLabel === 'Email';
  // The heading is not "Sign in": Playwright's getByText('Sign in') (a case-blind substring) would find
  // it beside the button, which is the page's one `Sign in` (API.md), as on the apps' own pages.
  return page(
    'Sign in',
    `<h1>Your account</h1>
<p class="note">Local stand-in of the hosted UI (${escape(input.poolName)}).</p>
${input.error ? `<p class="error" role="alert">${escape(input.error)}</p>` : ''}
<form method="post" action="/oauth2/authorize">
${hidden}
<label for="username">${input.usernameLabel}</label>
<input id="username" name="username" type="${email ? 'email' : 'text'}" autocomplete="username" required autofocus value="${escape(input.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function errorPage(message: string): string {
  return page('Sign-in error', `<h1>Sign-in error</h1>\n<p class="error" role="alert">${escape(message)}</p>`);
}
