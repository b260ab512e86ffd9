// "My rooms" page: lists the rooms I belong to with my role, creates a room, opens one.
import { api } from '../api'
import type { RoomSummary } from '../api-types'
import { h, roleLabel, setChildren } from '../dom'
import { icon } from '../icons'
import { notice, topbar } from '../layout'
import { navigate } from '../router'
import { currentUser } from '../session'

export async function roomsPage(root: HTMLElement): Promise<void> {
  const user = await currentUser().catch(() => null)
  if (!user) {
    navigate('/login')
    return
  }
  const err = notice('error')
  const list = h('ul', { class: 'room-list', 'data-testid': 'room-list' }, h('li', { class: 'muted' }, 'Loading…'))
  const title = h('input', { placeholder: 'Name your scene — e.g. "Rooftop chase"', maxlength: 200, 'data-testid': 'new-room-title' })
  const create = h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'create-room' }, 'Create room')

  async function refresh(): Promise<void> {
    try {
      const rooms = await api.listRooms()
      renderList(rooms)
    } catch (e) {
      err.show(e instanceof Error ? e.message : String(e))
      setChildren(list)
    }
  }

  function renderList(rooms: RoomSummary[]): void {
    if (rooms.length === 0) {
      setChildren(list, h('li', { class: 'empty' }, h('p', {}, 'No rooms yet.'), h('p', { class: 'muted' }, 'Create one above, or ask a friend to invite you.')))
      return
    }
    setChildren(
      list,
      rooms.map((r) =>
        h(
          'li',
          {},
          h(
            'a',
            { class: 'room-item', href: `#/room/${encodeURIComponent(r.id)}`, 'data-testid': 'room-item', 'data-room-id': r.id },
            h('span', { class: 'room-thumb' }, icon('film', 18)),
            h('span', { class: 'room-title' }, r.title || 'Untitled scene'),
            h('span', { class: `badge badge-${r.role}` }, roleLabel(r.role)),
            h('span', { class: 'room-open' }, 'Open →'),
          ),
        ),
      ),
    )
  }

  const form = h(
    'form',
    {
      class: 'create-room',
      onsubmit: async (ev: Event) => {
        ev.preventDefault()
        err.clear()
        const t = title.value.trim()
        if (!t) return err.show('Give the room a title.')
        create.disabled = true
        try {
          const room = await api.createRoom(t)
          navigate(`/room/${encodeURIComponent(room.id)}`)
        } catch (e) {
          err.show(e instanceof Error ? e.message : String(e))
        } finally {
          create.disabled = false
        }
      },
    },
    title,
    create,
  )

  root.append(
    topbar(user),
    h(
      'main',
      { class: 'container' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Your rooms'), h('p', { class: 'muted' }, 'Each room is one scene script you write together.')),
      h('section', { class: 'card' }, form, err.el),
      list,
    ),
  )
  title.focus()
  await refresh()
}
