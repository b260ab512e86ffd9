// "Check a video" `#/check` (no sign-in needed): drop or pick a video; the server's public
// detector (`POST /api/detect`) says whether reelroom made it, from its C2PA manifest, its
// invisible watermark (with the p-value) and its fingerprint, which clip it is and from which
// remix chain; a public post gets a link, a private or removed one only "made here".
import { h, setChildren } from '../dom'
import { brand, notice, topbar } from '../layout'
import type { Cleanup } from '../router'
import { currentUser } from '../session'
import type { DetectReport } from '../protocol/generated/DetectReport'

const VERDICT_TEXT: Record<DetectReport['verdict'], string> = {
  reelroom: 'Made with reelroom',
  not_reelroom: 'No sign of reelroom',
  unknown: 'Cannot tell',
}

async function detect(file: File): Promise<DetectReport> {
  const form = new FormData()
  form.append('video', file)
  const res = await fetch('/api/detect', { method: 'POST', body: form, credentials: 'same-origin' })
  const body = await res.json().catch(() => null)
  if (!res.ok) throw new Error(body?.message ?? `the detector answered ${res.status}`)
  return body as DetectReport
}

function yesNo(v: boolean): string {
  return v ? 'yes' : 'no'
}

function reportView(r: DetectReport): HTMLElement {
  const c = r.c2pa
  const chain =
    c.ingredients.length === 0
      ? null
      : h(
          'ul',
          { class: 'check-chain', 'data-testid': 'check-ingredients' },
          c.ingredients.map((i) =>
            h('li', {}, `${i.relationship}: `, i.clip_id ? h('a', { href: `#/clip/${i.clip_id}` }, i.clip_id) : i.title, i.valid ? '' : ' (invalid)'),
          ),
        )
  return h(
    'section',
    { class: `card check-report verdict-${r.verdict}`, 'data-testid': 'check-report', dataset: { verdict: r.verdict } },
    h('h2', { 'data-testid': 'check-verdict' }, VERDICT_TEXT[r.verdict]),
    h('p', {}, r.message),
    r.post_url ? h('p', {}, h('a', { href: r.post_url, 'data-testid': 'check-post' }, 'Open the post')) : null,
    h(
      'dl',
      { class: 'check-signals' },
      h('dt', {}, 'Content Credentials (C2PA)'),
      h('dd', { 'data-testid': 'check-c2pa' }, c.present ? `present · valid ${yesNo(c.valid)} · signed by reelroom ${yesNo(c.trusted)}` : 'none (metadata may have been stripped)'),
      c.actions.length ? h('dd', { class: 'muted small' }, c.actions.join(', ')) : null,
      h('dt', {}, 'Invisible watermark'),
      h(
        'dd',
        { 'data-testid': 'check-watermark' },
        r.watermark.detected ? `found${r.watermark.live ? ' (a live preview)' : ''}` : 'not found',
        ` · p = ${r.watermark.p_value.toExponential(2)}`,
      ),
      h('dt', {}, 'Fingerprint'),
      h('dd', {}, r.fingerprint.available ? (r.fingerprint.matched ? `matched (distance ${r.fingerprint.distance})` : 'no match') : 'not checked on this server yet'),
    ),
    chain ? h('h3', {}, 'Remix chain') : null,
    chain,
  )
}

export async function checkPage(root: HTMLElement): Promise<Cleanup | void> {
  const user = await currentUser().catch(() => null)
  const err = notice('error')
  const out = h('div', { 'data-testid': 'check-out' })
  const input = h('input', { type: 'file', accept: 'video/mp4,video/quicktime,video/webm', 'data-testid': 'check-file' })
  const run = async (file: File | undefined) => {
    if (!file) return
    err.clear()
    setChildren(out, h('p', { class: 'muted' }, `Checking ${file.name}…`))
    try {
      setChildren(out, reportView(await detect(file)))
    } catch (e) {
      setChildren(out)
      err.show(e instanceof Error ? e.message : String(e))
    }
  }
  input.addEventListener('change', () => void run(input.files?.[0]))
  const drop = h(
    'label',
    { class: 'check-drop card', 'data-testid': 'check-drop' },
    h('strong', {}, 'Drop a video here, or pick one'),
    h('span', { class: 'muted small' }, 'MP4, MOV or WebM up to 50 MB. Nothing is kept.'),
    input,
  )
  drop.addEventListener('dragover', (e) => e.preventDefault())
  drop.addEventListener('drop', (e) => {
    e.preventDefault()
    void run(e.dataTransfer?.files?.[0])
  })
  root.append(
    user ? topbar(user) : h('header', { class: 'topbar' }, brand()),
    h('main', { class: 'container' }, h('h1', {}, 'Check a video'), h('p', { class: 'muted' }, 'Find out whether reelroom made a video — even after it was re-encoded, shrunk, cropped or its metadata stripped.'), drop, err.el, out),
  )
}
