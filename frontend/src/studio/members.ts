// Members panel: who belongs to the room, who is online (control socket), and owner-only invite / role / remove.
import { api } from '../api'
import type { MemberRole, MemberView, OnlineMember, Role } from '../api-types'
import { colorFor } from '../colors'
import { avatar, h, roleLabel, setChildren } from '../dom'
import { icon } from '../icons'
import { notice } from '../layout'

export class MembersPanel {
  readonly el: HTMLElement
  private readonly listEl = h('ul', { class: 'members', 'data-testid': 'members' })
  private readonly inviteForm: HTMLFormElement
  private readonly err = notice('error')
  private members: MemberView[] = []
  private online = new Set<string>()
  private role: Role

  constructor(private readonly roomId: string, private readonly me: string, members: MemberView[], role: Role) {
    this.members = members
    this.role = role
    const name = h('input', { placeholder: 'username', spellcheck: false, autocapitalize: 'none', 'aria-label': 'Username to invite', 'data-testid': 'invite-username' })
    const roleSel = h('select', { 'aria-label': 'Role', 'data-testid': 'invite-role' }, h('option', { value: 'editor' }, 'Editor'), h('option', { value: 'viewer' }, 'Viewer'))
    const submit = h('button', { class: 'btn btn-primary btn-sm', type: 'submit', 'data-testid': 'invite-submit' }, 'Invite')
    this.inviteForm = h(
      'form',
      {
        class: 'invite',
        onsubmit: async (ev: Event) => {
          ev.preventDefault()
          const username = name.value.trim().toLowerCase()
          if (!username) return
          submit.disabled = true
          if (await this.put(username, roleSel.value as MemberRole)) name.value = ''
          submit.disabled = false
        },
      },
      name,
      roleSel,
      submit,
    )
    this.el = h('section', { class: 'card panel' }, h('h3', {}, 'Members'), this.listEl, this.inviteForm, this.err.el)
    this.render()
  }

  private async put(username: string, role: MemberRole): Promise<boolean> {
    this.err.clear()
    try {
      await api.putMember(this.roomId, username, role)
      await this.refresh()
      return true
    } catch (e) {
      this.err.show(e instanceof Error ? e.message : String(e))
      return false
    }
  }

  private async remove(username: string): Promise<void> {
    this.err.clear()
    try {
      await api.removeMember(this.roomId, username)
      await this.refresh()
    } catch (e) {
      this.err.show(e instanceof Error ? e.message : String(e))
    }
  }

  async refresh(): Promise<void> {
    try {
      const room = await api.getRoom(this.roomId)
      this.members = room.members
      this.render()
    } catch {
      // the studio's connection handles removal / sign-out; keep the last list
    }
  }

  setOnline(online: OnlineMember[]): void {
    this.online = new Set(online.map((m) => m.username))
    if (online.some((m) => !this.members.find((x) => x.username === m.username))) void this.refresh()
    this.render()
  }

  setRole(role: Role): void {
    this.role = role
    this.render()
  }

  private render(): void {
    const isOwner = this.role === 'owner'
    this.inviteForm.hidden = !isOwner
    const order: Record<string, number> = { owner: 0, editor: 1, viewer: 2 }
    const sorted = [...this.members].sort((a, b) => (order[a.role] ?? 3) - (order[b.role] ?? 3) || a.username.localeCompare(b.username))
    setChildren(
      this.listEl,
      sorted.map((m) => {
        const online = this.online.has(m.username)
        const canEdit = isOwner && m.role !== 'owner' && m.username !== this.me
        const roleCtl = canEdit
          ? h(
              'select',
              { class: 'role-select', 'aria-label': `Role of ${m.username}`, onchange: (e: Event) => void this.put(m.username, (e.target as HTMLSelectElement).value as MemberRole) },
              h('option', { value: 'editor', selected: m.role === 'editor' }, 'Editor'),
              h('option', { value: 'viewer', selected: m.role === 'viewer' }, 'Viewer'),
            )
          : h('span', { class: `badge badge-${m.role}` }, roleLabel(m.role))
        return h(
          'li',
          { class: 'member', 'data-testid': 'member', 'data-username': m.username, 'data-online': String(online) },
          h('span', { class: `avatar-wrap${online ? ' online' : ''}`, title: online ? 'online' : 'offline' }, avatar(m.username, colorFor(m.username))),
          h('span', { class: 'member-name' }, m.username, m.username === this.me ? h('small', { class: 'muted' }, ' (you)') : null),
          roleCtl,
          canEdit ? h('button', { class: 'btn btn-icon btn-xs', type: 'button', title: `Remove ${m.username}`, 'aria-label': `Remove ${m.username}`, onclick: () => void this.remove(m.username) }, icon('close', 14)) : null,
        )
      }),
    )
  }
}
