// Shared page chrome: the top bar with the brand, optional centre content and the signed-in user menu.
import type { UserView } from './api-types'
import { colorFor } from './colors'
import { avatar, h } from './dom'
import { navigate } from './router'
import { signOut } from './session'

export function brand(): HTMLElement {
  return h(
    'a',
    { class: 'brand', href: '#/' },
    h('span', { class: 'brand-mark' }, '▶'),
    h('span', { class: 'brand-name' }, 'reel', h('b', {}, 'room')),
  )
}

export function topbar(user: UserView | null, ...middle: (Node | null)[]): HTMLElement {
  const right = user
    ? h(
        'div',
        { class: 'topbar-user' },
        avatar(user.username, colorFor(user.username)),
        h('span', { class: 'topbar-username', 'data-testid': 'current-user' }, user.username),
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
  return h('header', { class: 'topbar' }, brand(), h('div', { class: 'topbar-middle' }, ...middle), right)
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
