// Connection indicator: connecting / syncing / synced / offline (with retry countdown) / removed / signed out.
import { h } from '../dom'
import type { ConnState } from './connection'

export class StatusIndicator {
  readonly el: HTMLElement
  private readonly dot = h('span', { class: 'status-dot' })
  private readonly label = h('span', { class: 'status-label' })
  private readonly retry: HTMLButtonElement
  private tick: ReturnType<typeof setInterval> | undefined

  constructor(onRetry: () => void) {
    this.retry = h('button', { class: 'btn btn-ghost btn-xs', type: 'button', hidden: true, onclick: onRetry }, 'Retry now')
    this.el = h('div', { class: 'status', 'data-testid': 'connection-status', role: 'status', 'aria-live': 'polite' }, this.dot, this.label, this.retry)
  }

  set(state: ConnState): void {
    clearInterval(this.tick)
    this.el.dataset.state = state.kind
    this.retry.hidden = state.kind !== 'offline'
    switch (state.kind) {
      case 'connecting':
        this.label.textContent = 'Connecting…'
        break
      case 'syncing':
        this.label.textContent = 'Syncing…'
        break
      case 'synced':
        this.label.textContent = 'Live'
        break
      case 'removed':
        this.label.textContent = 'You were removed from this room'
        break
      case 'signed_out':
        this.label.textContent = 'Signed out'
        break
      case 'offline': {
        const update = () => {
          const s = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000))
          this.label.textContent = `Offline — ${state.reason} Reconnecting${s > 0 ? ` in ${s}s` : '…'}`
        }
        update()
        this.tick = setInterval(update, 1000)
        break
      }
    }
  }

  destroy(): void {
    clearInterval(this.tick)
  }
}
