// Browser end-to-end test of "Check a video" (playwright-core + Debian Chromium): without signing in,
// a visitor picks a video file and the page shows the public detector's verdict with each signal.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { BASE, launchBrowser, openPage } from './support/browser.mjs'

let browser
let page
const pageErrors = []

before(async () => {
  browser = await launchBrowser({ autoplay: false })
  page = await openPage(browser, pageErrors)
})

after(async () => {
  await browser?.close()
})

test('a visitor checks a video that reelroom did not make', async () => {
  await page.goto(`${BASE}/#/check`)
  await page.getByTestId('check-drop').waitFor()
  // a phone-style recording of a face (H.264 MP4): no manifest of ours, no watermark
  const file = fileURLToPath(new URL('../../tests/fixtures/selfie-left-right.mp4', import.meta.url))
  await page.getByTestId('check-file').setInputFiles(file)
  const report = page.getByTestId('check-report')
  await report.waitFor({ timeout: 60000 })
  assert.equal(await report.getAttribute('data-verdict'), 'not_reelroom')
  assert.match(await page.getByTestId('check-c2pa').innerText(), /none/)
  assert.match(await page.getByTestId('check-watermark').innerText(), /not found · p = /)
  assert.deepEqual(pageErrors, [])
})
