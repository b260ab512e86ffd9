// Shared set-up for the browser end-to-end tests (playwright-core + Debian Chromium, no browser downloads):
// the run's constants (server URL, Chromium path, artifacts folder, run id, password), a headless Chromium
// launch (optionally with a fake camera), a page that records uncaught errors, the UI steps the tests
// share (sign up, create a room, write the first shot, press Generate, wait for a job phase) and the
// colour of the object in a video frame.
// Not a test file itself: `node --test e2e/` only runs *.test.mjs.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const BASE = process.env.REELROOM_URL
if (!BASE) throw new Error('REELROOM_URL is not set: run through scripts/with-server.mjs')
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
/** Screenshots go here (git ignores it). */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts', import.meta.url))
/** A short id for this run, so usernames do not clash with earlier runs against the same server. */
export const RUN = Date.now().toString(36).slice(-5)
export const PASSWORD = 'popcorn-and-film'

/** Where a screenshot named `name` is saved. */
export const artifactPath = (name) => join(ARTIFACTS, name)

const BASE_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
// WebRTC on loopback only (shared/research/webrtc-media.md §5.2): both flags are needed
const WEBRTC_FLAGS = ['--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns']

/** A fake camera that plays `y4m` (looping) and is granted without asking (shared/research/webrtc-media.md §5.2). */
export const cameraFlags = (y4m) => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`]

/**
 * Makes the artifacts folder and launches headless Chromium. `autoplay` lets videos play without a
 * user gesture; `webrtc` allows peer connections on loopback with real (not mDNS) local addresses;
 * `args` adds flags (a fake camera: `cameraFlags`).
 */
export async function launchBrowser({ autoplay = true, webrtc = false, args = [] } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...BASE_FLAGS, ...(autoplay ? ['--autoplay-policy=no-user-gesture-required'] : []), ...(webrtc ? WEBRTC_FLAGS : []), ...args],
  })
}

/**
 * A page in a fresh context (its own cookies), 1360×900, whose uncaught errors are pushed onto
 * `pageErrors` (prefixed with `label: ` when a label is given).
 */
export async function openPage(browser, pageErrors, { timeout = 20000, label } = {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(timeout)
  page.on('pageerror', (e) => pageErrors.push(label === undefined ? e.message : `${label}: ${e.message}`))
  return page
}

/** Fills in and submits the sign-up form; does not wait for the outcome. */
export async function submitSignUp(page, username) {
  await page.goto(`${BASE}/#/login`)
  await page.getByTestId('tab-signup').click()
  await page.getByTestId('auth-username').fill(username)
  await page.getByTestId('auth-password').fill(PASSWORD)
  await page.getByTestId('auth-submit').click()
}

/** Signs up through the UI and waits until the top bar shows the new user. */
export async function signUp(page, username) {
  await submitSignUp(page, username)
  await page.getByTestId('current-user').filter({ hasText: username }).waitFor()
}

/** Waits until the room's script is synced with the server. */
export const waitSynced = (page) => page.locator('[data-testid="connection-status"][data-state="synced"]').waitFor()

/** The prompt editor of the first shot. */
export const firstShotPrompt = (page) => page.locator('[data-testid="shot"] .cm-content').first()

/**
 * Creates a room from the rooms page, opens it and waits until its script is synced and shows its
 * first shot (the owner's first open of an empty script creates it). Returns the room's URL as it
 * was on arrival.
 */
export async function createRoom(page, title) {
  await page.getByTestId('new-room-title').fill(title)
  await page.getByTestId('create-room').click()
  await page.waitForURL(/#\/room\//)
  const url = page.url()
  await waitSynced(page)
  await page.locator('[data-testid="shot"]').first().waitFor()
  return url
}

/** Sets the first shot's duration and gives the edit time to reach the server. */
export async function setFirstShotDuration(page, seconds) {
  const duration = page.locator('[data-testid="shot"] [data-field="duration_s"]').first()
  await duration.fill(String(seconds))
  await duration.press('Tab')
  await page.waitForTimeout(300) // let the edit reach the server before generating
}

/** Types `prompt` into the first shot and sets its duration (see setFirstShotDuration). */
export async function writeFirstShot(page, prompt, seconds) {
  await firstShotPrompt(page).click()
  await page.keyboard.type(prompt)
  await setFirstShotDuration(page, seconds)
}

/** The studio's Generate panel; `data-job-id` and `data-phase` describe the latest job. */
export const generatePanel = (page) => page.getByTestId('generate-panel')

/** Presses Generate until the server takes a new job (an edit may still be on its way). */
export async function pressGenerate(page) {
  const before = await generatePanel(page).getAttribute('data-job-id')
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

/** Waits until the Generate panel shows the job in `phase` (queued, running, finished, cancelled, …). */
export const waitForJobPhase = (page, phase, timeout) => generatePanel(page).and(page.locator(`[data-phase="${phase}"]`)).waitFor({ timeout })

/**
 * The object in a frame, from its RGBA bytes (a canvas's getImageData().data): the saturated pixels
 * (chroma ≥ 0.35), not the muted background. Returns how many there are, their mean hue in degrees
 * (circular mean, 0 when there are none) and their mean [r, g, b] in 0…1.
 */
export function objectColour(rgba) {
  let sx = 0, sy = 0, n = 0, sr = 0, sg = 0, sb = 0
  for (let i = 0; i < rgba.length; i += 4) {
    const [r, gg, b] = [rgba[i] / 255, rgba[i + 1] / 255, rgba[i + 2] / 255]
    const mx = Math.max(r, gg, b), mn = Math.min(r, gg, b), ch = mx - mn
    if (ch < 0.35) continue
    let hue = mx === r ? ((gg - b) / ch + 6) % 6 : mx === gg ? (b - r) / ch + 2 : (r - gg) / ch + 4
    hue *= Math.PI / 3
    sx += Math.cos(hue); sy += Math.sin(hue); n++
    sr += r; sg += gg; sb += b
  }
  return {
    objectPixels: n,
    hueDeg: ((Math.atan2(sy, sx) * 180) / Math.PI + 360) % 360,
    rgb: n ? [sr / n, sg / n, sb / n] : [0, 0, 0],
  }
}
