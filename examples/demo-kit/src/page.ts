/**
 * The demos' single page: shows the session and calls the JSON API. Element ids are stable (browser tests use them).
 * @param framework - shown in the title and heading, e.g. `Express`.
 */
export function demoPage(framework: string): string {
  return /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sess — ${framework} demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.4rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { font-weight: 600; }
  dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
  pre { background: #f4f4f4; padding: .75rem; border-radius: 4px; overflow: auto; }
  fieldset { border: 1px solid #ddd; border-radius: 4px; margin: 1rem 0; display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
  button { font: inherit; padding: .25rem .75rem; cursor: pointer; }
  #status { min-height: 1.5rem; color: #555; }
  #status.error { color: #b00020; }
</style>
</head>
<body>
<h1>sess — ${framework} demo</h1>
<p>Server-side sessions with Django's semantics, stored in SQLite. The browser holds only the key, in an HttpOnly cookie.</p>
<dl>
  <dt>Session key</dt><dd id="key">…</dd>
  <dt>Expires</dt><dd id="expires">…</dd>
  <dt>At browser close</dt><dd id="browser-close">…</dd>
  <dt>Last visit</dt><dd id="last-visit">…</dd>
</dl>
<pre id="data">…</pre>
<fieldset>
  <legend>Account</legend>
  <label>Name <input id="login-name" value="ada" maxlength="200"></label>
  <button id="login">Log in (cycleKey + set user)</button>
  <button id="logout">Log out (flush)</button>
</fieldset>
<fieldset>
  <legend>Session</legend>
  <button id="counter">Counter +1 (atomic: modify)</button>
  <button id="visit">Record a visit (a Date)</button>
  <button id="expiry0">setExpiry(0)</button>
  <button id="expiry-default">setExpiry(null)</button>
  <button id="clear">clear()</button>
  <button id="cycle">cycleKey()</button>
</fieldset>
<p id="status" role="status"></p>
<script>
const $ = (id) => document.getElementById(id)
async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(json.error || response.status + ' ' + response.statusText)
  return json
}
async function refresh() {
  const s = await call('GET', '/api/session')
  $('key').textContent = s.key ?? '(none: nothing saved yet)'
  $('expires').textContent = s.expiresAt ?? '—'
  $('browser-close').textContent = String(s.expireAtBrowserClose)
  $('data').textContent = JSON.stringify(s.data, null, 2)
  $('last-visit').textContent = s.data.lastVisit ? new Date(s.data.lastVisit).toLocaleString() : '—'
}
function action(id, run) {
  $(id).addEventListener('click', async () => {
    const status = $('status')
    status.className = ''
    try {
      const result = await run()
      status.textContent = id + ': ' + JSON.stringify(result)
    } catch (error) {
      status.className = 'error'
      status.textContent = id + ' failed: ' + error.message
    }
    await refresh().catch(() => {})
  })
}
action('login', () => call('POST', '/api/login', { user: $('login-name').value }))
action('logout', () => call('POST', '/api/logout'))
action('counter', () => call('POST', '/api/counter'))
action('visit', () => call('POST', '/api/visit'))
action('expiry0', () => call('POST', '/api/expiry', { seconds: 0 }))
action('expiry-default', () => call('POST', '/api/expiry', { seconds: null }))
action('clear', () => call('POST', '/api/clear'))
action('cycle', () => call('POST', '/api/cycle'))
refresh().catch((error) => { $('status').className = 'error'; $('status').textContent = error.message })
</script>
</body>
</html>
`
}
