// "Cast" on a shot card: the avatars cast in the shot as removable @handle chips, and a menu of the
// avatars the caller may cast (crop, @handle and the owner's rules, read before adding). Adding pushes
// the avatar id into the shot's `avatars` Y.Array (at most MAX_AVATARS_PER_SHOT) and appends `@handle`
// to the prompt when it is not there; removing takes both out again. A chip named by the room's latest
// `avatar_not_permitted` refusal is marked.
import * as Y from 'yjs'
import { h, setChildren } from '../dom'
import { icon } from '../icons'
import { MAX_AVATARS_PER_SHOT, MAX_PROMPT_CHARS } from '../protocol/generated/scriptLimits'
import { errorText } from '../social/format'
import type { Shot } from '../studio/schema'
import { avatarLabel, avatarRefusal, castableAvatars, refusalNames } from './castable'
import type { CastableAvatar } from './types'
import './cameo.css'

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** `@handle` as a whole word. */
const mentionRe = (handle: string, flags = '') => new RegExp(`(^|[^a-z0-9_@])@${escapeRe(handle)}(?![a-z0-9_])`, `i${flags}`)

/** The ids cast in a shot. */
export function castIds(shot: Shot): string[] {
  const list = shot.get('avatars')
  return list instanceof Y.Array ? list.toArray().filter((a): a is string => typeof a === 'string') : []
}

/** Casts `avatar` in `shot`: its id into `avatars`, `@handle` at the end of the prompt unless it is named already. */
export function castAvatar(shot: Shot, avatar: { id: string; handle: string }): 'added' | 'already' | 'full' {
  let outcome: 'added' | 'already' | 'full' = 'added'
  const run = () => {
    let list = shot.get('avatars')
    if (!(list instanceof Y.Array)) {
      list = new Y.Array<string>()
      shot.set('avatars', list)
    }
    const avatars = list as Y.Array<string>
    const ids = avatars.toArray()
    if (ids.includes(avatar.id)) return void (outcome = 'already')
    if (ids.length >= MAX_AVATARS_PER_SHOT) return void (outcome = 'full')
    avatars.push([avatar.id])
    const prompt = shot.get('prompt')
    if (prompt instanceof Y.Text) {
      const text = prompt.toString()
      if (!mentionRe(avatar.handle).test(text)) {
        const add = `${text === '' || /\s$/.test(text) ? '' : ' '}@${avatar.handle}`
        if ([...text].length + add.length <= MAX_PROMPT_CHARS) prompt.insert(prompt.length, add)
      }
    }
  }
  if (shot.doc) shot.doc.transact(run)
  else run()
  return outcome
}

/** Uncasts avatar `id` from `shot`, and takes `@handle` out of the prompt when no other cast avatar has it. */
export function uncastAvatar(shot: Shot, id: string, handle: string | null, otherHandles: (string | null)[]): void {
  const run = () => {
    const list = shot.get('avatars')
    if (list instanceof Y.Array) {
      const i = list.toArray().indexOf(id)
      if (i >= 0) list.delete(i, 1)
    }
    const prompt = shot.get('prompt')
    if (!handle || otherHandles.includes(handle) || !(prompt instanceof Y.Text)) return
    const text = prompt.toString()
    const found = [...text.matchAll(mentionRe(handle, 'g'))]
    // from the end, so earlier indexes stay right; a space before the mention goes with it
    for (const m of found.reverse()) {
      const at = m.index + m[1].length
      const len = handle.length + 1
      const space = at > 0 && text[at - 1] === ' ' ? 1 : 0
      prompt.delete(at - space, len + space)
    }
  }
  if (shot.doc) shot.doc.transact(run)
  else run()
}

export class CastControl {
  readonly el: HTMLElement
  private readonly chips = h('div', { class: 'cast-chips', 'data-testid': 'cast-chips' })
  private readonly openBtn = h('button', { class: 'btn btn-ghost btn-xs', type: 'button', 'data-testid': 'cast-open', 'aria-expanded': 'false' }, icon('plus', 12), 'Cast')
  private readonly menu = h('div', { class: 'cast-menu card', 'data-testid': 'cast-menu', role: 'dialog', 'aria-label': 'Cast an avatar', hidden: true })
  private readonly note = h('p', { class: 'cast-note small', 'data-testid': 'cast-note', role: 'alert', hidden: true })
  private list: Y.Array<unknown> | null = null
  private editable: boolean
  private destroyed = false
  private generation = 0
  private readonly unsubs: (() => void)[] = []
  private readonly listObserver = () => void this.paintChips()
  private readonly shotObserver = (ev: Y.YMapEvent<unknown>) => ev.keysChanged.has('avatars') && this.bind()
  private readonly outside = (ev: Event) => {
    if (!this.menu.hidden && !this.el.contains(ev.target as Node)) this.close()
  }
  private readonly escape = (ev: KeyboardEvent) => ev.key === 'Escape' && !this.menu.hidden && this.close()

  constructor(
    private readonly shot: Shot,
    editable: boolean,
  ) {
    this.editable = editable
    this.openBtn.onclick = () => (this.menu.hidden ? void this.open() : this.close())
    this.el = h('div', { class: 'cast', 'data-testid': 'shot-cast' }, this.chips, this.openBtn, this.menu, this.note)
    shot.observe(this.shotObserver)
    this.bind()
    document.addEventListener('pointerdown', this.outside)
    document.addEventListener('keydown', this.escape)
    this.unsubs.push(avatarRefusal.watch(() => void this.paintChips()))
    this.setEditable(editable)
  }

  /** (Re)attaches to the shot's `avatars` array (it may be replaced or created later). */
  private bind(): void {
    this.list?.unobserve(this.listObserver)
    const list = this.shot.get('avatars')
    this.list = list instanceof Y.Array ? list : null
    this.list?.observe(this.listObserver)
    void this.paintChips()
  }

  private async paintChips(): Promise<void> {
    const gen = ++this.generation
    const ids = castIds(this.shot)
    const labels = await Promise.all(ids.map((id) => avatarLabel(id)))
    if (gen !== this.generation || this.destroyed) return
    const refusal = avatarRefusal.value
    this.el.dataset.cast = String(ids.length)
    setChildren(
      this.chips,
      ids.map((id, i) => {
        const { handle, crop, castable } = labels[i]
        const refused = refusal !== null && refusalNames(refusal.message, id, labels[i])
        const title = refused
          ? `Not permitted: ${refusal!.message}`
          : handle === null
            ? 'An avatar you cannot see: its owner has not let you cast it (or revoked it).'
            : castable
              ? `@${handle} is cast in this shot`
              : `You may not cast @${handle} (any more): generation will be refused while it is in the shot.`
        const remove = h(
          'button',
          {
            class: 'cast-chip-remove',
            type: 'button',
            'data-testid': 'cast-remove',
            'aria-label': `Remove ${handle ? `@${handle}` : 'this avatar'} from the shot`,
            hidden: !this.editable,
            onclick: () => uncastAvatar(this.shot, id, handle, labels.filter((_, j) => j !== i).map((l) => l.handle)),
          },
          icon('close', 12),
        )
        return h(
          'span',
          {
            class: `cast-chip${refused ? ' refused' : ''}${!castable ? ' not-castable' : ''}`,
            title,
            'data-testid': 'cast-chip',
            'data-avatar-id': id,
            'data-handle': handle ?? '',
            'data-refused': refused ? 'true' : undefined,
          },
          crop ? h('img', { src: crop, alt: '' }) : null,
          handle ? `@${handle}` : 'unavailable avatar',
          remove,
        )
      }),
    )
  }

  private async open(): Promise<void> {
    this.menu.hidden = false
    this.openBtn.setAttribute('aria-expanded', 'true')
    setChildren(this.menu, h('p', { class: 'muted small' }, 'Loading avatars…'))
    let avatars: CastableAvatar[]
    try {
      avatars = await castableAvatars(true)
    } catch (e) {
      setChildren(this.menu, h('p', { class: 'notice notice-error' }, errorText(e)))
      return
    }
    if (this.destroyed) return
    // the fresh list may say a cast avatar is no longer castable
    void this.paintChips()
    if (!this.menu.hidden) this.renderMenu(avatars)
  }

  private renderMenu(avatars: CastableAvatar[]): void {
    const ids = castIds(this.shot)
    const full = ids.length >= MAX_AVATARS_PER_SHOT
    const head = h(
      'div',
      { class: 'cast-menu-head' },
      h('b', {}, 'Cast an avatar'),
      h('button', { class: 'btn btn-icon', type: 'button', 'aria-label': 'Close', onclick: () => this.close() }, icon('close', 14)),
    )
    if (avatars.length === 0) {
      setChildren(
        this.menu,
        head,
        h('p', { class: 'muted small', 'data-testid': 'castable-empty' }, 'No avatars you may cast yet. Make yours on the ', h('a', { href: '#/avatar' }, 'Avatar page'), ', or ask a friend to let you cast theirs.'),
      )
      return
    }
    setChildren(
      this.menu,
      head,
      h('p', { class: 'muted small' }, 'Read each owner’s rules before casting. Only avatars you may cast now are listed.'),
      full ? h('p', { class: 'notice notice-info small' }, `A shot casts at most ${MAX_AVATARS_PER_SHOT} avatars.`) : null,
      h(
        'ul',
        { class: 'castable-list' },
        avatars.map((a) => {
          const already = ids.includes(a.id)
          const add = h(
            'button',
            { class: 'btn btn-primary btn-xs', type: 'button', 'data-testid': 'cast-add', disabled: already || full || !this.editable },
            already ? 'Cast already' : `Cast @${a.handle}`,
          )
          add.onclick = () => {
            const outcome = castAvatar(this.shot, a)
            if (outcome === 'full') this.say(`A shot casts at most ${MAX_AVATARS_PER_SHOT} avatars.`)
            this.close()
          }
          return h(
            'li',
            { class: 'castable', 'data-testid': 'castable', 'data-avatar-id': a.id, 'data-handle': a.handle },
            h('img', { class: 'castable-crop', src: a.crop_url, alt: `@${a.handle}` }),
            h(
              'div',
              { class: 'castable-info' },
              h('b', {}, `@${a.handle}`),
              a.rules.trim()
                ? h('p', { class: 'castable-rules small', 'data-testid': 'castable-rules' }, h('span', { class: 'muted' }, 'Their rules: '), a.rules)
                : h('p', { class: 'muted small' }, 'No rules given.'),
            ),
            add,
          )
        }),
      ),
    )
  }

  private say(message: string): void {
    this.note.textContent = message
    this.note.hidden = false
    setTimeout(() => (this.note.hidden = true), 5000)
  }

  private close(): void {
    this.menu.hidden = true
    this.openBtn.setAttribute('aria-expanded', 'false')
  }

  setEditable(editable: boolean): void {
    this.editable = editable
    this.openBtn.hidden = !editable
    if (!editable) this.close()
    void this.paintChips()
  }

  destroy(): void {
    this.destroyed = true
    this.shot.unobserve(this.shotObserver)
    this.list?.unobserve(this.listObserver)
    this.unsubs.forEach((u) => u())
    document.removeEventListener('pointerdown', this.outside)
    document.removeEventListener('keydown', this.escape)
  }
}
