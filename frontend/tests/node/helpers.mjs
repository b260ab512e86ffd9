// Shared helpers for the Node protocol tests: HTTP users with a cookie jar, stock y-websocket clients, waiting.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import * as decoding from 'lib0/decoding'

export const BASE = process.env.REELROOM_URL
if (!BASE) throw new Error('REELROOM_URL is not set: run the tests through scripts/with-server.mjs')
export const WS_BASE = BASE.replace(/^http/, 'ws')

const RUN = Date.now().toString(36).slice(-5) + Math.floor(Math.random() * 1e4).toString(36)
let counter = 0
/** A unique valid username (3-32 chars of [a-z0-9_]). */
export const uniqueName = (stem) => `${stem}_${RUN}_${counter++}`.slice(0, 32)

export class HttpUser {
  constructor(username, password = 'correct horse battery') {
    this.username = username
    this.password = password
    this.cookie = ''
  }

  async request(method, path, body) {
    const res = await fetch(BASE + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    })
    for (const c of res.headers.getSetCookie()) {
      const m = /^reelroom_session=([^;]*)/.exec(c)
      if (m) this.cookie = m[1] ? `reelroom_session=${m[1]}` : ''
    }
    const text = await res.text()
    let json
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    return { status: res.status, json, text, headers: res.headers }
  }

  async signup() {
    const r = await this.request('POST', '/api/auth/signup', { username: this.username, password: this.password })
    if (r.status !== 201) throw new Error(`signup ${this.username}: ${r.status} ${r.text}`)
    return r.json
  }

  async createRoom(title) {
    const r = await this.request('POST', '/api/rooms', { title })
    if (r.status !== 201) throw new Error(`create room: ${r.status} ${r.text}`)
    return r.json
  }

  async addMember(roomId, username, role) {
    const r = await this.request('PUT', `/api/rooms/${roomId}/members/${username}`, { role })
    if (r.status !== 200) throw new Error(`add member: ${r.status} ${r.text}`)
    return r.json
  }

  async ticket(roomId) {
    const r = await this.request('POST', `/api/rooms/${roomId}/ticket`)
    if (r.status !== 200) throw new Error(`ticket: ${r.status} ${r.text}`)
    return r.json
  }
}

export async function newUser(stem) {
  const u = new HttpUser(uniqueName(stem))
  await u.signup()
  return u
}

/** A stock y-websocket client (unmodified WebsocketProvider, `ws` as the WebSocket implementation). */
export async function connectClient(user, roomId, { color = '#30bced', wait = true } = {}) {
  const { ticket } = await user.ticket(roomId)
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`${WS_BASE}/sync`, roomId, doc, { WebSocketPolyfill: WebSocket, params: { ticket }, disableBc: true })
  provider.awareness.setLocalStateField('user', { name: user.username, color, colorLight: `${color}33` })
  const client = { user, doc, provider, closes: [], denied: [] }
  provider.on('connection-close', (ev) => client.closes.push(ev ? ev.code : null))
  // keep the stock handler (it logs), but also record PermissionDenied reasons for assertions
  const stockAuth = provider.messageHandlers[2]
  provider.messageHandlers[2] = (enc, dec, prov, emitSynced, type) => {
    try {
      // auth message: varUint subtype (0 = permission denied) + varString reason; read from a copy
      const copy = decoding.createDecoder(dec.arr.subarray(dec.pos))
      if (decoding.readVarUint(copy) === 0) client.denied.push(decoding.readVarString(copy))
    } catch {}
    return silenceWarn(() => stockAuth(enc, dec, prov, emitSynced, type))
  }
  if (wait) await waitFor(() => provider.synced, 10000, `${user.username} synced`)
  return client
}

function silenceWarn(fn) {
  const warn = console.warn
  console.warn = () => {}
  try {
    return fn()
  } finally {
    console.warn = warn
  }
}

export function destroyClient(client) {
  client.provider.destroy()
  client.doc.destroy()
}

export async function waitFor(pred, timeoutMs, label) {
  const start = Date.now()
  for (;;) {
    if (await pred()) return Date.now() - start
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${label}`)
    await sleep(50)
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Usernames visible in a client's awareness, excluding itself. */
export function remoteNames(client) {
  const names = []
  client.provider.awareness.getStates().forEach((state, id) => {
    if (id !== client.doc.clientID && state.user?.name) names.push(state.user.name)
  })
  return names
}

/** The same shot layout the web UI creates (see src/studio/schema.ts). */
export function addShot(doc, text = '') {
  const shot = new Y.Map()
  const prompt = new Y.Text()
  if (text) prompt.insert(0, text)
  shot.set('id', `shot-${Math.random().toString(36).slice(2)}`)
  shot.set('prompt', prompt)
  shot.set('duration_s', 4)
  shot.set('seed', Math.floor(Math.random() * 2 ** 31))
  shot.set('style', 'cinematic')
  shot.set('avatars', new Y.Array())
  doc.getArray('shots').push([shot])
  return shot
}

export const promptOf = (doc, i = 0) => doc.getArray('shots').get(i)?.get('prompt')?.toString()
