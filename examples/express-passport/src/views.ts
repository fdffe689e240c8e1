import type { User } from './users.js'

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The one page: flash messages, then the sign-in form or the signed-in user and a sign-out button. */
export function page(view: { user: User | undefined; visits: number; messages: string[]; errors: string[]; csrf: string }): string {
  const notes = [
    ...view.messages.map((m) => `<p class="info">${escapeHtml(m)}</p>`),
    ...view.errors.map((m) => `<p class="error">${escapeHtml(m)}</p>`),
  ]
  const csrf = `<input type="hidden" name="_csrf" value="${escapeHtml(view.csrf)}">`
  const body = view.user
    ? `<p id="user">Signed in as ${escapeHtml(view.user.name)}.</p>
<form method="post" action="/logout">${csrf}<button>Sign out</button></form>`
    : `<form method="post" action="/login">${csrf}
<label>Name <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<label><input name="remember" type="checkbox"> Remember me for 30 days</label>
<button>Sign in</button></form>`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>express-passport on sess</title></head>
<body><h1>express-passport on sess</h1>${notes.join('')}${body}<p id="visits">Visits: ${view.visits}</p></body></html>`
}
