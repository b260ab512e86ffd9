// Browser end-to-end test of cameos (playwright-core + Debian Chromium with a fake camera playing a .y4m that
// `reelroom avatar-fixture` animates to follow the challenge): A records a selfie through the real
// MediaRecorder and gets an avatar with crops; B cannot cast it while it is "only me", casts it once A
// lets everyone (and sees A's rules) and generates a clip casting A, which A sees among the uses (with its
// signed consent record), is notified of, reports and deletes (B is notified); after A revokes it, B
// cannot cast it and is refused generation (and takes it out of the shot again); a still photo fails
// the head-turn check. REELROOM_SAVE_FIXTURE=1 also saves the genuine Chrome recording to
// media/tests/fixtures/chrome-vp8.webm.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  BASE,
  RUN,
  artifactPath,
  cameraFlags,
  createRoom,
  firstShotPrompt,
  launchBrowser,
  openPage,
  pressGenerate,
  setFirstShotDuration,
  signUp,
  waitForJobPhase,
  waitSynced,
} from './support/browser.mjs'

const BIN = resolve(process.env.REELROOM_BIN || '/root/.cache/reelroom/target/debug/reelroom')
const FIXTURE = fileURLToPath(new URL('../../media/tests/fixtures/chrome-vp8.webm', import.meta.url))
const MAX_FIXTURE_BYTES = 400 * 1024
const names = { a: `cam_a_${RUN}`, b: `cam_b_${RUN}`, c: `cam_c_${RUN}` }
const GENERATE_TIMEOUT = 150000

let browser
const pages = {}
const pageErrors = []
const camBrowsers = []
const scratch = mkdtempSync(join(tmpdir(), 'reelroom-cameo-'))

before(async () => {
  browser = await launchBrowser({ autoplay: false })
  for (const who of ['a', 'b', 'c']) pages[who] = await openPage(browser, pageErrors, { label: who })
})

after(async () => {
  for (const b of camBrowsers) await b.close().catch(() => {})
  await browser?.close()
  rmSync(scratch, { recursive: true, force: true })
})

/** A fresh challenge for the user signed in on `page`, asked for through the page (its cookie, its origin). */
async function challengeFor(page) {
  const answer = await page.evaluate(async () => {
    const res = await fetch('/api/avatars/challenge', { method: 'POST', headers: { Accept: 'application/json' } })
    return { status: res.status, body: await res.text() }
  })
  assert.equal(answer.status, 200, `POST /api/avatars/challenge answered ${answer.status}: ${answer.body}`)
  const challenge = JSON.parse(answer.body)
  assert.ok(challenge.id && Array.isArray(challenge.steps) && challenge.steps.length > 0, `a challenge with steps: ${answer.body}`)
  return challenge
}

/** The head pose the fixture shows for each step (saying digits faces the camera). */
const POSES = { look_center: 'center', turn_left: 'left', turn_right: 'right', say_digits: 'center' }

/** Writes a .y4m whose face follows `steps` (or stays still) with the server binary; returns its path. */
function makeFixture(name, steps, { still = false } = {}) {
  const out = join(scratch, `${name}.y4m`)
  const poses = steps.map((s) => POSES[s.kind] ?? 'center').join(',')
  const args = ['avatar-fixture', '--steps', poses, '--out', out, ...(still ? ['--still'] : [])]
  try {
    execFileSync(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 })
  } catch (e) {
    throw new Error(`${BIN} ${args.join(' ')} failed: ${e.stderr?.toString() || e.message}`)
  }
  return out
}

/**
 * Records a selfie as the user signed in on `owner`: a Chromium whose camera plays `y4m`, signed in with
 * the owner's cookies, opens the avatar page and presses "Make your avatar"; the page's own request for a
 * challenge is answered with `challenge` (the one the y4m follows). Returns the recording page once the
 * upload is done.
 */
async function recordSelfie(owner, challenge, y4m, label) {
  const cam = await launchBrowser({ args: cameraFlags(y4m) })
  camBrowsers.push(cam)
  const context = await cam.newContext({ viewport: { width: 1360, height: 900 }, storageState: await owner.context().storageState() })
  const page = await context.newPage()
  page.setDefaultTimeout(20000)
  page.on('pageerror', (e) => pageErrors.push(`${label}: ${e.message}`))
  await page.route('**/api/avatars/challenge', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(challenge) }))
  // the uploaded recording, read off the request (the page's CSP keeps fetch() away from blob: URLs)
  let uploaded = null
  await page.route('**/api/avatars', async (route) => {
    const req = route.request()
    if (req.method() === 'POST') uploaded = videoPart(await req.headerValue('content-type'), req.postDataBuffer() ?? Buffer.alloc(0))
    await route.continue()
  })
  await page.goto(`${BASE}/#/avatar`)
  await page.getByTestId('make-avatar').click()
  const enrol = page.getByTestId('enrol')
  await page.locator('[data-testid="enrol"][data-state="recording"]').waitFor()
  assert.equal(await enrol.getAttribute('data-steps'), challenge.steps.map((s) => s.kind).join(','), 'the page shows the challenge’s steps')
  await page.locator('[data-testid="enrol"]:is([data-state="uploaded"], [data-state="error"])').waitFor({ state: 'attached', timeout: 60000 })
  if ((await enrol.getAttribute('data-state')) === 'error') assert.fail(`recording or upload failed: ${await enrol.locator('.notice-error').textContent()}`)
  assert.ok(uploaded, 'the upload was seen')
  return { page, uploaded }
}

/** Waits until the newest avatar panel is no longer processing; returns its status. */
async function settled(page) {
  const panel = page.getByTestId('avatar-panel').first()
  await page.locator('[data-testid="avatar-panel"]:is([data-status="ready"], [data-status="failed"])').first().waitFor({ timeout: 120000 })
  return { panel, status: await panel.getAttribute('data-status') }
}

/** The `video` part of a multipart/form-data body. */
function videoPart(contentType, body) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '')
  assert.ok(boundary, `a multipart upload (${contentType})`)
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`)
  for (let at = body.indexOf(sep); at >= 0; ) {
    const next = body.indexOf(sep, at + sep.length)
    if (next < 0) break
    const part = body.subarray(at + sep.length, next)
    const headEnd = part.indexOf('\r\n\r\n')
    if (/name="video"/.test(part.subarray(0, headEnd).toString('latin1'))) return part.subarray(headEnd + 4, part.length - 2) // drop the CRLF before the boundary
    at = next
  }
  assert.fail('the upload has no `video` part')
}

/** Opens the first shot's Cast menu afresh and waits for its list (or its "none" line). */
async function openCastMenu(page) {
  const shot = page.locator('[data-testid="shot"]').first()
  const menu = shot.getByTestId('cast-menu')
  if (await menu.isVisible()) await shot.getByTestId('cast-open').click()
  await shot.getByTestId('cast-open').click()
  await menu.locator(':is([data-testid="castable"], [data-testid="castable-empty"])').first().waitFor()
  return menu
}

test('sign up three people', async () => {
  await signUp(pages.a, names.a)
  await signUp(pages.b, names.b)
  await signUp(pages.c, names.c)
  // the avatar page is in the nav
  await pages.a.getByTestId('nav-avatar').click()
  await pages.a.getByTestId('avatar-page').waitFor()
  await pages.a.getByTestId('make-avatar').waitFor()
})

test('A records a selfie that follows the challenge and gets an avatar with crops', async () => {
  const challenge = await challengeFor(pages.a)
  const y4m = makeFixture('follows', challenge.steps)
  const { page: recPage, uploaded: bytes } = await recordSelfie(pages.a, challenge, y4m, 'a-camera')

  const recording = recPage.getByTestId('recording')
  assert.equal(await recording.getAttribute('data-mime'), 'video/webm;codecs=vp8', 'Chromium records WebM VP8')
  assert.equal(Number(await recording.getAttribute('data-bytes')), bytes.length, 'the whole recording was uploaded')
  assert.equal(bytes.subarray(0, 4).toString('hex'), '1a45dfa3', 'the upload is a WebM (EBML) file')
  assert.ok(bytes.length < MAX_FIXTURE_BYTES, `a short low-bitrate recording (${bytes.length} bytes)`)
  if (process.env.REELROOM_SAVE_FIXTURE === '1') {
    mkdirSync(dirname(FIXTURE), { recursive: true })
    writeFileSync(FIXTURE, bytes)
    console.log(`saved the Chrome recording (${bytes.length} bytes) to ${FIXTURE}`)
  }

  const { panel, status } = await settled(recPage)
  if (status !== 'ready') {
    const detail = await panel.getByTestId('avatar-failure-detail').textContent().catch(() => '')
    assert.fail(`the avatar failed (${await panel.getAttribute('data-reason')}): ${await panel.getByTestId('avatar-failure').textContent()} ${detail}`)
  }
  const crops = panel.getByTestId('avatar-crop')
  assert.ok((await crops.count()) >= 1, 'crops are shown')
  await crops.first().evaluate((img) => (img.complete && img.naturalWidth ? null : new Promise((ok, fail) => ((img.onload = ok), (img.onerror = () => fail(new Error(`crop ${img.src} did not load`)))))))
  assert.ok((await crops.first().evaluate((img) => img.naturalWidth)) > 0, 'the first crop is a real image')
  assert.equal(await panel.getByTestId('avatar-handle').textContent(), `@${names.a}`)
  // the defaults and honest notes
  assert.equal(await panel.getByTestId('audience-only_me').isChecked(), true, '"Only me" is the default')
  assert.match(await panel.getByTestId('honest-notes').textContent(), /not certified anti-spoofing/)
  assert.match(await panel.getByTestId('honest-notes').textContent(), /an avatar based on your look/)
  assert.equal(await recPage.getByTestId('enrol').isVisible(), false, 'no second recorder while an avatar exists')
  await recPage.screenshot({ path: artifactPath('cameo-ready.png'), fullPage: true })
})

let roomB
test('B cannot cast A’s avatar while it is "only me"', async () => {
  await pages.b.goto(`${BASE}/#/`)
  roomB = await createRoom(pages.b, 'Cameo scene')
  const menu = await openCastMenu(pages.b)
  assert.equal(await menu.locator(`[data-testid="castable"][data-handle="${names.a}"]`).count(), 0)
})

test('A lets everyone cast it (behind a warning); B sees it with A’s rules and casts it', async () => {
  const page = pages.a
  // A's first tab still shows the page as it was before the recording: open it afresh
  await page.goto(`${BASE}/#/`)
  await page.getByTestId('nav-avatar').click()
  const panel = page.locator('[data-testid="avatar-panel"][data-status="ready"]')
  await panel.waitFor()
  await panel.getByTestId('audience-everyone').check()
  await panel.getByTestId('everyone-warning').waitFor()
  assert.equal(await panel.getByTestId('save-permissions').isDisabled(), true, 'saving "Everyone" waits for "I understand"')
  await panel.getByTestId('everyone-confirm').check()
  await panel.getByTestId('avatar-rules').fill('Keep me in the background, no villains.')
  await panel.getByTestId('save-permissions').click()
  await panel.locator('[data-testid="avatar-permissions"][data-saved-who="everyone"]').waitFor()

  const b = pages.b
  const menu = await openCastMenu(b)
  const item = menu.locator(`[data-testid="castable"][data-handle="${names.a}"]`)
  await item.waitFor()
  assert.match(await item.getByTestId('castable-rules').textContent(), /Keep me in the background/)
  await item.getByTestId('cast-add').click()
  const chip = b.locator(`[data-testid="shot"] [data-testid="cast-chip"][data-handle="${names.a}"]`).first()
  await chip.waitFor()
  await b.waitForFunction((handle) => (document.querySelector('[data-testid="shot"] .cm-content')?.textContent || '').includes(`@${handle}`), names.a)
  await b.screenshot({ path: artifactPath('cameo-cast.png') })
})

/** Opens the avatar page afresh (a tab already there shows the list as it was). */
async function openAvatarPage(page) {
  await page.goto(`${BASE}/#/`)
  await page.getByTestId('nav-avatar').click()
  await page.getByTestId('avatar-page').waitFor()
}

/** Opens the top bar's notifications and waits for one of `kind`. */
async function waitForNotice(page, kind) {
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.reload()
    await page.getByTestId('notif-button').click()
    const notice = page.locator(`[data-testid="notif-list"] [data-testid="notif"][data-kind="${kind}"]`)
    try {
      await notice.first().waitFor({ timeout: 1500 })
      return notice.first()
    } catch {
      // not yet
    }
  }
  assert.fail(`no "${kind}" notification`)
}

test('B generates and posts a clip casting A: A sees it among the uses, is notified, reports it and deletes it', async () => {
  const b = pages.b
  await waitSynced(b)
  await setFirstShotDuration(b, 1)
  await pressGenerate(b)
  const panel = b.getByTestId('generate-panel')
  await b.locator('[data-testid="generate-panel"]:is([data-phase="finished"], [data-phase="failed"])').waitFor({ timeout: GENERATE_TIMEOUT })
  if ((await panel.getAttribute('data-phase')) !== 'finished') assert.fail(`generation failed: ${await b.getByTestId('job-status').textContent()}`)
  await b.locator('[data-testid="post-clip"]:not([disabled])').waitFor()
  await b.getByTestId('post-clip').click()
  await b.getByTestId('post-title').fill(`Cameo ${RUN}`)
  await b.getByTestId('post-submit').click()
  await b.waitForURL(/#\/clip\//)
  const clipId = decodeURIComponent(/#\/clip\/([^/?#]+)/.exec(b.url())[1])
  assert.equal(await b.getByTestId('report-likeness').count(), 0, 'no likeness report on one’s own clip')

  // A: notified, and the clip is listed among the uses with who cast it
  const a = pages.a
  const notice = await waitForNotice(a, 'cast')
  assert.ok((await notice.textContent()).length > 0)
  await openAvatarPage(a)
  const use = a.locator(`[data-testid="avatar-use"][data-clip-id="${clipId}"]`)
  await use.waitFor()
  assert.match(await use.textContent(), new RegExp(`@${names.b}`))
  await use.getByTestId('show-grant').click()
  await use.locator('[data-testid="grant"][data-verified="true"]').waitFor()

  // A reports it from its page: it is A's likeness, so it is hidden at once
  await a.goto(`${BASE}/#/clip/${encodeURIComponent(clipId)}`)
  await a.getByTestId('report-likeness').click()
  await a.getByTestId('report-details').fill('I let people cast me, not this.')
  await a.getByTestId('report-send').click()
  const receipt = a.getByTestId('report-receipt')
  await receipt.waitFor()
  assert.equal(await receipt.getAttribute('data-status'), 'hidden', await receipt.textContent())

  // …and deletes it from the avatar page
  await openAvatarPage(a)
  const row = a.locator(`[data-testid="avatar-use"][data-clip-id="${clipId}"]`)
  await row.getByTestId('delete-use').click()
  await row.getByTestId('delete-use-confirm').click()
  await a.locator(`[data-testid="avatar-use"][data-clip-id="${clipId}"][data-state="removed"]`).waitFor()
  await a.screenshot({ path: artifactPath('cameo-uses.png'), fullPage: true })

  // B is told
  await waitForNotice(b, 'use_removed')
})

test('A revokes it: B may no longer cast it, and generating with it is refused', async () => {
  await openAvatarPage(pages.a)
  const panel = pages.a.locator('[data-testid="avatar-panel"]').first()
  await panel.getByTestId('revoke-avatar').click()
  await pages.a.locator('[data-testid="avatar-panel"][data-status="revoked"]').waitFor()
  await pages.a.getByTestId('avatar-revoked').waitFor()

  const b = pages.b
  await b.goto(roomB)
  await waitSynced(b)
  const menu = await openCastMenu(b)
  assert.equal(await menu.locator(`[data-testid="castable"][data-handle="${names.a}"]`).count(), 0, 'a revoked avatar is not castable')
  await b.keyboard.press('Escape')
  await b.locator(`[data-testid="cast-chip"][data-handle="${names.a}"].not-castable`).first().waitFor()

  // the shot still casts it: the server refuses to generate and the page says so
  await waitSynced(b)
  await firstShotPrompt(b).click()
  await b.keyboard.press('Control+End')
  await b.keyboard.type(' walks into the room.')
  await b.waitForTimeout(500) // let the edit reach the server
  await b.getByTestId('generate').click()
  try {
    await b.getByTestId('avatar-refused').waitFor({ timeout: 20000 })
  } catch (e) {
    const phase = await b.getByTestId('generate-panel').getAttribute('data-phase')
    if (phase === 'queued' || phase === 'running') await b.getByTestId('cancel-job').click().catch(() => {})
    throw new Error(`no avatar_not_permitted refusal shown (job phase ${phase}; status "${await b.getByTestId('job-status').textContent()}")`, { cause: e })
  }
  assert.match(await b.getByTestId('avatar-refused').textContent(), /Not generated/)
  await b.locator(`[data-testid="cast-chip"][data-handle="${names.a}"][data-refused="true"]`).first().waitFor()
  await b.screenshot({ path: artifactPath('cameo-refused.png') })

  // taking the chip off uncasts the avatar and takes @handle out of the prompt
  await b.locator(`[data-testid="cast-chip"][data-handle="${names.a}"]`).first().getByTestId('cast-remove').click()
  await b.locator(`[data-testid="cast-chip"][data-handle="${names.a}"]`).waitFor({ state: 'detached' })
  await b.waitForFunction((handle) => {
    const text = document.querySelector('[data-testid="shot"] .cm-content')?.textContent || ''
    return !text.includes(`@${handle}`) && text.includes('walks into the room.')
  }, names.a)
})

test('a still photo does not follow the head turns: the avatar fails with challenge_not_followed', async () => {
  const challenge = await challengeFor(pages.c)
  const y4m = makeFixture('still', challenge.steps, { still: true })
  const { page } = await recordSelfie(pages.c, challenge, y4m, 'c-camera')
  const { panel, status } = await settled(page)
  assert.equal(status, 'failed')
  assert.equal(await panel.getAttribute('data-reason'), 'challenge_not_followed')
  const failure = panel.getByTestId('avatar-failure')
  assert.equal(await failure.getAttribute('data-reason'), 'challenge_not_followed')
  assert.match(await failure.textContent(), /head turns did not match/)
  // the recorder offers another try
  await page.getByTestId('make-avatar').waitFor()
  await page.screenshot({ path: artifactPath('cameo-failed.png'), fullPage: true })
})

test('no uncaught page errors', () => {
  assert.deepEqual(pageErrors, [])
})
