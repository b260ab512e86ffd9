// Avatar page `#/avatar`: make an avatar from a selfie recording that follows the server's challenge
// (cameo/enrol.ts), then, per avatar, its state, crops, who may cast it, every clip using it, Revoke /
// Enable and Delete (cameo/avatar-panel.ts). The recorder is offered while the person has no avatar
// that is processing, ready or revoked.
import { api } from '../api'
import { h, setChildren } from '../dom'
import { notice, topbar } from '../layout'
import type { Cleanup } from '../router'
import { currentUser, signInThenReturn } from '../session'
import { errorText } from '../social/format'
import { AvatarPanel } from '../cameo/avatar-panel'
import { EnrolPanel } from '../cameo/enrol'
import type { AvatarView } from '../cameo/types'

export async function avatarPage(root: HTMLElement): Promise<Cleanup | void> {
  const user = await currentUser().catch(() => null)
  if (!user) return signInThenReturn('/avatar')

  const err = notice('error')
  const panels = new Map<string, AvatarPanel>()
  const list = h('div', { class: 'cameo-list', 'data-testid': 'avatar-list' })

  /** The recorder shows while nothing usable (or on its way) exists. */
  const paintEnrol = () => {
    const all = [...panels.values()]
    // while its own upload is being checked, the recorder stays up (status line, playback)
    const justUploaded = enrol.el.dataset.state === 'uploaded'
    enrol.el.hidden = all.some((p) => p.status === 'ready' || p.status === 'revoked' || (p.status === 'processing' && !justUploaded))
    enrol.setRetry(all.some((p) => p.status === 'failed'))
  }
  const addPanel = (view: AvatarView, first: boolean) => {
    panels.get(view.id)?.destroy()
    const panel = new AvatarPanel(view, {
      onChange: (v) => {
        enrol.checked(v)
        paintEnrol()
      },
      onDeleted: (id) => {
        panels.delete(id)
        paintEnrol()
      },
    })
    panels.set(view.id, panel)
    if (first) list.prepend(panel.el)
    else list.append(panel.el)
    paintEnrol()
  }
  const enrol = new EnrolPanel((view) => {
    // a new try replaces the failed ones shown
    for (const [id, p] of panels) {
      if (p.status === 'failed') {
        p.destroy()
        p.el.remove()
        panels.delete(id)
      }
    }
    addPanel(view, true)
  })

  root.append(
    topbar(user),
    h(
      'main',
      { class: 'container cameo-page', 'data-testid': 'avatar-page' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, 'Your avatar'),
        h(
          'p',
          { class: 'muted' },
          'An avatar based on your look, for scenes written in reelroom. You choose who may cast it, see every clip that uses it (drafts too), ' +
            'can delete any of them, and can revoke it at any time.',
        ),
      ),
      err.el,
      enrol.el,
      list,
    ),
  )

  let mine: AvatarView[] = []
  try {
    mine = await api.myAvatars()
  } catch (e) {
    err.show(errorText(e))
  }
  mine.sort((a, b) => b.created_at.localeCompare(a.created_at))
  // failed tries are noise once something newer exists: only the newest one says why it failed
  setChildren(list)
  for (const v of mine) if (v.status !== 'failed' || v === mine[0]) addPanel(v, false)
  paintEnrol()

  return () => {
    enrol.destroy()
    panels.forEach((p) => p.destroy())
  }
}
