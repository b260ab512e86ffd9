// Presence bar: everyone connected to the document, from Yjs awareness `user` states, in their colour.
import type { Awareness } from 'y-protocols/awareness'
import { avatar, h, setChildren } from '../dom'

interface AwarenessUser {
  name?: string
  color?: string
}

export class PresenceBar {
  readonly el = h('div', { class: 'presence', 'data-testid': 'presence' })
  private readonly listener = () => this.render()

  constructor(private readonly awareness: Awareness) {
    awareness.on('change', this.listener)
    this.render()
  }

  private render(): void {
    const self = this.awareness.clientID
    // one bubble per user name (a user may have several tabs open); me first
    const users = new Map<string, { color: string; me: boolean; count: number }>()
    const states = [...this.awareness.getStates().entries()].sort(([a], [b]) => (a === self ? -1 : b === self ? 1 : a - b))
    for (const [client, state] of states) {
      const user = (state as { user?: AwarenessUser }).user
      if (!user?.name) continue
      const prev = users.get(user.name)
      if (prev) prev.count++
      else users.set(user.name, { color: user.color || '#888', me: client === self, count: 1 })
    }
    setChildren(
      this.el,
      [...users.entries()].map(([name, u]) =>
        h(
          'span',
          { class: `presence-user${u.me ? ' me' : ''}`, 'data-testid': 'presence-user', 'data-name': name, title: u.me ? `${name} (you)` : name },
          avatar(name, u.color),
          h('span', { class: 'presence-name', style: { color: u.color } }, u.me ? `${name} (you)` : name),
          u.count > 1 ? h('small', { class: 'muted' }, `×${u.count}`) : null,
        ),
      ),
    )
  }

  destroy(): void {
    this.awareness.off('change', this.listener)
  }
}
