#!/usr/bin/env node
// Test harness: starts a fresh reelroom server (own temp data dir), waits for its "listening" line,
// runs the given command with REELROOM_URL set, stops the server (SIGTERM) and propagates the exit code.
// Usage: node scripts/with-server.mjs <command> [args...]
// Env: REELROOM_BIN (default /root/.cache/reelroom/target/debug/reelroom; a .mjs/.js path runs under node),
//      REELROOM_START_TIMEOUT_MS (default 120000).
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const frontendDir = resolve(here, '..')
const bin = resolve(process.env.REELROOM_BIN || '/root/.cache/reelroom/target/debug/reelroom')
const startTimeout = Number(process.env.REELROOM_START_TIMEOUT_MS || 120000)
const [cmd, ...args] = process.argv.slice(2)

if (!cmd) {
  console.error('usage: node scripts/with-server.mjs <command> [args...]')
  process.exit(2)
}
if (!existsSync(bin)) {
  console.error(`with-server: server binary not found at ${bin} (build it first, or set REELROOM_BIN)`)
  process.exit(1)
}
const distDir = join(frontendDir, 'dist')
if (!existsSync(join(distDir, 'index.html'))) console.warn(`with-server: warning: ${distDir}/index.html missing; run "npm run build" first`)

const dataDir = mkdtempSync(join(tmpdir(), 'reelroom-test-'))
// mkdtemp makes it 0700; let the server's private Postgres (run as the postgres user) use it, so it is removed with it
chmodSync(dataDir, 0o755)
const isScript = /\.(mjs|cjs|js)$/.test(bin)
const server = spawn(isScript ? process.execPath : bin, isScript ? [bin] : [], {
  env: { ...process.env, REELROOM_BIND: '127.0.0.1:0', REELROOM_DATA_DIR: dataDir, REELROOM_FRONTEND_DIR: distDir },
  stdio: ['ignore', 'pipe', 'pipe'],
})
let serverExited = false
const serverDone = new Promise((res) => server.on('exit', (code, signal) => ((serverExited = true), res({ code, signal }))))
server.stderr.on('data', (d) => process.stderr.write(prefix(d)))

function prefix(buf) {
  return buf
    .toString()
    .split(/(?<=\n)/)
    .map((l) => `[server] ${l}`)
    .join('')
}

async function stopServer() {
  if (!serverExited) {
    server.kill('SIGTERM')
    const timer = setTimeout(() => !serverExited && server.kill('SIGKILL'), 15000)
    await serverDone
    clearTimeout(timer)
  }
  try {
    rmSync(dataDir, { recursive: true, force: true })
  } catch (e) {
    console.error(`with-server: could not remove ${dataDir}: ${e.message}`)
  }
}

const url = await new Promise((res) => {
  let buffered = ''
  const timer = setTimeout(() => res(null), startTimeout)
  server.stdout.on('data', (d) => {
    process.stdout.write(prefix(d))
    if (buffered === null) return
    buffered += d.toString()
    const m = /reelroom listening on (http:\/\/\S+)/.exec(buffered)
    if (m) {
      buffered = null
      clearTimeout(timer)
      res(m[1].replace(/\/$/, ''))
    }
  })
  serverDone.then(() => (clearTimeout(timer), res(null)))
})

if (!url) {
  console.error(serverExited ? 'with-server: server exited before it was ready' : `with-server: server not ready after ${startTimeout} ms`)
  await stopServer()
  process.exit(1)
}
console.log(`with-server: server ready at ${url}`)

const child = spawn(cmd, args, { env: { ...process.env, REELROOM_URL: url }, stdio: 'inherit', cwd: frontendDir })
const forward = (sig) => () => child.kill(sig)
process.on('SIGINT', forward('SIGINT'))
process.on('SIGTERM', forward('SIGTERM'))
const { code, signal } = await new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })))
const crashed = serverExited
if (crashed) console.error('with-server: the server exited while the tests were running')
await stopServer()
process.exit(code || (signal || crashed ? 1 : 0))
