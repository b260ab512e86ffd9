// REST contract tests against a running server (REELROOM_URL): sign up / in / out, rooms, members, tickets.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HttpUser, newUser, uniqueName } from './helpers.mjs'

test('auth: signup, duplicate, validation, login, me, logout', async () => {
  const u = new HttpUser(uniqueName('auth'))
  const created = await u.request('POST', '/api/auth/signup', { username: u.username, password: u.password })
  assert.equal(created.status, 201, created.text)
  assert.equal(created.json.username, u.username)
  assert.ok(created.json.id, 'signup returns an id')
  assert.ok(u.cookie, 'signup sets the reelroom_session cookie')

  const dup = await new HttpUser(u.username).request('POST', '/api/auth/signup', { username: u.username, password: 'another password' })
  assert.equal(dup.status, 409, dup.text)
  assert.equal(typeof dup.json?.code, 'string')
  assert.equal(typeof dup.json?.message, 'string')

  for (const [name, pw] of [['AB', 'longenough'], ['Bad-Name', 'longenough'], [uniqueName('pw'), 'short']]) {
    const r = await new HttpUser(name).request('POST', '/api/auth/signup', { username: name, password: pw })
    assert.equal(r.status, 400, `signup ${name}/${pw}: ${r.text}`)
    assert.equal(typeof r.json?.code, 'string')
  }

  const me = await u.request('GET', '/api/me')
  assert.equal(me.status, 200)
  assert.equal(me.json.username, u.username)
  assert.equal((await new HttpUser('nobody').request('GET', '/api/me')).status, 401)

  const wrong = await new HttpUser(u.username, 'wrong password!').request('POST', '/api/auth/login', { username: u.username, password: 'wrong password!' })
  assert.equal(wrong.status, 401, wrong.text)
  const again = new HttpUser(u.username)
  const ok = await again.request('POST', '/api/auth/login', { username: u.username, password: u.password })
  assert.equal(ok.status, 200, ok.text)
  assert.equal(ok.json.username, u.username)

  assert.equal((await again.request('POST', '/api/auth/logout')).status, 204)
  assert.equal((await again.request('GET', '/api/me')).status, 401, 'logout ends the session')
})

test('rooms: create, list, get, members, permissions', async () => {
  const owner = await newUser('own')
  const friend = await newUser('fr')
  const stranger = await newUser('str')
  const room = await owner.createRoom('Rooftop chase')
  assert.equal(room.role, 'owner')
  assert.equal(room.title, 'Rooftop chase')

  const list = await owner.request('GET', '/api/rooms')
  assert.equal(list.status, 200)
  assert.ok(list.json.some((r) => r.id === room.id && r.role === 'owner'))

  const put = await owner.request('PUT', `/api/rooms/${room.id}/members/${friend.username}`, { role: 'editor' })
  assert.equal(put.status, 200, put.text)
  assert.deepEqual(put.json, { username: friend.username, role: 'editor' })

  const view = await friend.request('GET', `/api/rooms/${room.id}`)
  assert.equal(view.status, 200, view.text)
  assert.equal(view.json.role, 'editor')
  const names = view.json.members.map((m) => `${m.username}:${m.role}`).sort()
  assert.deepEqual(names, [`${friend.username}:editor`, `${owner.username}:owner`].sort())
  assert.ok((await friend.request('GET', '/api/rooms')).json.some((r) => r.id === room.id && r.role === 'editor'))

  assert.ok([403, 404].includes((await stranger.request('GET', `/api/rooms/${room.id}`)).status), 'non-member cannot read the room')
  assert.ok([403, 404].includes((await stranger.request('POST', `/api/rooms/${room.id}/ticket`)).status), 'non-member gets no ticket')
  assert.equal((await friend.request('PUT', `/api/rooms/${room.id}/members/${stranger.username}`, { role: 'editor' })).status, 403, 'only the owner manages members')

  const ticket = await friend.ticket(room.id)
  assert.equal(typeof ticket.ticket, 'string')
  assert.equal(ticket.role, 'editor')
  assert.ok(ticket.expires_at > Date.now() / 1000 && ticket.expires_at <= Date.now() / 1000 + 301, `expires_at ${ticket.expires_at}`)

  const del = await owner.request('DELETE', `/api/rooms/${room.id}/members/${friend.username}`)
  assert.equal(del.status, 204, del.text)
  assert.ok([403, 404].includes((await friend.request('GET', `/api/rooms/${room.id}`)).status))
})
