// Where an avatar is used (owner only): every clip that casts it, other people's drafts included, with
// its poster, who cast it, its state, the signed consent record behind it, and Delete (removes the clip
// and its media after a confirmation).
import { api } from '../api'
import { h, setChildren } from '../dom'
import { icon } from '../icons'
import { notice } from '../layout'
import { clipHref, errorText, profileHref, timeAgo } from '../social/format'
import type { AvatarUse } from './types'
import { useStateText } from './wording'

export class UsesList {
  readonly el: HTMLElement
  private readonly list = h('ul', { class: 'cameo-uses', 'data-testid': 'avatar-uses' }, h('li', { class: 'muted' }, 'Loading…'))
  private readonly err = notice('error')
  private destroyed = false

  constructor(private readonly avatarId: string) {
    const refresh = h('button', { class: 'btn btn-ghost btn-xs', type: 'button', 'data-testid': 'uses-refresh', onclick: () => void this.load() }, 'Refresh')
    this.el = h(
      'section',
      { class: 'cameo-uses-section' },
      h('div', { class: 'section-head' }, h('h3', {}, 'Where it is used'), refresh),
      h('p', { class: 'muted small' }, 'Every clip that casts your avatar, drafts included. Deleting one removes the clip and its video for everyone.'),
      this.err.el,
      this.list,
    )
    void this.load()
  }

  async load(): Promise<void> {
    this.err.clear()
    let uses: AvatarUse[]
    try {
      uses = await api.avatarUses(this.avatarId)
    } catch (e) {
      if (!this.destroyed) this.err.show(errorText(e))
      return
    }
    if (this.destroyed) return
    this.el.dataset.count = String(uses.length)
    if (uses.length === 0) {
      setChildren(this.list, h('li', { class: 'empty muted', 'data-testid': 'uses-empty' }, 'No clips use it yet. When someone casts it, the clip shows up here — drafts too — and you can delete it.'))
      return
    }
    setChildren(this.list, uses.map((u) => this.row(u)))
  }

  private row(use: AvatarUse): HTMLElement {
    const poster = use.poster_url
      ? h('img', { class: 'cameo-use-poster', src: use.poster_url, alt: '', loading: 'lazy' })
      : h('span', { class: 'cameo-use-poster empty' }, icon('film', 18))
    const open = use.state === 'posted' ? h('a', { class: 'btn btn-ghost btn-xs', href: clipHref(use.clip_id) }, 'Open') : null
    const grantLine = h('p', { class: 'small', 'data-testid': 'grant', hidden: true })
    const grantBtn = h('button', { class: 'btn btn-ghost btn-xs', type: 'button', 'data-testid': 'show-grant' }, 'Consent record')
    grantBtn.onclick = async () => {
      grantBtn.disabled = true
      try {
        const g = await api.grant(use.grant_id)
        grantLine.dataset.verified = String(g.verified)
        const when = new Date(g.granted_at).toLocaleString()
        grantLine.textContent = `@${g.cast_by} was granted use on ${when} (audience then: ${g.audience.replace('_', ' ')}). Server signature ${g.verified ? 'verified ✓' : 'does NOT verify'}.`
        grantLine.className = `small ${g.verified ? 'muted' : 'notice notice-error'}`
      } catch (e) {
        grantLine.textContent = errorText(e)
      }
      grantLine.hidden = false
      grantBtn.disabled = false
    }
    const row = h(
      'li',
      { class: 'cameo-use', 'data-testid': 'avatar-use', 'data-clip-id': use.clip_id, 'data-state': use.state },
      poster,
      h(
        'div',
        { class: 'cameo-use-info' },
        h('p', {}, 'Cast by ', h('a', { href: profileHref(use.author) }, `@${use.author}`), h('span', { class: 'muted small' }, ` · ${timeAgo(use.created_at)}`)),
        h('span', { class: `badge cameo-state-${use.state}`, 'data-testid': 'use-state' }, useStateText(use.state)),
        grantLine,
      ),
      h('div', { class: 'cameo-use-tools' }, open, grantBtn, use.state !== 'removed' ? this.deleteControl(use) : null),
    )
    return row
  }

  private deleteControl(use: AvatarUse): HTMLElement {
    const start = h('button', { class: 'btn btn-ghost btn-xs danger', type: 'button', 'data-testid': 'delete-use', title: 'Delete this clip' }, icon('trash', 14), 'Delete')
    const confirm = h('button', { class: 'btn btn-danger btn-xs', type: 'button', 'data-testid': 'delete-use-confirm' }, 'Delete the clip')
    const keep = h('button', { class: 'btn btn-ghost btn-xs', type: 'button' }, 'Keep')
    const ask = h('span', { class: 'delete-confirm', hidden: true }, confirm, keep)
    start.onclick = () => ((start.hidden = true), (ask.hidden = false))
    keep.onclick = () => ((start.hidden = false), (ask.hidden = true))
    confirm.onclick = async () => {
      confirm.disabled = true
      this.err.clear()
      try {
        await api.deleteAvatarUse(this.avatarId, use.clip_id)
        await this.load()
      } catch (e) {
        this.err.show(errorText(e))
        confirm.disabled = false
      }
    }
    return h('span', {}, start, ask)
  }

  destroy(): void {
    this.destroyed = true
  }
}
