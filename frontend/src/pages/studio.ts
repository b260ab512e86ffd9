// Studio page `#/room/<id>`: wires the Y.Doc connection, control socket and all studio widgets together,
// and says plainly when generation is refused because a cast avatar is not permitted.
import { api, ApiError } from '../api'
import type { Role } from '../api-types'
import { avatarRefusal } from '../cameo/castable'
import { h } from '../dom'
import { icon } from '../icons'
import { notice, topbar } from '../layout'
import type { Cleanup } from '../router'
import { currentUser, signInThenReturn } from '../session'
import { RoomConnection } from '../studio/connection'
import { ControlSocket } from '../studio/control'
import { titleEditor } from '../studio/editor'
import { GeneratePanel } from '../studio/generate'
import { MembersPanel } from '../studio/members'
import { PresenceBar } from '../studio/presence'
import { initEmptyScript, titleText } from '../studio/schema'
import { SettingsPanel } from '../studio/settings'
import { SharePanel } from '../studio/share'
import { ShotList } from '../studio/shot-list'
import { StatusIndicator } from '../studio/status'

/** A server message as a sentence: capital first, full stop last. */
const sentence = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}`

export async function studioPage(root: HTMLElement, params: Record<string, string>): Promise<Cleanup | void> {
  const user = await currentUser().catch(() => null)
  const roomId = params.id
  if (!user) return signInThenReturn(`/room/${encodeURIComponent(roomId)}`)
  let room
  try {
    room = await api.getRoom(roomId)
  } catch (e) {
    const msg = e instanceof ApiError && (e.status === 403 || e.status === 404) ? 'This room does not exist or you are not a member.' : e instanceof Error ? e.message : String(e)
    root.append(topbar(user), h('main', { class: 'container' }, h('div', { class: 'card empty' }, h('h2', {}, 'Cannot open this room'), h('p', { class: 'muted' }, msg), h('a', { class: 'btn btn-secondary', href: '#/' }, '← Back to your rooms'))))
    return
  }

  const conn = new RoomConnection(roomId, user.username, room.role)
  const control = new ControlSocket(roomId)
  const awareness = conn.provider.awareness
  const status = new StatusIndicator(() => conn.retryNow())
  const presence = new PresenceBar(awareness)
  const members = new MembersPanel(roomId, user.username, room.members, room.role)
  const shots = new ShotList(conn.doc, awareness, room.role !== 'viewer')
  const settings = new SettingsPanel(conn.doc, room.role !== 'viewer')
  const generate = new GeneratePanel(control, () => titleText(conn.doc).toString() || room.title)
  const share = new SharePanel(roomId)
  const banner = notice('error')
  const toast = notice('info')
  const refused = notice('error')
  refused.el.dataset.testid = 'avatar-refused'
  const viewBadge = h('span', { class: 'badge badge-viewer view-only', 'data-testid': 'view-only', hidden: true }, icon('eye', 13), 'View only')
  const roleBadge = h('span', { class: 'badge', 'data-testid': 'my-role' })
  const titleHost = h('div', { class: 'title-editor', 'data-testid': 'room-title' })
  const title = titleEditor(titleHost, titleText(conn.doc), awareness, room.role !== 'viewer')

  let removed = false
  const applyRole = (role: Role) => {
    const editable = role !== 'viewer' && !removed
    viewBadge.hidden = editable || removed
    roleBadge.textContent = role
    roleBadge.className = `badge badge-${role}`
    shots.setEditable(editable)
    settings.setEditable(editable)
    generate.setEditable(editable)
    title.setEditable(editable)
    members.setRole(role)
    share.setVisible(role === 'owner' && !removed)
  }

  const unsubs: (() => void)[] = []
  unsubs.push(conn.role.watch(applyRole))
  unsubs.push(control.role.watch((r) => r && conn.role.set(r)))
  unsubs.push(
    control.online.watch((list) => {
      members.setOnline(list)
      const mine = list.find((m) => m.username === user.username)
      if (mine) conn.role.set(mine.role)
    }),
  )
  let initialised = false
  unsubs.push(
    conn.state.watch((state) => {
      status.set(state)
      if (state.kind === 'synced' && !initialised) {
        initialised = true
        // only the owner fills an empty script, so two clients never both add a first shot
        if (conn.role.value === 'owner') initEmptyScript(conn.doc, room.title)
      }
      if (state.kind === 'removed' || state.kind === 'signed_out') {
        removed = true
        banner.show(state.kind === 'removed' ? 'You were removed from this room.' : 'Your session ended. Please sign in again.')
        applyRole(conn.role.value)
        control.destroy()
      }
    }),
  )
  unsubs.push(control.removed.watch((r) => r && conn.state.value.kind !== 'removed' && conn.retryNow()))
  unsubs.push(control.lastError.watch((m) => m && toast.show(m)))
  unsubs.push(
    control.avatarRefusal.watch((r) => {
      // the shot cards mark the avatar it names
      avatarRefusal.set(r)
      if (r) refused.show(`Not generated: ${sentence(r.message)} Take that avatar out of the shot (its chip is marked), or ask its owner to let you cast it.`)
      else refused.clear()
    }),
  )
  let toastTimer: ReturnType<typeof setTimeout> | undefined
  unsubs.push(
    conn.denied.watch((reason) => {
      // viewers are read-only anyway; a refusal only matters to someone who thinks they can edit
      if (!reason || conn.role.value === 'viewer') return
      toast.show(`The server refused your change: ${reason}`)
      clearTimeout(toastTimer)
      toastTimer = setTimeout(() => (toast.clear(), conn.denied.set(null)), 6000)
    }),
  )

  root.append(
    topbar(user, h('a', { class: 'btn btn-ghost btn-sm', href: '#/' }, icon('back', 14), 'Rooms'), status.el),
    h(
      'main',
      { class: 'studio' },
      h(
        'div',
        { class: 'studio-main' },
        banner.el,
        h('div', { class: 'studio-head' }, titleHost, h('div', { class: 'studio-badges' }, roleBadge, viewBadge)),
        h('div', { class: 'presence-row' }, h('span', { class: 'muted small' }, 'Here now'), presence.el),
        toast.el,
        refused.el,
        shots.el,
      ),
      h('aside', { class: 'studio-side' }, generate.el, members.el, share.el, settings.el),
    ),
  )

  return () => {
    unsubs.forEach((u) => u())
    avatarRefusal.set(null)
    clearTimeout(toastTimer)
    title.destroy()
    shots.destroy()
    settings.destroy()
    generate.destroy()
    presence.destroy()
    status.destroy()
    control.destroy()
    conn.destroy()
  }
}
