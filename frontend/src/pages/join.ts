// Join page `#/join/<room>/<token>`, where a share link leads. Signed out: sign in or sign up first,
// then come back here. Signed in: join the room (as a viewer, unless already a member) and open it;
// a refused link (expired, for another room) shows the server's reason and a way home.
import { api, ApiError } from '../api'
import { h, setChildren } from '../dom'
import { topbar } from '../layout'
import { currentPath, navigate } from '../router'
import { currentUser, setCurrentUser, signInThenReturn } from '../session'

export async function joinPage(root: HTMLElement, params: Record<string, string>): Promise<void> {
  const here = currentPath()
  const user = await currentUser().catch(() => null)
  if (!user) return signInThenReturn(here)

  const card = h('div', { class: 'card empty join-card', 'data-testid': 'join' }, h('h2', {}, 'Joining the room…'), h('p', { class: 'muted' }, 'One moment.'))
  root.append(topbar(user), h('main', { class: 'container' }, card))
  try {
    await api.joinRoom(params.room, params.token)
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      // the session ended since the page loaded: sign in again, then try the link once more
      setCurrentUser(null)
      if (currentPath() === here) signInThenReturn(here)
      return
    }
    const msg = e instanceof Error ? e.message : String(e)
    setChildren(
      card,
      h('h2', {}, 'Cannot join this room'),
      h('p', { class: 'notice notice-error', role: 'alert', 'data-testid': 'join-error' }, msg.charAt(0).toUpperCase() + msg.slice(1)),
      h('p', { class: 'muted' }, 'Ask the room’s owner for a new link.'),
      h('a', { class: 'btn btn-secondary', href: '#/', 'data-testid': 'join-home' }, '← Back to your rooms'),
    )
    return
  }
  // the join page is a one-off step: Back from the room should not join again
  if (currentPath() === here) navigate(`/room/${encodeURIComponent(params.room)}`, { replace: true })
}
