// Protocol tests with stock yjs + y-websocket clients against a running server (REELROOM_URL):
// convergence, awareness, viewers, tickets, removal, demotion, control socket, 50 s idleness.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import WebSocket from 'ws'
import { WS_BASE, addShot, connectClient, destroyClient, newUser, promptOf, remoteNames, sleep, waitFor } from './helpers.mjs'

const IDLE_MS = 50_000
const clients = []
const track = (c) => (clients.push(c), c)
let idle = null // { client, startedAt, room, owner }

before(async () => {
  // started first so the 50 s idleness check overlaps the rest of the suite
  const owner = await newUser('idle')
  const room = await owner.createRoom('idle room')
  const client = track(await connectClient(owner, room.id))
  idle = { client, owner, room, startedAt: Date.now() }
})

after(() => {
  for (const c of clients) {
    try {
      destroyClient(c)
    } catch {}
  }
})

test('two editors converge on concurrent title and prompt edits; awareness is shared', async () => {
  const a = await newUser('ann')
  const b = await newUser('bob')
  const room = await a.createRoom('Converge')
  await a.addMember(room.id, b.username, 'editor')
  const ca = track(await connectClient(a, room.id, { color: '#7c5cff' }))
  addShot(ca.doc, 'A lone rider ')
  ca.doc.getText('title').insert(0, 'Scene')
  const cb = track(await connectClient(b, room.id, { color: '#22c3a6' }))
  await waitFor(() => promptOf(cb.doc) === 'A lone rider ', 5000, 'B sees the shot')

  // concurrent edits: neither waits for the other
  ca.doc.getText('title').insert(0, 'Ann: ')
  cb.doc.getText('title').insert(cb.doc.getText('title').length, ' / Bob')
  ca.doc.getArray('shots').get(0).get('prompt').insert(0, '[A]')
  cb.doc.getArray('shots').get(0).get('prompt').insert(promptOf(cb.doc).length, 'crosses the desert [B]')
  await waitFor(() => ca.doc.getText('title').toString() === cb.doc.getText('title').toString() && promptOf(ca.doc) === promptOf(cb.doc) && promptOf(ca.doc).includes('[B]') && promptOf(cb.doc).includes('[A]'), 5000, 'convergence')
  assert.equal(ca.doc.getText('title').toString(), 'Ann: Scene / Bob')
  assert.equal(promptOf(ca.doc), '[A]A lone rider crosses the desert [B]')

  // awareness: each sees the other's user state
  await waitFor(() => remoteNames(ca).includes(b.username) && remoteNames(cb).includes(a.username), 5000, 'awareness both ways')
  const bState = [...ca.provider.awareness.getStates().values()].find((s) => s.user?.name === b.username)
  assert.deepEqual(bState.user, { name: b.username, color: '#22c3a6', colorLight: '#22c3a633' })

  // the server kept the state: a fresh client gets it from the server alone
  const fresh = track(await connectClient(a, room.id))
  await waitFor(() => promptOf(fresh.doc) === promptOf(ca.doc), 5000, 'fresh client gets the server state')
  assert.equal(fresh.doc.getText('title').toString(), 'Ann: Scene / Bob')
  destroyClient(fresh)

  // clean close: the awareness entry disappears right away
  destroyClient(cb)
  const took = await waitFor(() => !remoteNames(ca).includes(b.username), 5000, 'B leaves awareness on clean close')
  assert.ok(took < 5000)
})

test('abrupt disconnect: awareness entry disappears within 35 s', async () => {
  const a = await newUser('cat')
  const b = await newUser('dan')
  const room = await a.createRoom('Abrupt')
  await a.addMember(room.id, b.username, 'editor')
  const ca = track(await connectClient(a, room.id))
  const cb = track(await connectClient(b, room.id))
  await waitFor(() => remoteNames(ca).includes(b.username), 5000, 'A sees B')
  // kill B's socket without a close frame and without the awareness goodbye
  cb.provider.shouldConnect = false
  cb.provider.ws.terminate()
  cb.provider.destroy()
  await waitFor(() => !remoteNames(ca).includes(b.username), 35_000, "B's awareness entry removed")
})

test("viewer: sees the text, its edits are refused and never reach the editor", async () => {
  const owner = await newUser('eve')
  const viewer = await newUser('vic')
  const room = await owner.createRoom('Viewer test')
  await owner.addMember(room.id, viewer.username, 'viewer')
  assert.equal((await viewer.ticket(room.id)).role, 'viewer')
  const co = track(await connectClient(owner, room.id))
  co.doc.getText('title').insert(0, 'Owner title')
  const cv = track(await connectClient(viewer, room.id))
  await waitFor(() => cv.doc.getText('title').toString() === 'Owner title', 5000, 'viewer gets the text')
  await sleep(300)
  assert.deepEqual(cv.denied, [], 'a viewer that changed nothing (empty SyncStep2 reply) is not refused')

  cv.doc.getText('title').insert(0, 'VIEWER WAS HERE ')
  await waitFor(() => cv.denied.length > 0, 5000, 'viewer receives a PermissionDenied auth message')
  co.doc.getText('title').insert(co.doc.getText('title').length, '!')
  await waitFor(() => cv.doc.getText('title').toString().endsWith('!'), 5000, "owner's later edit reaches the viewer")
  await sleep(300)
  assert.equal(co.doc.getText('title').toString(), 'Owner title!')
  const again = track(await connectClient(owner, room.id))
  assert.equal(again.doc.getText('title').toString(), 'Owner title!', 'server state has no viewer edit')
  destroyClient(again)
})

test('bad or missing tickets get no connection', async () => {
  const owner = await newUser('tix')
  const room = await owner.createRoom('Tickets')
  for (const path of [`/sync/${room.id}?ticket=not-a-ticket`, `/sync/${room.id}`, `/control/${room.id}?ticket=bogus&v=1`]) {
    const outcome = await new Promise((resolve) => {
      const ws = new WebSocket(WS_BASE + path)
      ws.on('open', () => (ws.terminate(), resolve('open')))
      ws.on('unexpected-response', (_req, res) => (resolve(res.statusCode), res.resume()))
      ws.on('error', () => resolve('error'))
    })
    assert.ok(outcome === 401 || outcome === 403, `${path}: expected HTTP 401/403, got ${outcome}`)
  }
  // a ticket for one room does not open another
  const other = await owner.createRoom('Other')
  const { ticket } = await owner.ticket(room.id)
  const cross = await new Promise((resolve) => {
    const ws = new WebSocket(`${WS_BASE}/sync/${other.id}?ticket=${encodeURIComponent(ticket)}`)
    ws.on('open', () => (ws.terminate(), resolve('open')))
    ws.on('unexpected-response', (_req, res) => (resolve(res.statusCode), res.resume()))
    ws.on('error', () => resolve('error'))
  })
  assert.notEqual(cross, 'open', 'ticket is bound to its room')
})

test('removed member is closed with 4403 and the stock client stops reconnecting', async () => {
  const owner = await newUser('rem')
  const friend = await newUser('gone')
  const room = await owner.createRoom('Removal')
  await owner.addMember(room.id, friend.username, 'editor')
  const cf = track(await connectClient(friend, room.id))
  const closed = new Promise((resolve) => cf.provider.on('closed', (ev) => resolve(ev.code)))
  const del = await owner.request('DELETE', `/api/rooms/${room.id}/members/${friend.username}`)
  assert.equal(del.status, 204)
  const code = await Promise.race([closed, sleep(5000).then(() => 'timeout')])
  assert.equal(code, 4403)
  await sleep(500)
  assert.equal(cf.provider.wsconnected, false)
})

test('demoting a connected editor takes effect at once', async () => {
  const owner = await newUser('dem')
  const ed = await newUser('dee')
  const room = await owner.createRoom('Demote')
  await owner.addMember(room.id, ed.username, 'editor')
  const co = track(await connectClient(owner, room.id))
  const ce = track(await connectClient(ed, room.id))
  ce.doc.getText('title').insert(0, 'before ')
  await waitFor(() => co.doc.getText('title').toString() === 'before ', 5000, 'editor edit accepted')
  await owner.addMember(room.id, ed.username, 'viewer')
  await sleep(300)
  ce.doc.getText('title').insert(0, 'after ')
  await waitFor(() => ce.denied.length > 0, 5000, 'demoted editor is refused')
  await sleep(300)
  assert.equal(co.doc.getText('title').toString(), 'before ')
})

test('control socket: hello, welcome, members_online', async () => {
  const owner = await newUser('ctl')
  const friend = await newUser('ctf')
  const room = await owner.createRoom('Control')
  await owner.addMember(room.id, friend.username, 'viewer')
  const open = async (user) => {
    const { ticket } = await user.ticket(room.id)
    const ws = new WebSocket(`${WS_BASE}/control/${room.id}?ticket=${encodeURIComponent(ticket)}&v=1`)
    const messages = []
    ws.on('message', (d, binary) => !binary && messages.push(JSON.parse(d.toString())))
    await new Promise((res, rej) => (ws.on('open', res), ws.on('error', rej)))
    ws.send(JSON.stringify({ type: 'hello' }))
    return { ws, messages }
  }
  const o = await open(owner)
  await waitFor(() => o.messages.some((m) => m.type === 'welcome'), 5000, 'welcome')
  const welcome = o.messages.find((m) => m.type === 'welcome')
  assert.equal(welcome.protocol_version, 1)
  assert.equal(welcome.role, 'owner')
  assert.ok(welcome.members_online.some((m) => m.username === owner.username && m.role === 'owner' && m.user_id))

  const f = await open(friend)
  await waitFor(() => f.messages.some((m) => m.type === 'welcome'), 5000, 'friend welcome')
  assert.equal(f.messages.find((m) => m.type === 'welcome').role, 'viewer')
  const online = (m) => (m.members_online || []).map((x) => x.username).sort().join(',')
  const both = [owner.username, friend.username].sort().join(',')
  await waitFor(() => o.messages.some((m) => m.type === 'members_online' && online(m) === both), 5000, 'owner told friend is online')
  f.ws.close(1000)
  await waitFor(() => o.messages.at(-1)?.type === 'members_online' && online(o.messages.at(-1)) === owner.username, 5000, 'owner told friend left')
  o.ws.close(1000)
})

test('an idle client stays connected for 50 s', async () => {
  const { client, owner, room, startedAt } = idle
  const remaining = IDLE_MS - (Date.now() - startedAt)
  if (remaining > 0) await sleep(remaining)
  assert.deepEqual(client.closes, [], `idle client was disconnected (close codes: ${JSON.stringify(client.closes)})`)
  assert.equal(client.provider.wsconnected, true)
  // and it is still live: an edit from elsewhere reaches it
  const other = track(await connectClient(owner, room.id))
  other.doc.getText('title').insert(0, 'still here')
  await waitFor(() => client.doc.getText('title').toString() === 'still here', 5000, 'idle client receives an edit')
})
