#!/usr/bin/env node
// DEV-ONLY stand-in for the Rust server (in-memory, no Postgres), implementing the HTTP / sync / control
// contract closely enough to develop the UI and exercise the tests before the real binary exists:
//   REELROOM_BIN=scripts/mock-server.mjs npm run test:node
// It is NOT the product and NOT used by the Makefile; the real server is the source of truth.
import http from 'node:http'
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync, existsSync, statSync } from 'node:fs'
import { extname, join, normalize } from 'node:path'
import { WebSocketServer } from 'ws'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as authProtocol from 'y-protocols/auth'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

const [host, port] = (process.env.REELROOM_BIND || '127.0.0.1:0').split(':')
const distDir = process.env.REELROOM_FRONTEND_DIR || ''
const users = new Map() // username -> {id, username, password}
const sessions = new Map() // token -> username
const rooms = new Map() // id -> {id, title, members: Map<username, role>, doc, awareness, conns: Set, controls: Set}
const tickets = new Map() // ticket -> {room, username, exp}

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(body === undefined ? '' : JSON.stringify(body))
}
const fail = (res, status, code, message) => json(res, status, { code, message })
const userOf = (req) => sessions.get(/reelroom_session=([^;]+)/.exec(req.headers.cookie || '')?.[1])
const body = (req) => new Promise((r) => { let s = ''; req.on('data', (d) => (s += d)); req.on('end', () => { try { r(JSON.parse(s || '{}')) } catch { r(null) } }) })
const login = (res, status, u) => {
  const token = randomBytes(16).toString('hex')
  sessions.set(token, u.username)
  res.setHeader('set-cookie', `reelroom_session=${token}; HttpOnly; Path=/; SameSite=Lax`)
  json(res, status, { id: u.id, username: u.username })
}
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json' }

function onlineList(room) {
  const seen = new Map()
  for (const c of room.controls) seen.set(c.username, { user_id: users.get(c.username).id, username: c.username, role: room.members.get(c.username) })
  return [...seen.values()]
}
const broadcastOnline = (room) => { for (const c of room.controls) if (c.ready) c.ws.send(JSON.stringify({ type: 'members_online', members_online: onlineList(room) })) }

function getRoom(id) {
  return rooms.get(id)
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x')
  const p = url.pathname
  const me = userOf(req)
  if (p.startsWith('/api/')) {
    if (req.method === 'POST' && p === '/api/auth/signup') {
      const b = await body(req)
      if (!b || !/^[a-z0-9_]{3,32}$/.test(b.username || '')) return fail(res, 400, 'invalid_username', 'Usernames are 3-32 characters of a-z, 0-9 and _.')
      if (typeof b.password !== 'string' || b.password.length < 8) return fail(res, 400, 'invalid_password', 'Password must be at least 8 characters.')
      if (users.has(b.username)) return fail(res, 409, 'username_taken', 'That username is taken.')
      const u = { id: randomUUID(), username: b.username, password: b.password }
      users.set(u.username, u)
      return login(res, 201, u)
    }
    if (req.method === 'POST' && p === '/api/auth/login') {
      const b = await body(req)
      const u = users.get(b?.username)
      if (!u || u.password !== b.password) return fail(res, 401, 'invalid_credentials', 'Wrong username or password.')
      return login(res, 200, u)
    }
    if (req.method === 'POST' && p === '/api/auth/logout') { res.setHeader('set-cookie', 'reelroom_session=; Max-Age=0; Path=/'); res.writeHead(204); return res.end() }
    if (!me) return fail(res, 401, 'unauthorized', 'Sign in first.')
    if (req.method === 'GET' && p === '/api/me') return json(res, 200, { id: users.get(me).id, username: me })
    if (p === '/api/rooms' && req.method === 'POST') {
      const b = await body(req)
      const room = { id: randomUUID(), title: String(b?.title || 'Untitled'), members: new Map([[me, 'owner']]), doc: new Y.Doc(), conns: new Set(), controls: new Set() }
      room.awareness = new awarenessProtocol.Awareness(room.doc)
      room.awareness.setLocalState(null)
      setupRoom(room)
      rooms.set(room.id, room)
      return json(res, 201, { id: room.id, title: room.title, role: 'owner' })
    }
    if (p === '/api/rooms' && req.method === 'GET') return json(res, 200, [...rooms.values()].filter((r) => r.members.has(me)).map((r) => ({ id: r.id, title: r.title, role: r.members.get(me) })))
    const m = /^\/api\/rooms\/([^/]+)(?:\/(ticket|members\/([^/]+)))?$/.exec(p)
    const room = m && getRoom(decodeURIComponent(m[1]))
    if (!room) return fail(res, 404, 'not_found', 'No such room.')
    const role = room.members.get(me)
    if (!role) return fail(res, 403, 'forbidden', 'You are not a member of this room.')
    if (!m[2] && req.method === 'GET') return json(res, 200, { id: room.id, title: room.title, role, members: [...room.members].map(([username, role]) => ({ username, role })) })
    if (m[2] === 'ticket' && req.method === 'POST') {
      const ticket = randomBytes(18).toString('base64url')
      const exp = Math.floor(Date.now() / 1000) + 300
      tickets.set(ticket, { room: room.id, username: me, exp })
      return json(res, 200, { ticket, role, expires_at: exp })
    }
    if (m[3]) {
      const target = decodeURIComponent(m[3])
      if (role !== 'owner') return fail(res, 403, 'forbidden', 'Only the owner can manage members.')
      if (!users.has(target)) return fail(res, 404, 'user_not_found', `No user named ${target}.`)
      if (room.members.get(target) === 'owner') return fail(res, 400, 'cannot_change_owner', 'The owner stays the owner.')
      if (req.method === 'PUT') {
        const b = await body(req)
        if (!['editor', 'viewer'].includes(b?.role)) return fail(res, 400, 'invalid_role', 'Role must be editor or viewer.')
        room.members.set(target, b.role)
        for (const c of room.conns) if (c.username === target) c.role = b.role
        broadcastOnline(room)
        return json(res, 200, { username: target, role: b.role })
      }
      if (req.method === 'DELETE') {
        room.members.delete(target)
        for (const c of [...room.conns, ...room.controls]) if (c.username === target) c.ws.close(4403, 'removed from room')
        res.writeHead(204)
        return res.end()
      }
    }
    return fail(res, 404, 'not_found', 'Not found.')
  }
  // static files with SPA fallback
  let file = distDir && normalize(join(distDir, p))
  if (!file || !file.startsWith(normalize(distDir)) || !existsSync(file) || statSync(file).isDirectory()) file = join(distDir, 'index.html')
  if (!existsSync(file)) return fail(res, 404, 'not_found', 'frontend not built')
  res.writeHead(200, { 'content-type': MIME[extname(file)] || 'application/octet-stream' })
  res.end(readFileSync(file))
})

function setupRoom(room) {
  room.doc.on('update', (update, origin) => {
    const enc = encoding.createEncoder()
    encoding.writeVarUint(enc, 0)
    syncProtocol.writeUpdate(enc, update)
    const msg = encoding.toUint8Array(enc)
    for (const c of room.conns) c.ws.send(msg)
  })
  room.awareness.on('update', ({ added, updated, removed }, origin) => {
    const changed = added.concat(updated, removed)
    if (origin && origin.ids) { for (const id of added) origin.ids.add(id); for (const id of removed) origin.ids.delete(id) }
    const enc = encoding.createEncoder()
    encoding.writeVarUint(enc, 1)
    encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(room.awareness, changed))
    const msg = encoding.toUint8Array(enc)
    for (const c of room.conns) c.ws.send(msg)
  })
}

const wss = new WebSocketServer({ noServer: true })
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://x')
  const m = /^\/(sync|control)\/([^/]+)$/.exec(url.pathname)
  const t = tickets.get(url.searchParams.get('ticket') || '')
  const room = m && getRoom(decodeURIComponent(m[2]))
  const refuse = (code) => { socket.write(`HTTP/1.1 ${code} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`); socket.destroy() }
  if (!m || !room) return refuse(404)
  if (!t || t.exp < Date.now() / 1000 || t.room !== room.id) return refuse(401)
  if (!room.members.has(t.username)) return refuse(403)
  wss.handleUpgrade(req, socket, head, (ws) => (m[1] === 'sync' ? onSync(ws, room, t.username) : onControl(ws, room, t.username)))
})

function onSync(ws, room, username) {
  const conn = { ws, username, role: room.members.get(username), ids: new Set() }
  room.conns.add(conn)
  ws.on('message', (data) => {
    const dec = decoding.createDecoder(new Uint8Array(data))
    const enc = encoding.createEncoder()
    const type = decoding.readVarUint(dec)
    if (type === 0) {
      const sub = decoding.peekVarUint(dec)
      if (sub !== 0 && conn.role === 'viewer') {
        // a viewer's (usually empty) SyncStep2 reply is fine; only real changes are refused
        const copy = decoding.createDecoder(dec.arr.subarray(dec.pos))
        decoding.readVarUint(copy)
        const upd = Y.decodeUpdate(decoding.readVarUint8Array(copy))
        if (upd.structs.length === 0 && upd.ds.clients.size === 0) return
        encoding.writeVarUint(enc, 2)
        authProtocol.writePermissionDenied(enc, 'viewers cannot edit')
        return ws.send(encoding.toUint8Array(enc))
      }
      encoding.writeVarUint(enc, 0)
      syncProtocol.readSyncMessage(dec, enc, room.doc, conn)
      if (encoding.length(enc) > 1) ws.send(encoding.toUint8Array(enc))
    } else if (type === 1) {
      awarenessProtocol.applyAwarenessUpdate(room.awareness, decoding.readVarUint8Array(dec), conn)
    }
  })
  ws.on('close', () => {
    room.conns.delete(conn)
    awarenessProtocol.removeAwarenessStates(room.awareness, [...conn.ids], null)
  })
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, 0)
  syncProtocol.writeSyncStep1(enc, room.doc)
  ws.send(encoding.toUint8Array(enc))
  const states = room.awareness.getStates()
  if (states.size > 0) {
    const a = encoding.createEncoder()
    encoding.writeVarUint(a, 1)
    encoding.writeVarUint8Array(a, awarenessProtocol.encodeAwarenessUpdate(room.awareness, [...states.keys()]))
    ws.send(encoding.toUint8Array(a))
  }
}

function onControl(ws, room, username) {
  const conn = { ws, username, ready: false }
  room.controls.add(conn)
  ws.on('message', (data, isBinary) => {
    let msg
    try { msg = JSON.parse(data.toString()) } catch { return ws.close(4400, 'malformed') }
    if (isBinary || msg.type !== 'hello') return ws.send(JSON.stringify({ type: 'error', code: 'bad_message', message: 'expected hello' }))
    conn.ready = true
    ws.send(JSON.stringify({ type: 'welcome', protocol_version: 1, role: room.members.get(username), members_online: onlineList(room) }))
    broadcastOnline(room)
  })
  ws.on('close', () => { room.controls.delete(conn); broadcastOnline(room) })
}

server.listen(Number(port), host, () => console.log(`reelroom listening on http://${host}:${server.address().port}`))
process.on('SIGTERM', () => { for (const c of wss.clients) c.terminate(); server.close(() => process.exit(0)) })
