// Shared page chrome: the top bar with the brand, the Feed / My rooms / Avatar links, optional centre content and the
// signed-in user menu (notifications, then the name, which leads to one's profile).
import type { UserView } from './api-types'
import { notificationsMenu } from './cameo/notifications'
import { colorFor } from './colors'
import { avatar, h } from './dom'
import { currentPath, navigate } from './router'
import { signOut } from './session'

export function brand(): HTMLElement {
  return h(
    'a',
    { class: 'brand', href: '#/' },
    h('span', { class: 'brand-mark' }, '▶'),
    h('span', { class: 'brand-name' }, 'reel', h('b', {}, 'room')),
  )
}

/** The top bar's links between the signed-in user's places; the one shown now is marked. */
function nav(): HTMLElement {
  const path = currentPath()
  const link = (href: string, label: string, testid: string, active: boolean) =>
    h('a', { class: `nav-link${active ? ' active' : ''}`, href: `#${href}`, 'data-testid': testid, 'aria-current': active ? 'page' : undefined }, label)
  return h(
    'nav',
    { class: 'topbar-nav', 'aria-label': 'Main' },
    link('/feed', 'Feed', 'nav-feed', path === '/feed' || path.startsWith('/feed/')),
    link('/', 'My rooms', 'nav-rooms', path === '/'),
    link('/avatar', 'Avatar', 'nav-avatar', path === '/avatar'),
    link('/check', 'Check a video', 'nav-check', path === '/check'),
  )
}

export function topbar(user: UserView | null, ...middle: (Node | null)[]): HTMLElement {
  const right = user
    ? h(
        'div',
        { class: 'topbar-user' },
        notificationsMenu(),
        h(
          'a',
          { class: 'topbar-me', href: `#/u/${encodeURIComponent(user.username)}`, title: 'Your profile', 'data-testid': 'my-profile' },
          avatar(user.username, colorFor(user.username)),
          h('span', { class: 'topbar-username', 'data-testid': 'current-user' }, user.username),
        ),
        h(
          'button',
          {
            class: 'btn btn-ghost btn-sm',
            'data-testid': 'sign-out',
            onclick: async () => {
              try {
                await signOut()
              } finally {
                navigate('/login')
              }
            },
          },
          'Sign out',
        ),
      )
    : null
  return h('header', { class: 'topbar' }, brand(), user ? nav() : null, h('div', { class: 'topbar-middle' }, ...middle), right)
}

/** A dismissable inline error / notice line. */
export function notice(kind: 'error' | 'info' | 'success' = 'error'): { el: HTMLElement; show: (msg: string) => void; clear: () => void } {
  const el = h('div', { class: `notice notice-${kind}`, role: 'alert', hidden: true })
  return {
    el,
    show(msg: string) {
      el.textContent = msg
      el.hidden = false
    },
    clear() {
      el.textContent = ''
      el.hidden = true
    },
  }
}
