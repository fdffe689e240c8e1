/**
 * The demos' single page: shows the session (its handle, never its key) and the signed-in user's devices, and calls
 * the JSON API. Element ids are stable, and `body[data-refreshes]` counts completed refreshes (browser tests use both).
 * Static: everything it shows comes from its script, as text (`textContent`), never as HTML.
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
  table { border-collapse: collapse; width: 100%; font-size: .9rem; }
  th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
  td.agent { width: 40%; overflow-wrap: anywhere; }
  .this-device { font-weight: 600; color: #0a6; }
  #status { min-height: 1.5rem; color: #555; }
  #status.error { color: #b00020; }
</style>
</head>
<body>
<h1>sess — ${framework} demo</h1>
<p>Server-side sessions with Django's semantics, stored in SQLite. The browser holds only the key, in an HttpOnly
cookie that script cannot read, and this page never shows it: it shows the session's handle, a non-secret name
derived from the key.</p>
<dl>
  <dt>Signed in as</dt><dd id="user">…</dd>
  <dt>Session handle</dt><dd id="handle">…</dd>
  <dt>Expires</dt><dd id="expires">…</dd>
  <dt>At browser close</dt><dd id="browser-close">…</dd>
  <dt>Last visit</dt><dd id="last-visit">…</dd>
</dl>
<pre id="data">…</pre>
<fieldset>
  <legend>Account</legend>
  <label>Name <input id="login-name" value="ada" maxlength="200"></label>
  <button id="login">Log in (setUser: a new key)</button>
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
<fieldset>
  <legend>Your devices</legend>
  <p id="devices-note">…</p>
  <table id="devices" hidden>
    <thead><tr><th>Device</th><th>Handle</th><th>Signed in</th><th>Last active</th><th>Expires</th><th></th></tr></thead>
    <tbody id="device-rows"></tbody>
  </table>
  <button id="logout-everywhere" hidden>Sign out everywhere else</button>
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
let refreshes = 0
const when = (iso) => new Date(iso).toLocaleString()
// Every value from the server goes in as text (textContent), never as HTML: a user agent is the visitor's to choose.
function cell(row, text, className) {
  const td = row.insertCell()
  td.textContent = text
  if (className) td.className = className
  return td
}
function showDevices(list) {
  const rows = $('device-rows')
  rows.replaceChildren()
  for (const device of list.devices) {
    const row = rows.insertRow()
    row.dataset.handle = device.handle
    const agent = cell(row, device.userAgent ?? 'unknown device', 'agent')
    if (device.ip) agent.append(' (' + device.ip + ')')
    cell(row, device.handle)
    cell(row, when(device.created))
    cell(row, when(device.lastSaved))
    cell(row, when(device.expires))
    const last = row.insertCell()
    if (device.current) {
      row.className = 'current'
      last.className = 'this-device'
      last.textContent = 'this device'
    } else {
      const button = document.createElement('button')
      button.className = 'device-logout'
      button.textContent = 'Sign out'
      button.addEventListener('click', () => act('device-logout', () => call('POST', '/api/devices/logout', { handle: device.handle })))
      last.append(button)
    }
  }
  const n = list.devices.length
  $('devices-note').textContent = list.user + ' is signed in on ' + n + (n === 1 ? ' device.' : ' devices.')
  $('devices').hidden = false
  $('logout-everywhere').hidden = n < 2
}
async function refreshDevices() {
  try {
    showDevices(await call('GET', '/api/devices'))
  } catch (error) {
    $('device-rows').replaceChildren()
    $('devices').hidden = true
    $('logout-everywhere').hidden = true
    $('devices-note').textContent = error.message === 'log in first' ? 'Log in to see the devices you are signed in on.' : error.message
  }
}
async function refresh() {
  const s = await call('GET', '/api/session')
  $('user').textContent = s.user ?? '(nobody)'
  $('handle').textContent = s.handle ?? '(none: nothing saved yet)'
  $('expires').textContent = s.expiresAt ?? '—'
  $('browser-close').textContent = String(s.expireAtBrowserClose)
  $('data').textContent = JSON.stringify(s.data, null, 2)
  $('last-visit').textContent = s.data.lastVisit ? when(s.data.lastVisit) : '—'
  await refreshDevices()
  document.body.dataset.refreshes = String(++refreshes) // tests wait for this
}
async function act(id, run) {
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
}
function action(id, run) {
  $(id).addEventListener('click', () => act(id, run))
}
action('login', () => call('POST', '/api/login', { user: $('login-name').value }))
action('logout', () => call('POST', '/api/logout'))
action('counter', () => call('POST', '/api/counter'))
action('visit', () => call('POST', '/api/visit'))
action('expiry0', () => call('POST', '/api/expiry', { seconds: 0 }))
action('expiry-default', () => call('POST', '/api/expiry', { seconds: null }))
action('clear', () => call('POST', '/api/clear'))
action('cycle', () => call('POST', '/api/cycle'))
action('logout-everywhere', () => call('POST', '/api/logout-everywhere'))
refresh().catch((error) => { $('status').className = 'error'; $('status').textContent = error.message })
</script>
</body>
</html>
`
}
