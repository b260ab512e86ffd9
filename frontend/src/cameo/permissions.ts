// Who may cast an avatar: the audience ("Only me" by default; "Everyone" only after reading a warning and
// ticking that one understands it), the approved and blocked usernames, and the owner's free-text rules,
// which are shown to casters but not enforced by any machine yet. Saves with PUT …/permissions.
import { api } from '../api'
import { h } from '../dom'
import { notice } from '../layout'
import { charCount, errorText } from '../social/format'
import { AVATAR_LIMITS, type Audience, type AvatarPermissions, type AvatarView } from './types'
import { AUDIENCES, EVERYONE_WARNING } from './wording'

const NAME_RE = /^[a-z0-9_]{3,32}$/

/** Usernames typed into a list field (commas, spaces or new lines between; a leading @ is fine). */
export function parseNames(raw: string): { names: string[]; bad: string[] } {
  const names: string[] = []
  const bad: string[] = []
  for (const part of raw.split(/[\s,;]+/)) {
    const name = part.replace(/^@/, '').toLowerCase()
    if (!name) continue
    if (!NAME_RE.test(name)) bad.push(part)
    else if (!names.includes(name)) names.push(name)
  }
  return { names, bad }
}

const WHO_CAN: Record<Audience, string> = {
  only_me: 'Only you can cast it.',
  approved: 'You and the people you approved can cast it.',
  mutuals: 'You and your mutuals can cast it.',
  everyone: 'Everyone signed in can cast it, except the people you blocked.',
}

export const DEFAULT_PERMISSIONS: AvatarPermissions = { who: 'only_me', approved: [], blocked: [], rules: '' }

export class PermissionsForm {
  readonly el: HTMLFormElement
  private readonly radios = new Map<Audience, HTMLInputElement>()
  private readonly warning: HTMLElement
  private readonly understood = h('input', { type: 'checkbox', 'data-testid': 'everyone-confirm' })
  private readonly approvedField: HTMLElement
  private readonly approved = h('textarea', { rows: 2, placeholder: 'e.g. ada_lovelace, grace', spellcheck: false, 'data-testid': 'approved-list' })
  private readonly blocked = h('textarea', { rows: 2, placeholder: 'Usernames who may never cast it', spellcheck: false, 'data-testid': 'blocked-list' })
  private readonly rules = h('textarea', { rows: 3, maxlength: AVATAR_LIMITS.maxRulesChars, placeholder: 'e.g. No violent or romantic scenes. Keep me in the background.', 'data-testid': 'avatar-rules' })
  private readonly rulesCount = h('span', { class: 'muted small' })
  private readonly save = h('button', { class: 'btn btn-primary btn-sm', type: 'submit', 'data-testid': 'save-permissions' }, 'Save')
  private readonly saved = notice('success')
  private readonly err = notice('error')

  constructor(
    private readonly avatarId: string,
    permissions: AvatarPermissions | null,
    private readonly onSaved: (view: AvatarView) => void,
  ) {
    const p = permissions ?? DEFAULT_PERMISSIONS
    const group = `audience-${avatarId}`
    const options = AUDIENCES.map((a) => {
      const radio = h('input', { type: 'radio', name: group, value: a.who, 'data-testid': `audience-${a.who}` })
      radio.checked = a.who === p.who
      radio.addEventListener('change', () => this.paint())
      this.radios.set(a.who, radio)
      return h('label', { class: 'cameo-radio' }, radio, h('span', {}, h('b', {}, a.label), h('span', { class: 'muted small' }, ` — ${a.hint}`)))
    })
    this.understood.checked = p.who === 'everyone'
    this.understood.addEventListener('change', () => this.paint())
    this.warning = h(
      'div',
      { class: 'notice cameo-warning', 'data-testid': 'everyone-warning', hidden: true },
      h('p', {}, h('b', {}, 'Think before choosing Everyone. '), EVERYONE_WARNING),
      h('label', { class: 'cameo-check' }, this.understood, h('span', {}, 'I understand: let everyone cast it.')),
    )
    this.approved.value = p.approved.join(', ')
    this.blocked.value = p.blocked.join(', ')
    this.rules.value = p.rules
    this.rules.addEventListener('input', () => this.paintCount())
    this.approvedField = h('label', { class: 'field' }, h('span', {}, 'Approved usernames'), this.approved)
    this.el = h(
      'form',
      { class: 'cameo-permissions', 'data-testid': 'avatar-permissions', novalidate: true, onsubmit: (ev: Event) => (ev.preventDefault(), void this.submit()) },
      h('fieldset', { class: 'cameo-audience' }, h('legend', {}, 'Who may cast it'), options),
      this.warning,
      this.approvedField,
      h('label', { class: 'field' }, h('span', {}, 'Blocked usernames (never, whatever the audience)'), this.blocked),
      h(
        'label',
        { class: 'field' },
        h('span', {}, 'Your rules for people who cast it'),
        this.rules,
        h(
          'span',
          { class: 'field-hint cameo-rules-hint' },
          'Shown to everyone who casts your avatar, before they add it. Machine-enforced rules: none yet — nothing checks their prompts against these rules, so also choose your audience with care. ',
          this.rulesCount,
        ),
      ),
      this.err.el,
      this.saved.el,
      h('div', { class: 'cameo-actions' }, this.save),
    )
    this.el.dataset.savedWho = p.who
    this.paint()
    this.paintCount()
  }

  private who(): Audience {
    for (const [who, radio] of this.radios) if (radio.checked) return who
    return 'only_me'
  }

  private paint(): void {
    const who = this.who()
    this.warning.hidden = who !== 'everyone'
    this.approvedField.hidden = who !== 'approved'
    this.save.disabled = who === 'everyone' && !this.understood.checked
    this.saved.clear()
  }

  private paintCount(): void {
    this.rulesCount.textContent = `${charCount(this.rules.value)}/${AVATAR_LIMITS.maxRulesChars}`
  }

  private async submit(): Promise<void> {
    this.err.clear()
    this.saved.clear()
    const who = this.who()
    if (who === 'everyone' && !this.understood.checked) return this.err.show('Tick "I understand" to let everyone cast your avatar.')
    const approved = parseNames(this.approved.value)
    const blocked = parseNames(this.blocked.value)
    const bad = [...(who === 'approved' ? approved.bad : []), ...blocked.bad]
    if (bad.length) return this.err.show(`Not usernames: ${bad.join(', ')}. Usernames are 3–32 characters of a–z, 0–9 and _.`)
    if (approved.names.length > AVATAR_LIMITS.maxPermissionList || blocked.names.length > AVATAR_LIMITS.maxPermissionList) {
      return this.err.show(`At most ${AVATAR_LIMITS.maxPermissionList} usernames per list.`)
    }
    if (who === 'approved' && approved.names.length === 0) return this.err.show('Add at least one username to the approved list, or choose another audience.')
    if (charCount(this.rules.value) > AVATAR_LIMITS.maxRulesChars) return this.err.show(`Rules are at most ${AVATAR_LIMITS.maxRulesChars} characters.`)
    this.save.disabled = true
    try {
      const view = await api.setAvatarPermissions(this.avatarId, { who, approved: approved.names, blocked: blocked.names, rules: this.rules.value.trim() })
      const saved = view.permissions?.who ?? who
      this.el.dataset.savedWho = saved
      this.saved.show(`Saved. ${WHO_CAN[saved]}`)
      this.onSaved(view)
    } catch (e) {
      this.err.show(errorText(e))
    } finally {
      this.save.disabled = this.who() === 'everyone' && !this.understood.checked
    }
  }
}
