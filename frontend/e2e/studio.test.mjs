// Browser end-to-end test (playwright-core + Debian Chromium, no browser downloads): sign up through the UI,
// create a room, invite by username, co-edit a shot prompt with remote cursors, and check the viewer is read-only.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, RUN, artifactPath, createRoom, firstShotPrompt as prompt, launchBrowser, openPage, signUp, submitSignUp, waitSynced as synced } from './support/browser.mjs'

const names = { owner: `ann_${RUN}`, editor: `bob_${RUN}`, viewer: `val_${RUN}` }

let browser
const pages = {}
const pageErrors = []

const newPage = (label) => openPage(browser, pageErrors, { timeout: 15000, label })

before(async () => {
  browser = await launchBrowser({ autoplay: false })
  for (const role of ['owner', 'editor', 'viewer']) pages[role] = await newPage(role)
})

after(async () => {
  await browser?.close()
})

test('sign up three users through the UI; a taken name shows the server error', async () => {
  // the invitees sign up first so the owner can invite them by name
  await signUp(pages.editor, names.editor)
  await signUp(pages.viewer, names.viewer)
  await signUp(pages.owner, names.owner)

  const dup = await newPage('dup')
  await submitSignUp(dup, names.owner)
  const err = dup.locator('.notice-error')
  await err.waitFor()
  assert.ok((await err.textContent()).trim().length > 0, 'the 409 error message is shown')
  await dup.context().close()
})

let roomUrl
test('owner creates a room and invites an editor and a viewer', async () => {
  const page = pages.owner
  roomUrl = await createRoom(page, 'Desert chase')
  // the owner's first open of an empty script creates the first shot (createRoom waited for it) and the title
  await page.locator('[data-testid="room-title"] .cm-content', { hasText: 'Desert chase' }).waitFor()

  for (const [who, role] of [[names.editor, 'editor'], [names.viewer, 'viewer']]) {
    await page.getByTestId('invite-username').fill(who)
    await page.getByTestId('invite-role').selectOption(role)
    await page.getByTestId('invite-submit').click()
    await page.locator(`[data-testid="member"][data-username="${who}"]`).waitFor()
  }
})

test('owner and editor co-edit a prompt and see each other’s cursor', async () => {
  const editor = pages.editor
  await editor.goto(`${BASE}/#/`)
  await editor.reload()
  await editor.locator('[data-testid="room-item"]', { hasText: 'Desert chase' }).click()
  await editor.waitForURL(roomUrl)
  await synced(editor)

  await prompt(pages.owner).click()
  await pages.owner.keyboard.type('A lone rider crests a dune. ')
  await prompt(editor).click()
  await editor.keyboard.press('Control+End')
  await editor.keyboard.type('Golden hour, long lens.')
  // a couple more keystrokes from the owner, so both carets are current
  await pages.owner.keyboard.type('Dust.')

  for (const page of [pages.owner, editor]) {
    await page.waitForFunction(() => {
      const t = document.querySelector('[data-testid="shot"] .cm-content')?.textContent || ''
      return t.includes('A lone rider crests a dune.') && t.includes('Golden hour, long lens.') && t.includes('Dust.')
    })
  }
  // each sees the other's remote caret with their name label (y-codemirror.next)
  await pages.owner.locator('[data-testid="shot"] .cm-ySelectionCaret .cm-ySelectionInfo', { hasText: names.editor }).waitFor()
  await editor.locator('[data-testid="shot"] .cm-ySelectionCaret .cm-ySelectionInfo', { hasText: names.owner }).waitFor()
  // presence bar lists the other user
  await pages.owner.locator(`[data-testid="presence-user"][data-name="${names.editor}"]`).waitFor()
  await editor.locator(`[data-testid="presence-user"][data-name="${names.owner}"]`).waitFor()
  assert.equal(await editor.getByTestId('view-only').isVisible(), false)
  await pages.owner.screenshot({ path: artifactPath('studio.png') })
})

test('viewer sees the text but cannot type', async () => {
  const viewer = pages.viewer
  await viewer.goto(roomUrl)
  await synced(viewer)
  await viewer.getByTestId('view-only').waitFor()
  const content = prompt(viewer)
  await viewer.waitForFunction(() => (document.querySelector('[data-testid="shot"] .cm-content')?.textContent || '').includes('Golden hour'))
  assert.equal(await content.getAttribute('contenteditable'), 'false')
  const before = await content.textContent()
  await content.click()
  await viewer.keyboard.type('VIEWER')
  await viewer.waitForTimeout(500)
  assert.equal(await content.textContent(), before, 'viewer text unchanged')
  assert.ok(!(await prompt(pages.owner).textContent()).includes('VIEWER'), 'nothing reached the owner')
  for (const field of ['duration_s', 'seed', 'style']) assert.equal(await viewer.locator(`[data-testid="shot"] [data-field="${field}"]`).first().isDisabled(), true, `${field} input disabled`)
  assert.equal(await viewer.getByTestId('add-shot').isVisible(), false)
  await viewer.screenshot({ path: artifactPath('studio-viewer.png') })
})

test('shots: add, reorder, per-shot fields and settings sync between editors', async () => {
  const [owner, editor] = [pages.owner, pages.editor]
  const shots = (page) => page.locator('[data-testid="shot"]')
  await owner.getByTestId('add-shot').click()
  for (const page of [owner, editor]) await shots(page).nth(1).waitFor()
  await shots(owner).nth(1).locator('.cm-content').click()
  await owner.keyboard.type('Close-up on the compass.')
  await shots(editor).nth(1).locator('.cm-content', { hasText: 'Close-up on the compass.' }).waitFor()

  // move the new shot up: both clients see it first, with the same id and text
  const movedId = await shots(owner).nth(1).getAttribute('data-shot-id')
  await shots(owner).nth(1).getByTestId('shot-up').click()
  for (const page of [owner, editor]) {
    await page.locator('[data-testid="shot"]').first().locator('.cm-content', { hasText: 'Close-up on the compass.' }).waitFor()
    assert.equal(await shots(page).first().getAttribute('data-shot-id'), movedId)
    assert.equal(await shots(page).count(), 2)
  }

  // per-shot field and room setting round-trip
  const style = shots(editor).first().locator('[data-field="style"]')
  await style.fill('noir')
  await style.press('Enter')
  await owner.waitForFunction(() => document.querySelector('[data-testid="shot"] [data-field="style"]')?.value === 'noir')
  const steps = owner.locator('[data-setting="steps"]')
  await steps.fill('20')
  await steps.press('Enter')
  await editor.waitForFunction(() => document.querySelector('[data-setting="steps"]')?.value === '20')

  // remove the moved shot again
  await shots(editor).first().getByTestId('shot-remove').click()
  for (const page of [owner, editor]) await page.waitForFunction(() => document.querySelectorAll('[data-testid="shot"]').length === 1)
  assert.ok((await shots(owner).first().textContent()).includes('Golden hour'))
})

test('owner removes the viewer; the viewer is told and stops reconnecting', async () => {
  await pages.owner.locator(`[data-testid="member"][data-username="${names.viewer}"] button[aria-label^="Remove"]`).click()
  await pages.owner.locator(`[data-testid="member"][data-username="${names.viewer}"]`).waitFor({ state: 'detached' })
  await pages.viewer.locator('[data-testid="connection-status"][data-state="removed"]').waitFor()
  await pages.viewer.locator('.notice-error', { hasText: 'You were removed from this room' }).waitFor()
  await pages.viewer.waitForTimeout(1500)
  assert.equal(await pages.viewer.locator('[data-testid="connection-status"]').getAttribute('data-state'), 'removed')
})

test('owner demotes the editor to viewer; the editor UI turns read-only', async () => {
  await pages.owner.locator(`[data-testid="member"][data-username="${names.editor}"] select`).selectOption('viewer')
  await pages.editor.getByTestId('view-only').waitFor()
  await pages.editor.waitForFunction(() => document.querySelector('[data-testid="shot"] .cm-content')?.getAttribute('contenteditable') === 'false')
  assert.equal(await pages.editor.getByTestId('add-shot').isVisible(), false)
})

test('no uncaught page errors', () => {
  assert.deepEqual(pageErrors, [])
})
