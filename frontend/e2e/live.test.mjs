// Browser end-to-end test of the live preview (playwright-core + Debian Chromium): the studio's
// receive-only WebRTC video connects over the control socket, shows the generation as it renders
// (VP8, nearly every frame the server sent, the prompt's red ball), and prints click → first frame;
// the owner goes on and off air; a viewer who joins by the owner's share link (signing up on the
// way) watches the room on air but cannot edit, and a bad link says why; a bogus ticket gets no control socket and no WHEP stream.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, RUN, artifactPath, createRoom, firstShotPrompt, launchBrowser, objectColour, openPage, pressGenerate, submitSignUp, waitForJobPhase, waitSynced, writeFirstShot } from './support/browser.mjs'

let browser
let page
let roomId
let roomUrl
const pageErrors = []

before(async () => {
  browser = await launchBrowser({ webrtc: true })
  page = await openPage(browser, pageErrors)
})

after(async () => {
  await browser?.close()
})

/** `reelroom_media_frames_sent_total` from /metrics (Prometheus text), summed over its label sets. */
async function framesSent() {
  const res = await fetch(`${BASE}/metrics`)
  assert.equal(res.status, 200, 'GET /metrics')
  let total = 0
  for (const line of (await res.text()).split('\n')) {
    const m = /^reelroom_media_frames_sent_total(?:\{[^}]*\})?\s+(\S+)/.exec(line)
    if (m) total += Number(m[1])
  }
  return total
}

test('the live preview shows the generation as it renders', async () => {
  await submitSignUp(page, `live_${RUN}`)
  roomUrl = await createRoom(page, 'Live red ball')
  roomId = decodeURIComponent(/#\/room\/([^/?#]+)/.exec(roomUrl)[1])
  await writeFirstShot(page, 'a red ball bouncing on the floor', 2)

  const live = page.getByTestId('live-video')
  const box = await live.boundingBox()
  assert.ok(box && box.width >= 256 && box.height >= 256, `live video is at least 256×256 (${box?.width}×${box?.height})`)
  assert.ok(await page.getByTestId('live-placeholder').isVisible(), 'placeholder until the first frame')
  assert.ok(await page.getByTestId('on-air').isVisible(), 'the owner sees the on-air toggle')
  await page.waitForFunction(() => window.__reelroomLive?.pc?.connectionState === 'connected', null, { timeout: 30000 })

  // Poll the decoder every 20 ms from the page; the latest Generate click before the first frame is "the click".
  await page.evaluate(() => {
    const probe = { clickAt: null, firstAt: null, base: null, busy: false }
    window.__liveProbe = probe
    document.addEventListener('click', (e) => {
      if (probe.firstAt === null && e.target.closest?.('[data-testid="generate"]')) probe.clickAt = performance.now()
    }, true)
    probe.timer = setInterval(async () => {
      if (probe.busy || probe.firstAt !== null) return
      probe.busy = true
      try {
        const stats = await window.__reelroomLive.pc.getStats()
        let decoded = 0
        stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') decoded = s.framesDecoded ?? 0 })
        if (probe.base === null) probe.base = decoded
        else if (decoded > probe.base && probe.clickAt !== null) {
          probe.firstAt = performance.now()
          clearInterval(probe.timer)
        }
      } finally {
        probe.busy = false
      }
    }, 20)
  })
  await page.waitForFunction(() => window.__liveProbe.base !== null)
  const sentBefore = await framesSent()

  await pressGenerate(page)
  await waitForJobPhase(page, 'finished', 90000)
  await page.waitForTimeout(1000)
  const sent = (await framesSent()) - sentBefore

  const frame = await live.evaluate(async (v) => {
    const probe = window.__liveProbe
    clearInterval(probe.timer)
    const stats = await window.__reelroomLive.pc.getStats()
    let inbound
    const byId = {}
    stats.forEach((s) => {
      byId[s.id] = s
      if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s
    })
    const c = document.createElement('canvas')
    c.width = v.videoWidth || 1 // no frame yet: one blank pixel, and the asserts below say so
    c.height = v.videoHeight || 1
    const g = c.getContext('2d')
    if (v.videoWidth) g.drawImage(v, 0, 0)
    return {
      decoded: (inbound?.framesDecoded ?? 0) - probe.base,
      codec: inbound && byId[inbound.codecId]?.mimeType,
      firstFrameMs: probe.firstAt !== null && probe.clickAt !== null ? Math.round(probe.firstAt - probe.clickAt) : null,
      width: v.videoWidth,
      height: v.videoHeight,
      rgba: g.getImageData(0, 0, c.width, c.height).data,
    }
  })
  // the object's pixels are the saturated ones, not the muted background
  const seen = { ...frame, ...objectColour(frame.rgba) }
  console.log(`live: click→first frame ${seen.firstFrameMs} ms, frames sent ${sent}, decoded ${seen.decoded}`)
  assert.ok(sent > 0, `the server sent frames to the live track (${sent})`)
  assert.ok(seen.decoded >= 0.8 * sent, `decoded ${seen.decoded} of ${sent} frames sent`)
  assert.equal(seen.codec, 'video/VP8')
  assert.notEqual(seen.firstFrameMs, null, 'a first frame was decoded after the click')
  assert.equal(await page.getByTestId('live-placeholder').isVisible(), false, 'the placeholder is gone')
  assert.ok(seen.width > 0 && seen.height > 0, `live frame ${seen.width}×${seen.height}`)
  assert.ok(seen.objectPixels > 200, `an object is visible live (${seen.objectPixels} px)`)
  assert.ok(seen.hueDeg < 20 || seen.hueDeg > 340, `the live object is red (hue ${seen.hueDeg.toFixed(0)}°)`)
  assert.ok(seen.rgb[0] > seen.rgb[1] && seen.rgb[0] > seen.rgb[2], `red dominates the object (${seen.rgb.map((x) => x.toFixed(2))})`)

  // the finished draft clip still plays
  const clip = await page.getByTestId('clip-video').evaluate(async (v) => {
    if (v.readyState < 2) await new Promise((ok, fail) => { v.onloadeddata = ok; v.onerror = () => fail(new Error('video error')) })
    await v.play()
    const t0 = v.currentTime
    await new Promise((ok) => setTimeout(ok, 500))
    return { width: v.videoWidth, height: v.videoHeight, duration: v.duration, advanced: v.currentTime !== t0, paused: v.paused }
  })
  assert.equal(clip.width, 256)
  assert.equal(clip.height, 256)
  assert.ok(Math.abs(clip.duration - 2) < 0.3, `clip lasts ${clip.duration} s`)
  assert.ok(!clip.paused && clip.advanced, 'the draft clip plays')
  await page.screenshot({ path: artifactPath('live.png') })
})

test('the owner goes on air and off air; the badge follows the server', async () => {
  const badge = page.getByTestId('on-air-badge')
  assert.equal(await badge.isVisible(), false)
  await page.getByTestId('on-air').click()
  await badge.waitFor({ state: 'visible' })
  assert.equal(await page.getByTestId('on-air').getAttribute('aria-pressed'), 'true')
  await page.getByTestId('on-air').click()
  await badge.waitFor({ state: 'hidden' })
  assert.equal(await page.getByTestId('on-air').getAttribute('aria-pressed'), 'false')
})

/** In `page`, the live preview's decoded video frames so far (inbound-rtp framesDecoded). */
const framesDecoded = (page) => page.evaluate(async () => {
  let n = 0
  const stats = await window.__reelroomLive?.pc?.getStats()
  stats?.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n = s.framesDecoded ?? 0 })
  return n
})

test('a viewer joins by the share link and watches the room on air', async () => {
  assert.ok(roomId, 'the first test created a room')
  if (!page.url().includes(`#/room/${encodeURIComponent(roomId)}`)) await page.goto(roomUrl)
  const onAir = page.getByTestId('on-air')
  await onAir.waitFor()
  if ((await onAir.getAttribute('aria-pressed')) === 'true') {
    await onAir.click() // start from off air, whatever ran before
    await page.locator('[data-testid="on-air"][aria-pressed="false"]').waitFor()
  }

  // the owner makes a share link
  await page.getByTestId('share-link').click()
  const urlField = page.getByTestId('share-link-url')
  await urlField.waitFor()
  assert.equal(await urlField.getAttribute('readonly'), '', 'the link field is read-only')
  const shareUrl = await urlField.inputValue()
  const prefix = `${BASE}/#/join/${encodeURIComponent(roomId)}/`
  assert.ok(shareUrl.startsWith(prefix) && shareUrl.length > prefix.length, `share link ${shareUrl}`)
  await page.getByTestId('share-panel').screenshot({ path: artifactPath('live-share.png') })

  const viewer = await openPage(browser, pageErrors, { label: 'viewer' })
  try {
    // signed out, the link leads to sign-in; signing up comes back to the link, which joins the room
    await viewer.goto(shareUrl)
    await viewer.waitForURL((u) => u.hash === '#/login')
    await viewer.locator('.notice-info', { hasText: 'join the room' }).waitFor()
    await submitSignUp(viewer, `watcher_${RUN}`)
    await viewer.waitForURL((u) => u.hash === `#/room/${encodeURIComponent(roomId)}`)
    await waitSynced(viewer)
    await viewer.waitForFunction(() => window.__reelroomLive?.pc?.connectionState === 'connected', null, { timeout: 30000 })
    assert.equal(await viewer.getByTestId('my-role').textContent(), 'viewer')
    assert.equal(await viewer.getByTestId('on-air').isVisible(), false, 'only the owner sees the on-air toggle')
    assert.equal(await viewer.getByTestId('share-link').isVisible(), false, 'only the owner can share')
    await page.locator(`[data-testid="member"][data-username="watcher_${RUN}"]`).waitFor()

    // read-only script, as in studio.test.mjs
    await viewer.getByTestId('view-only').waitFor()
    const content = firstShotPrompt(viewer)
    await content.waitFor()
    assert.equal(await content.getAttribute('contenteditable'), 'false')
    const before = await content.textContent()
    await content.click()
    await viewer.keyboard.type('VIEWER')
    await viewer.waitForTimeout(500)
    assert.equal(await content.textContent(), before, 'viewer text unchanged')
    assert.ok(!(await firstShotPrompt(page).textContent()).includes('VIEWER'), 'nothing reached the owner')

    // on air: the viewer sees the badge and, within 15 s, video: ≥ 8 frames decoded in some 2 s
    const badge = viewer.getByTestId('on-air-badge')
    assert.equal(await badge.isVisible(), false)
    await onAir.click()
    await badge.waitFor({ state: 'visible' })
    const samples = [] // [ms, framesDecoded]
    const t0 = Date.now()
    let best = 0
    while (Date.now() - t0 < 15000) {
      const now = Date.now()
      const n = await framesDecoded(viewer)
      samples.push([now, n])
      const old = samples.find(([t]) => now - t <= 2100)
      if (old && now - old[0] >= 1900) best = Math.max(best, n - old[1])
      if (best >= 8) break
      await viewer.waitForTimeout(250)
    }
    console.log(`live: viewer on air decoded ${best} frames in 2 s (${Date.now() - t0} ms after the badge)`)
    assert.ok(best >= 8, `the viewer decodes the on-air video (${best} frames in 2 s)`)
    assert.ok(await viewer.getByTestId('live-placeholder').isHidden(), 'the viewer’s placeholder is gone')
    await viewer.screenshot({ path: artifactPath('live-viewer.png') })

    await onAir.click()
    await badge.waitFor({ state: 'hidden' })
    // the owner's page hears the same broadcast as the viewer's, not necessarily first
    await page.waitForFunction(() => document.querySelector('[data-testid="on-air"]')?.getAttribute('aria-pressed') === 'false')
    assert.equal(await onAir.getAttribute('aria-pressed'), 'false')

    // a link with a bad token shows the server's reason and a way home
    await viewer.goto(`${prefix}not-a-real-token`)
    const refused = viewer.getByTestId('join-error')
    await refused.waitFor()
    assert.ok((await refused.textContent()).includes('not valid'), `join error: ${await refused.textContent()}`)
    await viewer.getByTestId('join-home').click()
    await viewer.waitForURL((u) => u.hash === '#/')
  } finally {
    await viewer.context().close()
  }
})

test('a bogus ticket gets no control socket and no WHEP stream', async () => {
  assert.ok(roomId, 'the first test created a room')
  for (const query of ['ticket=bogus&v=1', 'v=1']) {
    const outcome = await page.evaluate((url) => new Promise((resolve) => {
      const ws = new WebSocket(url)
      const messages = []
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello' }))
      ws.onmessage = (ev) => messages.push(String(ev.data))
      ws.onerror = () => resolve({ how: 'error', messages })
      ws.onclose = (ev) => resolve({ how: 'close', code: ev.code, messages })
      setTimeout(() => (ws.close(), resolve({ how: 'timeout', messages })), 5000)
    }), `${BASE.replace(/^http/, 'ws')}/control/${encodeURIComponent(roomId)}?${query}`)
    assert.notEqual(outcome.how, 'timeout', `${query}: the socket is refused`)
    assert.ok(!outcome.messages.some((m) => m.includes('"welcome"')), `${query}: no welcome (${outcome.messages})`)
  }

  // a real receive-only offer, so only the ticket is wrong
  const offer = await page.evaluate(async () => {
    const pc = new RTCPeerConnection({ iceServers: [] })
    pc.addTransceiver('video', { direction: 'recvonly' })
    const o = await pc.createOffer()
    pc.close()
    return o.sdp
  })
  const res = await fetch(`${BASE}/whep/${encodeURIComponent(roomId)}`, {
    method: 'POST',
    headers: { Authorization: 'Bearer bogus', 'Content-Type': 'application/sdp' },
    body: offer,
  })
  assert.equal(res.status, 401)
  const body = await res.json()
  assert.equal(body.code, 'unauthorized')
  assert.deepEqual(pageErrors, [])
})
