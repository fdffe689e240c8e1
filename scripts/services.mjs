// Makes sure the Redis and PostgreSQL servers the @sess/redis and @sess/postgres tests use are up,
// starting the local ones when they are installed but stopped.
import { execSync } from 'node:child_process'
import { createConnection } from 'node:net'
import { existsSync, readdirSync, mkdirSync } from 'node:fs'

const reachable = (port) =>
  new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })

const waitFor = async (port, seconds) => {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(port)) return true
    await new Promise((r) => setTimeout(r, 250))
  }
  return false
}

/** The browser test drives Debian's Chromium; install it when missing and we may (root with apt-get). */
export function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (!root || !existsSync('/usr/bin/apt-get')) {
    throw new Error('The browser test needs Chromium at /usr/bin/chromium: install it (apt-get install chromium)')
  }
  console.log('[sess] installing chromium with apt-get for the browser test')
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit', shell: '/bin/bash' })
}

export async function ensureServices() {
  ensureChromium()
  if (!(await reachable(6379))) {
    console.log('[sess] starting redis-server on 127.0.0.1:6379')
    mkdirSync('/var/lib/redis', { recursive: true })
    mkdirSync('/var/log/redis', { recursive: true })
    execSync(
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
      { stdio: 'inherit' },
    )
    if (!(await waitFor(6379, 10))) throw new Error('Redis did not come up on 127.0.0.1:6379')
  }
  if (!(await reachable(5432))) {
    console.log('[sess] starting PostgreSQL on 127.0.0.1:5432')
    const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : []
    if (versions.length === 0) throw new Error('PostgreSQL is not installed (apt-get install postgresql)')
    execSync(`pg_ctlcluster --skip-systemctl-redirect ${versions[0]} main start`, { stdio: 'inherit' })
    if (!(await waitFor(5432, 30))) throw new Error('PostgreSQL did not come up on 127.0.0.1:5432')
  }
  // The tests use the database `test`; create it when missing.
  try {
    execSync(
      `psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test"`,
      { stdio: 'inherit', shell: '/bin/bash' },
    )
  } catch (error) {
    console.warn('[sess] could not check the PostgreSQL database `test`:', error.message)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await ensureServices()
