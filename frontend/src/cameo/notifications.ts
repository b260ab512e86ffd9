// The top bar's notifications: a bell with the number of notices newer than the last look (kept in this
// browser), and a list of them (GET /api/notifications: someone cast your avatar, an avatar's owner
// removed your clip, …). Refreshed every minute while on screen.
import { api } from '../api'
import { h, setChildren } from '../dom'
import { clipHref, timeAgo } from '../social/format'
import type { Notice } from './types'
import './cameo.css'

const SEEN_KEY = 'reelroom.noticesSeen'
const REFRESH_MS = 60_000

function seenAt(): string {
  try {
    return localStorage.getItem(SEEN_KEY) ?? ''
  } catch {
    return ''
  }
}

function markSeen(at: string): void {
  try {
    if (at > seenAt()) localStorage.setItem(SEEN_KEY, at)
  } catch {
    // storage unavailable: the count comes back next time
  }
}

function bell(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  const attrs = { viewBox: '0 0 24 24', width: '16', height: '16', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true' }
  for (const [k, v] of Object.entries(attrs)) svg.setAttribute(k, v)
  svg.classList.add('icon')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', 'M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0')
  svg.append(path)
  return svg
}

/** Where a notice leads: your avatar's uses for a cast, else the clip when there is one. */
function link(n: Notice): HTMLElement | null {
  if (n.kind === 'cast') return h('a', { href: '#/avatar' }, 'See where it is used')
  if (n.clip_id && n.kind !== 'use_removed') return h('a', { href: clipHref(n.clip_id) }, 'Open the clip')
  return null
}

/** The bell and its list, for the top bar. */
export function notificationsMenu(): HTMLElement {
  let notices: Notice[] = []
  const count = h('span', { class: 'notif-count', 'data-testid': 'notif-count', hidden: true })
  const button = h('button', { class: 'btn btn-ghost btn-sm notif-button', type: 'button', 'data-testid': 'notif-button', 'aria-expanded': 'false', title: 'Notifications', 'aria-label': 'Notifications' }, bell(), count)
  const panel = h('div', { class: 'notif-panel card', 'data-testid': 'notif-list', hidden: true })
  const el = h('div', { class: 'notif' }, button, panel)

  const paint = () => {
    const seen = seenAt()
    const unseen = notices.filter((n) => n.created_at > seen).length
    count.textContent = unseen > 9 ? '9+' : String(unseen)
    count.hidden = unseen === 0
    el.dataset.unseen = String(unseen)
    setChildren(
      panel,
      h('b', {}, 'Notifications'),
      notices.length === 0
        ? h('p', { class: 'muted small' }, 'Nothing yet.')
        : h(
            'ul',
            { class: 'notif-items' },
            notices.map((n) =>
              h(
                'li',
                { class: `notif-item${n.created_at > seen ? ' unseen' : ''}`, 'data-testid': 'notif', 'data-kind': n.kind },
                h('p', {}, n.text),
                h('p', { class: 'muted small' }, timeAgo(n.created_at), link(n) ? ' · ' : '', link(n)),
              ),
            ),
          ),
    )
  }
  const load = async () => {
    try {
      notices = (await api.notifications()).sort((a, b) => b.created_at.localeCompare(a.created_at))
    } catch {
      return // no list (offline, or the server has none): the bell stays quiet
    }
    paint()
  }
  const close = () => {
    panel.hidden = true
    button.setAttribute('aria-expanded', 'false')
    document.removeEventListener('pointerdown', outside)
  }
  const outside = (ev: Event) => !el.contains(ev.target as Node) && close()
  button.onclick = () => {
    if (!panel.hidden) return close()
    panel.hidden = false
    button.setAttribute('aria-expanded', 'true')
    document.addEventListener('pointerdown', outside)
    paint()
    // what is listed now counts as seen (the highlight stays until the next look)
    if (notices[0]) markSeen(notices[0].created_at)
    count.hidden = true
    void load()
  }
  void load()
  const timer = setInterval(() => {
    if (!el.isConnected) {
      clearInterval(timer)
      document.removeEventListener('pointerdown', outside)
    } else void load()
  }, REFRESH_MS)
  return el
}
