// Browser end-to-end test of generation (playwright-core + Debian Chromium): write a prompt,
// press Generate, watch the progress, and play the finished draft clip — an H.264 MP4 streamed
// with range requests — checking its size and that the ball in it is red; then cancel a long job.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const BASE = process.env.REELROOM_URL
if (!BASE) throw new Error('REELROOM_URL is not set: run through scripts/with-server.mjs')
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts')
const RUN = Date.now().toString(36).slice(-5)
const PASSWORD = 'popcorn-and-film'

let browser
let page
const pageErrors = []

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  })
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } })
  page = await context.newPage()
  page.setDefaultTimeout(20000)
  page.on('pageerror', (e) => pageErrors.push(e.message))
})

after(async () => {
  await browser?.close()
})

const panel = () => page.getByTestId('generate-panel')

/** Presses Generate until the server takes a new job (an edit may still be on its way). */
async function generate() {
  const before = await panel().getAttribute('data-job-id')
  for (let attempt = 0; attempt < 20; attempt++) {
    await page.getByTestId('generate').click()
    try {
      await page.waitForFunction((b) => document.querySelector('[data-testid="generate-panel"]')?.dataset.jobId !== b, before, { timeout: 1500 })
      return
    } catch {
      // refused (e.g. the prompt had not reached the server yet): try again
    }
  }
  throw new Error('the server never took the job')
}

test('generate a clip from a prompt and play the draft', async () => {
  await page.goto(`${BASE}/#/login`)
  await page.getByTestId('tab-signup').click()
  await page.getByTestId('auth-username').fill(`gen_${RUN}`)
  await page.getByTestId('auth-password').fill(PASSWORD)
  await page.getByTestId('auth-submit').click()
  await page.getByTestId('new-room-title').fill('Red ball')
  await page.getByTestId('create-room').click()
  await page.waitForURL(/#\/room\//)
  await page.locator('[data-testid="connection-status"][data-state="synced"]').waitFor()
  await page.locator('[data-testid="shot"]').first().waitFor()
  await page.locator('[data-testid="shot"] .cm-content').first().click()
  await page.keyboard.type('a red ball bouncing on the floor')
  const duration = page.locator('[data-testid="shot"] [data-field="duration_s"]').first()
  await duration.fill('2')
  await duration.press('Tab')
  await page.waitForTimeout(300) // let the edit reach the server before generating

  await generate()
  await panel().and(page.locator('[data-phase="finished"]')).waitFor({ timeout: 90000 })
  assert.match(await page.getByTestId('job-status').textContent(), /Done/)
  assert.equal(await page.getByTestId('job-progress').evaluate((p) => p.value), 1)

  const video = page.getByTestId('clip-video')
  await video.waitFor()
  const seen = await video.evaluate(async (v) => {
    if (v.readyState < 2) await new Promise((ok, fail) => { v.onloadeddata = ok; v.onerror = () => fail(new Error('video error')) })
    v.pause()
    v.currentTime = 1.0
    await new Promise((ok) => { v.onseeked = ok })
    const c = document.createElement('canvas')
    c.width = v.videoWidth
    c.height = v.videoHeight
    const g = c.getContext('2d')
    g.drawImage(v, 0, 0)
    const px = g.getImageData(0, 0, c.width, c.height).data
    // Mean hue (circular) of saturated pixels: the object, not the muted background.
    let sx = 0, sy = 0, n = 0
    for (let i = 0; i < px.length; i += 4) {
      const [r, gg, b] = [px[i] / 255, px[i + 1] / 255, px[i + 2] / 255]
      const mx = Math.max(r, gg, b), mn = Math.min(r, gg, b), ch = mx - mn
      if (ch < 0.35) continue
      let hue = mx === r ? ((gg - b) / ch + 6) % 6 : mx === gg ? (b - r) / ch + 2 : (r - gg) / ch + 4
      hue *= Math.PI / 3
      sx += Math.cos(hue); sy += Math.sin(hue); n++
    }
    const hueDeg = ((Math.atan2(sy, sx) * 180) / Math.PI + 360) % 360
    return { width: v.videoWidth, height: v.videoHeight, duration: v.duration, objectPixels: n, hueDeg }
  })
  assert.equal(seen.width, 256)
  assert.equal(seen.height, 256)
  assert.ok(Math.abs(seen.duration - 2) < 0.3, `clip lasts ${seen.duration} s`)
  assert.ok(seen.objectPixels > 200, `an object is visible (${seen.objectPixels} px)`)
  assert.ok(seen.hueDeg < 20 || seen.hueDeg > 340, `the object is red (hue ${seen.hueDeg.toFixed(0)}°)`)
  await page.screenshot({ path: join(ARTIFACTS, 'generate.png') })
})

test('a long job can be cancelled', async () => {
  const duration = page.locator('[data-testid="shot"] [data-field="duration_s"]').first()
  await duration.fill('40')
  await duration.press('Tab')
  await page.waitForTimeout(300)
  await generate()
  await panel().and(page.locator('[data-phase="running"]')).waitFor({ timeout: 30000 })
  await page.getByTestId('cancel-job').click()
  await panel().and(page.locator('[data-phase="cancelled"]')).waitFor({ timeout: 30000 })
  assert.deepEqual(pageErrors, [])
})
