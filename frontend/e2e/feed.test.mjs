// Browser end-to-end test of the social feed (playwright-core + Debian Chromium), two people in two
// browser contexts: A generates a clip and posts it; B finds it in the Latest feed (its preview
// plays, its poster is set) and remixes it: the new room has A's prompt; B generates and posts the
// remix, whose clip page says "remixed from @A" and draws the chain A → B as a tree, as A sees it
// too; A likes B's post; B follows A from A's profile and finds A's post in the Following feed.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, RUN, artifactPath, createRoom, firstShotPrompt, launchBrowser, openPage, pressGenerate, signUp, waitForJobPhase, waitSynced, writeFirstShot } from './support/browser.mjs'

const PROMPT = 'a red ball bouncing on the floor'
const A = `feed_a_${RUN}`
const B = `feed_b_${RUN}`
const ROOM_A = `Bouncing ball ${RUN}`
const TITLE_A = `Red ball ${RUN}`
const TITLE_B = `Red ball, remixed ${RUN}`
const GENERATE_TIMEOUT = 180000

let browser
let pageA
let pageB
let clipA
let clipB
const pageErrors = []

before(async () => {
  browser = await launchBrowser()
  pageA = await openPage(browser, pageErrors, { label: 'A' })
  pageB = await openPage(browser, pageErrors, { label: 'B' })
})

after(async () => {
  await browser?.close()
})

/** The clip id in a `#/clip/<id>` URL. */
const clipIdOf = (url) => decodeURIComponent(/#\/clip\/([^/?#]+)/.exec(url)[1])

/** The feed card of the post titled `title`. */
const cardTitled = (page, title) => page.getByTestId('post-card').filter({ has: page.getByTestId('post-title').filter({ hasText: title }) })

/** Opens the Post form for the finished draft, posts it with `title` (public) and waits for its clip page; returns the clip id. */
async function postDraft(page, title) {
  await page.locator('[data-testid="post-clip"]:not([disabled])').waitFor()
  await page.getByTestId('post-clip').click()
  const titleField = page.getByTestId('post-title')
  await titleField.waitFor()
  const suggested = await titleField.inputValue()
  assert.equal(await page.getByTestId('post-visibility').inputValue(), 'public', 'posts are public unless chosen otherwise')
  await titleField.fill(title)
  await page.getByTestId('post-caption').fill(`Made in the e2e run ${RUN}`)
  await page.getByTestId('post-submit').click()
  await page.waitForURL(/#\/clip\//)
  await page.getByTestId('clip-title').filter({ hasText: title }).waitFor()
  return { id: clipIdOf(page.url()), suggested }
}

/** On a clip page: waits for the remix tree and checks it is A's clip with B's remix below it, `current` highlighted. */
async function checkChain(page, current) {
  const tree = page.getByTestId('lineage-tree')
  const nodeA = tree.locator(`[data-testid="lineage-node"][data-clip-id="${clipA}"]`)
  const nodeB = tree.locator(`[data-testid="lineage-node"][data-clip-id="${clipB}"]`)
  await nodeA.waitFor()
  await nodeB.waitFor()
  assert.equal(await tree.locator('[data-testid="lineage-node"]').count(), 2, 'the chain is the two clips')
  // B's node sits in the list under A's: the remix hangs below its source
  assert.equal(await tree.locator(`li:has(> [data-clip-id="${clipA}"]) > ul > li > [data-clip-id="${clipB}"]`).count(), 1, 'B is nested under A')
  for (const [node, id, title, author] of [[nodeA, clipA, TITLE_A, A], [nodeB, clipB, TITLE_B, B]]) {
    assert.equal(await node.getAttribute('data-state'), 'posted')
    assert.equal(await node.locator('a').getAttribute('href'), `#/clip/${id}`, 'a posted node links to its clip page')
    const text = await node.textContent()
    assert.ok(text.includes(title) && text.includes(`@${author}`), `node shows title and author: ${text}`)
  }
  const currentNode = current === clipA ? nodeA : nodeB
  const otherNode = current === clipA ? nodeB : nodeA
  assert.equal(await currentNode.getAttribute('data-current'), 'true', 'the clip shown is highlighted')
  assert.equal(await otherNode.getAttribute('data-current'), null)
}

test('A generates a clip and posts it', async () => {
  await signUp(pageA, A)
  await createRoom(pageA, ROOM_A)
  await writeFirstShot(pageA, PROMPT, 2)
  assert.equal(await pageA.getByTestId('post-clip').isVisible(), false, 'nothing to post before generating')
  await pressGenerate(pageA)
  await waitForJobPhase(pageA, 'finished', GENERATE_TIMEOUT)
  const posted = await postDraft(pageA, TITLE_A)
  clipA = posted.id
  assert.equal(posted.suggested, ROOM_A, 'the room title is the suggested post title')

  // the clip page: the video, the author, and a chain of one
  assert.equal(await pageA.getByTestId('post-author').getAttribute('href'), `#/u/${A}`)
  assert.ok((await pageA.getByTestId('post-author').textContent()).endsWith(`@${A}`))
  assert.equal(await pageA.getByTestId('remixed-from').count(), 0, 'an original is remixed from nobody')
  assert.ok((await pageA.getByTestId('clip-player').getAttribute('src')).length > 0)
  await pageA.locator(`[data-testid="lineage-node"][data-clip-id="${clipA}"][data-current="true"]`).waitFor()
  assert.equal(await pageA.getByTestId('lineage-node').count(), 1)
  await pageA.getByTestId('delete-post').waitFor() // the author may remove it
})

test('B sees the post in Latest and its preview plays', async () => {
  assert.ok(clipA, 'A posted a clip')
  await signUp(pageB, B)
  await pageB.getByTestId('nav-feed').click()
  await pageB.waitForURL((u) => u.hash === '#/feed')
  await pageB.getByTestId('feed-tab-latest').click()
  await pageB.waitForURL((u) => u.hash === '#/feed/latest')
  const card = cardTitled(pageB, TITLE_A)
  await card.waitFor()
  assert.equal(await card.getAttribute('data-post-id'), clipA)
  assert.ok((await card.getByTestId('post-author').textContent()).endsWith(`@${A}`))
  assert.equal(await card.getByTestId('post-title').getAttribute('href'), `#/clip/${clipA}`)
  assert.equal(await card.getByTestId('like-count').textContent(), '0')

  const video = card.getByTestId('post-video')
  const poster = await video.getAttribute('poster')
  assert.ok(poster && poster.length > 0, 'the preview has a poster')
  const posterRes = await pageB.request.get(new URL(poster, BASE).href)
  assert.equal(posterRes.status(), 200, `GET ${poster}`)
  assert.match(posterRes.headers()['content-type'] ?? '', /image\/png/)
  await pageB.waitForFunction((id) => {
    const v = document.querySelector(`[data-testid="post-card"][data-post-id="${id}"] video`)
    return v && v.readyState >= 2 && !v.paused && v.currentTime > 0
  }, clipA, { timeout: 20000 })
  const state = await video.evaluate((v) => ({ muted: v.muted, loop: v.loop, src: v.currentSrc }))
  assert.ok(state.muted && state.loop, 'the preview is a muted loop')
  assert.match(state.src, /\/preview/, `the card plays the preview (${state.src})`)
  await pageB.screenshot({ path: artifactPath('feed-latest.png') })
})

test('B remixes the post, generates and posts the remix', async () => {
  const card = cardTitled(pageB, TITLE_A)
  await card.getByTestId('remix-button').click()
  const strength = card.getByTestId('remix-strength')
  await strength.waitFor()
  assert.equal(Number(await strength.inputValue()), 0.6, 'the default remix strength')
  await card.getByTestId('remix-confirm').click()
  await pageB.waitForURL(/#\/room\//)
  await waitSynced(pageB)
  assert.equal(await pageB.getByTestId('my-role').textContent(), 'owner', 'the remix room is B’s')
  await pageB.waitForFunction((p) => document.querySelector('[data-testid="shot"] .cm-content')?.textContent === p, PROMPT)
  assert.equal(await firstShotPrompt(pageB).textContent(), PROMPT, 'the remix starts from A’s script')

  await pressGenerate(pageB)
  await waitForJobPhase(pageB, 'finished', GENERATE_TIMEOUT)
  clipB = (await postDraft(pageB, TITLE_B)).id
  assert.notEqual(clipB, clipA)
})

test('both clip pages show the remix chain; A likes the remix', async () => {
  assert.ok(clipA && clipB, 'both clips are posted')
  // B, on the remix's page
  const from = pageB.getByTestId('remixed-from')
  await from.waitFor()
  assert.equal((await from.textContent()).trim(), `remixed from @${A}`)
  assert.equal(await pageB.getByTestId('remixed-from-link').getAttribute('href'), `#/clip/${clipA}`)
  await checkChain(pageB, clipB)
  await pageB.screenshot({ path: artifactPath('feed-remix-clip.png') })

  // A sees the same chain on the remix's page, and on their own clip's page with the remix below it
  await pageA.goto(`${BASE}/#/clip/${encodeURIComponent(clipB)}`)
  await pageA.getByTestId('clip-title').filter({ hasText: TITLE_B }).waitFor()
  assert.equal((await pageA.getByTestId('remixed-from').textContent()).trim(), `remixed from @${A}`)
  await checkChain(pageA, clipB)
  assert.equal(await pageA.getByTestId('delete-post').count(), 0, 'only the author may delete')

  // A likes B's post: the server's answer sets the count
  const like = pageA.getByTestId('like-button')
  assert.equal(await like.getAttribute('aria-pressed'), 'false')
  await like.click()
  await pageA.locator('[data-testid="like-button"][aria-pressed="true"]').waitFor()
  assert.equal(await pageA.getByTestId('like-count').textContent(), '1')
  assert.equal(await pageA.getByTestId('clip-likes').textContent(), '1 like')
  // still liked after a reload
  await pageA.reload()
  await pageA.locator('[data-testid="like-button"][aria-pressed="true"]').waitFor()
  assert.equal(await pageA.getByTestId('like-count').textContent(), '1')

  await pageA.getByTestId('remixed-from-link').click()
  await pageA.waitForURL((u) => u.hash === `#/clip/${clipA}`)
  await pageA.getByTestId('clip-title').filter({ hasText: TITLE_A }).waitFor()
  await checkChain(pageA, clipA)
})

test('B follows A and finds A’s post in the Following feed', async () => {
  // from the remix to its source, then to its author's profile
  await pageB.getByTestId('remixed-from-link').click()
  await pageB.waitForURL((u) => u.hash === `#/clip/${clipA}`)
  await pageB.getByTestId('clip-title').filter({ hasText: TITLE_A }).waitFor()
  await pageB.getByTestId('post-author').click()
  await pageB.waitForURL((u) => u.hash === `#/u/${A}`)
  assert.equal(await pageB.getByTestId('profile-name').textContent(), `@${A}`)
  await pageB.locator(`[data-testid="profile-post"][data-post-id="${clipA}"]`).waitFor()
  const follow = pageB.getByTestId('follow-button')
  assert.equal(await follow.textContent(), 'Follow')
  assert.equal(await pageB.getByTestId('profile-followers').textContent(), '0')
  await follow.click()
  await pageB.locator('[data-testid="follow-button"][aria-pressed="true"]').waitFor()
  assert.equal(await follow.textContent(), 'Unfollow')
  assert.equal(await pageB.getByTestId('profile-followers').textContent(), '1')

  // For you explains itself; Following has A's post
  await pageB.getByTestId('nav-feed').click()
  await pageB.waitForURL((u) => u.hash === '#/feed')
  await pageB.getByTestId('post-card').first().waitFor()
  const why = pageB.getByTestId('post-why').first()
  assert.ok((await why.textContent()).length > 'Why you see this'.length, 'for-you cards say why they are shown')
  await pageB.getByTestId('feed-tab-following').click()
  await pageB.waitForURL((u) => u.hash === '#/feed/following')
  await cardTitled(pageB, TITLE_A).waitFor()
  await pageB.locator('[data-testid="feed"][data-state="end"]').waitFor()
  await pageB.screenshot({ path: artifactPath('feed-following.png') })

  // A's own profile has no follow button
  await pageA.getByTestId('my-profile').click()
  await pageA.waitForURL((u) => u.hash === `#/u/${A}`)
  await pageA.getByTestId('profile-you').waitFor()
  assert.equal(await pageA.getByTestId('follow-button').count(), 0)
  assert.equal(await pageA.getByTestId('profile-followers').textContent(), '1')
  assert.deepEqual(pageErrors, [])
})
