// Share panel (owner only): makes a share link (POST /api/rooms/{id}/share) that lets anyone signed
// in join the room as a viewer (`#/join/<room>/<token>`, valid 7 days), shows it in a read-only field
// that selects itself on focus, and copies it to the clipboard where the browser allows.
import { api } from '../api'
import { h } from '../dom'
import { icon } from '../icons'
import { notice } from '../layout'

/** The web app's URL that joins `roomId` with share-link `token`. */
export function shareUrl(roomId: string, token: string): string {
  return `${location.origin}${location.pathname}#/join/${encodeURIComponent(roomId)}/${encodeURIComponent(token)}`
}

export class SharePanel {
  readonly el: HTMLElement
  private readonly button = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', 'data-testid': 'share-link' }, icon('link', 14), 'Share link')
  private readonly url = h('input', {
    class: 'share-url',
    readOnly: true,
    spellcheck: false,
    'aria-label': 'Share link',
    'data-testid': 'share-link-url',
    hidden: true,
  })
  private readonly copied = h('span', { class: 'muted small', 'data-testid': 'share-link-copied', hidden: true }, 'Copied to the clipboard')
  private readonly err = notice('error')
  private busy = false

  constructor(private readonly roomId: string) {
    this.button.onclick = () => void this.create()
    this.url.addEventListener('focus', () => this.url.select())
    this.url.addEventListener('click', () => this.url.select())
    this.el = h(
      'section',
      { class: 'card panel share', 'data-testid': 'share-panel', hidden: true },
      h('h3', {}, 'Share'),
      h('div', { class: 'share-row' }, this.button, this.copied),
      this.url,
      h('p', { class: 'field-hint' }, 'Anyone signed in who opens this link can watch as a viewer (7 days)'),
      this.err.el,
    )
  }

  /** Only the owner sees the panel. */
  setVisible(visible: boolean): void {
    this.el.hidden = !visible
  }

  private async create(): Promise<void> {
    if (this.busy) return
    this.busy = true
    this.button.disabled = true
    this.err.clear()
    this.copied.hidden = true
    try {
      const { token } = await api.shareRoom(this.roomId)
      const link = shareUrl(this.roomId, token)
      this.url.value = link
      this.url.hidden = false
      this.url.focus()
      this.url.select()
      // the clipboard needs a secure context and the browser's consent: without either, the selected field will do
      try {
        navigator.clipboard
          ?.writeText(link)
          .then(() => {
            if (this.url.value === link) this.copied.hidden = false
          })
          .catch(() => {})
      } catch {
        // no clipboard here
      }
    } catch (e) {
      this.err.show(e instanceof Error ? e.message : String(e))
    } finally {
      this.busy = false
      this.button.disabled = false
    }
  }
}
