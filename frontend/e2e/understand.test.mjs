// Browser end-to-end test of the live prompt read-out (playwright-core + Debian Chromium): under a shot's
// prompt, the studio shows how the video model reads it as people type, flags the words it cannot read and
// shows the ones it corrected; requests are debounced and at most one is in flight per shot.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { RUN, artifactPath, createRoom, firstShotPrompt, launchBrowser, openPage, signUp } from './support/browser.mjs'

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

test('the understood line follows the prompt as it is typed', async (t) => {
  await signUp(page, `und_${RUN}`)
  await createRoom(page, 'Rooftop cat')

  // count the reads the studio asks for while someone types
  let requests = 0
  let inFlight = 0
  let maxInFlight = 0
  page.on('request', (r) => {
    if (!r.url().includes('/api/understand')) return
    requests++
    maxInFlight = Math.max(maxInFlight, ++inFlight)
  })
  const done = (r) => r.url().includes('/api/understand') && inFlight--
  page.on('requestfinished', done)
  page.on('requestfailed', done)

  const text = 'a cat dancing on a rooftop at sunset with a zorblax'
  await firstShotPrompt(page).click()
  await page.keyboard.type(text, { delay: 20 })

  const line = page.locator('[data-testid="shot"]').first().getByTestId('shot-understood')
  await line.locator('[data-testid="understood-summary"]', { hasText: 'dance' }).waitFor()
  const summary = await line.getByTestId('understood-summary').textContent()
  assert.ok(summary.includes('🐈'), `the cat is read: ${summary}`)
  assert.ok(summary.includes('dance') && summary.includes('rooftop') && summary.includes('sunset'), summary)
  const ignored = line.getByTestId('understood-ignored')
  await ignored.filter({ hasText: 'zorblax' }).waitFor()
  assert.equal(await ignored.first().getAttribute('title'), 'not understood')
  assert.equal(await ignored.first().evaluate((el) => el.tagName), 'S', 'struck through')
  await page.screenshot({ path: artifactPath('understood.png') })

  // typing ~50 keys 20 ms apart is one burst: a few reads, not one per key, never two at once
  t.diagnostic(`${requests} reads while typing, at most ${maxInFlight} in flight`)
  assert.ok(requests >= 1 && requests < text.length / 3, `${requests} reads while typing ${text.length} characters`)
  assert.ok(maxInFlight <= 1, `${maxInFlight} reads in flight at once`)

  // a misspelt word is shown corrected, and a fixed prompt drops the flag
  await page.keyboard.press('Control+a')
  await page.keyboard.type('an elefant swimming at night')
  await line.getByTestId('understood-corrected').filter({ hasText: 'elefant → elephant' }).waitFor()
  await line.locator('[data-testid="understood-summary"]', { hasText: 'swim' }).waitFor()
  assert.equal(await line.getByTestId('understood-ignored').count(), 0)

  // an empty prompt hides the line
  await page.keyboard.press('Control+a')
  await page.keyboard.press('Backspace')
  await line.waitFor({ state: 'hidden' })
})

test('no uncaught page errors', () => {
  assert.deepEqual(pageErrors, [])
})
