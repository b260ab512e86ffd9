// One of the signed-in person's avatars, whatever its state: processing (progress, polled every 500 ms),
// failed (why, in plain words), ready or revoked (its crops, who may cast it, where it is used, Revoke /
// Enable again, Delete). `onChange` hears every new view; `onDeleted` when it is gone.
import { api, ApiError } from '../api'
import { h, setChildren } from '../dom'
import { icon } from '../icons'
import { notice } from '../layout'
import { errorText, timeAgo } from '../social/format'
import { PermissionsForm } from './permissions'
import type { AvatarView } from './types'
import { UsesList } from './uses'
import { HONEST_NOTES, failText, statusText } from './wording'

const POLL_MS = 500

export interface AvatarPanelEvents {
  onChange(view: AvatarView): void
  onDeleted(id: string): void
}

export class AvatarPanel {
  readonly el: HTMLElement
  private readonly badge = h('span', { class: 'badge', 'data-testid': 'avatar-status' })
  private readonly when = h('span', { class: 'muted small' })
  private readonly body = h('div', { class: 'cameo-body' })
  private readonly err = notice('error')
  private uses: UsesList | null = null
  private timer: ReturnType<typeof setTimeout> | undefined
  private poll: AbortController | null = null
  private failures = 0
  private destroyed = false

  constructor(
    private view: AvatarView,
    private readonly events: AvatarPanelEvents,
  ) {
    this.el = h(
      'section',
      { class: 'card cameo-avatar', 'data-testid': 'avatar-panel', 'data-avatar-id': view.id },
      h('header', { class: 'cameo-head' }, h('h2', {}, 'Avatar of ', h('span', { 'data-testid': 'avatar-handle' }, `@${view.handle}`)), this.badge, this.when),
      this.err.el,
      this.body,
      h('ul', { class: 'cameo-notes muted small', 'data-testid': 'honest-notes' }, HONEST_NOTES.map((n) => h('li', {}, n))),
    )
    this.render()
  }

  get status(): AvatarView['status'] {
    return this.view.status
  }

  get createdAt(): string {
    return this.view.created_at
  }

  private update(view: AvatarView): void {
    const changed = view.status !== this.view.status
    this.view = view
    if (changed) this.render()
    else this.paintHead()
    this.events.onChange(view)
  }

  private paintHead(): void {
    const v = this.view
    this.el.dataset.status = v.status
    if (v.reason) this.el.dataset.reason = v.reason
    else delete this.el.dataset.reason
    this.badge.textContent = statusText(v.status)
    this.badge.className = `badge cameo-status-${v.status}`
    this.when.textContent = `made ${timeAgo(v.created_at)}`
  }

  private render(): void {
    this.paintHead()
    this.uses?.destroy()
    this.uses = null
    clearTimeout(this.timer)
    const v = this.view
    switch (v.status) {
      case 'processing':
        return this.renderProcessing()
      case 'failed':
        return setChildren(
          this.body,
          h('p', { class: 'notice notice-error', 'data-testid': 'avatar-failure', 'data-reason': v.reason ?? '' }, failText(v.reason)),
          v.message ? h('p', { class: 'muted small', 'data-testid': 'avatar-failure-detail' }, `Details: ${v.message}`) : null,
          this.extraction(),
          h('div', { class: 'cameo-actions' }, this.deleteControl('Delete this try')),
        )
      case 'ready':
      case 'revoked':
        return this.renderUsable()
    }
  }

  private renderProcessing(): void {
    const bar = h('progress', { max: 1, value: this.view.progress, 'data-testid': 'avatar-progress' })
    const pct = h('span', { class: 'muted small' }, `${Math.round(this.view.progress * 100)}%`)
    setChildren(this.body, h('p', {}, 'Checking your recording: finding your face, following your head turns, picking the best frames…'), h('div', { class: 'cameo-progress' }, bar, pct))
    const tick = async () => {
      if (this.destroyed) return
      this.poll = new AbortController()
      try {
        const view = await api.getAvatar(this.view.id, this.poll.signal)
        this.failures = 0
        if (this.destroyed) return
        bar.value = view.progress
        pct.textContent = `${Math.round(view.progress * 100)}%`
        this.update(view)
        if (view.status !== 'processing') return
      } catch (e) {
        if (this.destroyed) return
        if (e instanceof ApiError && e.status === 404) return this.gone()
        if (e instanceof ApiError && e.status === 401) return
        this.failures++
        if (this.failures >= 5) this.err.show(`Cannot check on the avatar: ${errorText(e)} Still trying…`)
      } finally {
        this.poll = null
      }
      this.timer = setTimeout(() => void tick(), POLL_MS * Math.min(8, 1 + this.failures))
    }
    this.timer = setTimeout(() => void tick(), POLL_MS)
  }

  private renderUsable(): void {
    const v = this.view
    const crops = h(
      'div',
      { class: 'cameo-crops', 'data-testid': 'avatar-crops' },
      v.crops.map((url, i) => h('img', { class: 'cameo-crop', src: url, alt: `Reference crop ${i + 1}`, 'data-testid': 'avatar-crop' })),
    )
    const revoked =
      v.status === 'revoked'
        ? h('p', { class: 'notice notice-error', 'data-testid': 'avatar-revoked' }, 'Revoked: nobody can cast it, and every clip that uses it is hidden. Enable it again to let your audience cast it.')
        : null
    const form = new PermissionsForm(v.id, v.permissions, (view) => this.update(view))
    this.uses = new UsesList(v.id)
    const toggle =
      v.status === 'ready'
        ? this.actionButton('Revoke', 'revoke-avatar', 'Hides every clip that uses it and stops new casts. You can enable it again.', () => api.revokeAvatar(v.id))
        : this.actionButton('Enable again', 'enable-avatar', 'Lets your audience cast it again. Clips hidden by the revocation stay hidden.', () => api.enableAvatar(v.id))
    setChildren(
      this.body,
      revoked,
      h('p', { class: 'muted' }, `Reference crops for an avatar based on your look. People who may cast it write @${v.handle} in a shot.`),
      crops,
      this.extraction(),
      form.el,
      this.uses.el,
      h('div', { class: 'cameo-actions cameo-danger-zone' }, toggle, this.deleteControl('Delete avatar')),
    )
  }

  private extraction(): HTMLElement | null {
    const x = this.view.extraction
    if (!x) return null
    const turns = x.turns.length ? x.turns.join(', ') : 'none'
    return h(
      'p',
      { class: 'muted small', 'data-testid': 'avatar-extraction' },
      `Measured: ${x.duration_s.toFixed(1)} s recording, one face in ${x.frames_with_face} of ${x.frames} sampled frames, head turns seen: ${turns}.`,
    )
  }

  private actionButton(label: string, testid: string, hint: string, run: () => Promise<AvatarView>): HTMLElement {
    const btn = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', 'data-testid': testid, title: hint }, label)
    btn.onclick = async () => {
      btn.disabled = true
      this.err.clear()
      try {
        this.update(await run())
      } catch (e) {
        this.err.show(errorText(e))
        btn.disabled = false
      }
    }
    return h('span', { class: 'cameo-action' }, btn, h('span', { class: 'muted small' }, hint))
  }

  private deleteControl(label: string): HTMLElement {
    const start = h('button', { class: 'btn btn-ghost btn-sm danger', type: 'button', 'data-testid': 'delete-avatar' }, icon('trash', 14), label)
    const confirm = h('button', { class: 'btn btn-danger btn-sm', type: 'button', 'data-testid': 'delete-avatar-confirm' }, 'Delete for good')
    const keep = h('button', { class: 'btn btn-ghost btn-sm', type: 'button' }, 'Keep')
    const ask = h('span', { class: 'delete-confirm' }, h('span', { class: 'small' }, 'The avatar, its crops and its face measurements are erased, and every clip that uses it is hidden. This cannot be undone. '), confirm, keep)
    ask.hidden = true
    start.onclick = () => ((start.hidden = true), (ask.hidden = false))
    keep.onclick = () => ((start.hidden = false), (ask.hidden = true))
    confirm.onclick = async () => {
      confirm.disabled = true
      this.err.clear()
      try {
        await api.deleteAvatar(this.view.id)
        this.gone()
      } catch (e) {
        this.err.show(errorText(e))
        confirm.disabled = false
      }
    }
    return h('span', { class: 'cameo-action' }, start, ask)
  }

  private gone(): void {
    this.destroy()
    this.el.remove()
    this.events.onDeleted(this.view.id)
  }

  destroy(): void {
    this.destroyed = true
    clearTimeout(this.timer)
    this.poll?.abort()
    this.uses?.destroy()
  }
}
