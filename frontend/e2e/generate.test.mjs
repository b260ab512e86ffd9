// Browser end-to-end test of generation (playwright-core + Debian Chromium): write a prompt,
// press Generate, watch the progress, and play the finished draft clip — an H.264 MP4 streamed
// with range requests — checking its size and that the ball in it is red; then cancel a long job.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { RUN, artifactPath, createRoom, launchBrowser, objectColour, openPage, pressGenerate, setFirstShotDuration, submitSignUp, waitForJobPhase, writeFirstShot } from './support/browser.mjs'

let browser
let page
const pageErrors = []

before(async () => {
  browser = await launchBrowser()
  page = await openPage(browser, pageErrors)
})

after(async () => {
  await browser?.close()
})

test('generate a clip from a prompt and play the draft', async () => {
  await submitSignUp(page, `gen_${RUN}`)
  await createRoom(page, 'Red ball')
  await writeFirstShot(page, 'a red ball bouncing on the floor', 2)

  await pressGenerate(page)
  await waitForJobPhase(page, 'finished', 90000)
  assert.match(await page.getByTestId('job-status').textContent(), /Done/)
  assert.equal(await page.getByTestId('job-progress').evaluate((p) => p.value), 1)

  const video = page.getByTestId('clip-video')
  await video.waitFor()
  const frame = await video.evaluate(async (v) => {
    if (v.readyState < 2) await new Promise((ok, fail) => { v.onloadeddata = ok; v.onerror = () => fail(new Error('video error')) })
    v.pause()
    v.currentTime = 1.0
    await new Promise((ok) => { v.onseeked = ok })
    const c = document.createElement('canvas')
    c.width = v.videoWidth
    c.height = v.videoHeight
    const g = c.getContext('2d')
    g.drawImage(v, 0, 0)
    return { width: v.videoWidth, height: v.videoHeight, duration: v.duration, rgba: g.getImageData(0, 0, c.width, c.height).data }
  })
  // Mean hue (circular) of saturated pixels: the object, not the muted background.
  const seen = { ...frame, ...objectColour(frame.rgba) }
  assert.equal(seen.width, 256)
  assert.equal(seen.height, 256)
  assert.ok(Math.abs(seen.duration - 2) < 0.3, `clip lasts ${seen.duration} s`)
  assert.ok(seen.objectPixels > 200, `an object is visible (${seen.objectPixels} px)`)
  assert.ok(seen.hueDeg < 20 || seen.hueDeg > 340, `the object is red (hue ${seen.hueDeg.toFixed(0)}°)`)
  await page.screenshot({ path: artifactPath('generate.png') })
})

test('a long job can be cancelled', async () => {
  await setFirstShotDuration(page, 40)
  await pressGenerate(page)
  await waitForJobPhase(page, 'running', 30000)
  await page.getByTestId('cancel-job').click()
  await waitForJobPhase(page, 'cancelled', 30000)
  assert.deepEqual(pageErrors, [])
})
