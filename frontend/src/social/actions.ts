// What one can do to a post, shared by feed cards and the clip page: Like (toggles with the server's
// LikeView answer) and Remix (asks for a strength, makes a new room of one's own from the post and
// opens it). Failures go to the caller's inline notice.
import { api } from '../api'
import type { RoomSummary } from '../api-types'
import { h } from '../dom'
import { icon } from '../icons'
import { DEFAULT_REMIX_STRENGTH, MIN_REMIX_STRENGTH } from '../protocol/generated/scriptLimits'
import { navigate } from '../router'
import { compact, errorText } from './format'

export interface Notice {
  show: (msg: string) => void
  clear: () => void
}

/** A Like button showing the count; `onChange` hears the new state. */
export function likeButton(post: { id: string; liked: boolean; likes: number }, err: Notice, onChange?: (liked: boolean, likes: number) => void): HTMLButtonElement {
  let liked = post.liked
  let likes = post.likes
  let busy = false
  const count = h('span', { class: 'count', 'data-testid': 'like-count' })
  const btn = h('button', { class: 'btn btn-action like', type: 'button', 'data-testid': 'like-button' }, icon('heart', 16), count)
  const paint = () => {
    btn.classList.toggle('active', liked)
    btn.setAttribute('aria-pressed', String(liked))
    btn.title = liked ? 'Unlike' : 'Like'
    count.textContent = compact(likes)
  }
  btn.onclick = async () => {
    if (busy) return
    busy = true
    btn.disabled = true
    err.clear()
    try {
      const answer = liked ? await api.unlike(post.id) : await api.like(post.id)
      liked = answer.liked
      likes = answer.likes
      paint()
      onChange?.(liked, likes)
    } catch (e) {
      err.show(errorText(e))
    } finally {
      busy = false
      btn.disabled = false
    }
  }
  paint()
  return btn
}

/**
 * A Remix button and the small form it opens: a strength slider (how far from the post generation
 * starts; 1 = from noise), then POST /remix and into the new room.
 */
export function remixControl(postId: string, remixes: number, err: Notice): { button: HTMLButtonElement; panel: HTMLElement } {
  const button = h(
    'button',
    { class: 'btn btn-action', type: 'button', 'data-testid': 'remix-button', title: 'Remix: make your own version', 'aria-expanded': 'false' },
    icon('remix', 16),
    h('span', { class: 'count', 'data-testid': 'remix-count' }, compact(remixes)),
    h('span', { class: 'action-label' }, 'Remix'),
  )
  const value = h('output', { class: 'remix-value', 'data-testid': 'remix-strength-value' })
  const slider = h('input', {
    type: 'range',
    min: String(MIN_REMIX_STRENGTH),
    max: '1',
    step: '0.05',
    value: String(DEFAULT_REMIX_STRENGTH),
    'aria-label': 'Remix strength',
    'data-testid': 'remix-strength',
  })
  const show = () => (value.textContent = Number(slider.value).toFixed(2))
  slider.addEventListener('input', show)
  show()
  const go = h('button', { class: 'btn btn-primary btn-sm', type: 'button', 'data-testid': 'remix-confirm' }, 'Start remix')
  const cancel = h('button', { class: 'btn btn-ghost btn-sm', type: 'button' }, 'Cancel')
  const panel = h(
    'div',
    { class: 'remix-panel', 'data-testid': 'remix-panel', hidden: true },
    h('label', { class: 'remix-field' }, h('span', {}, 'Strength'), slider, value),
    h('p', { class: 'field-hint' }, 'Low keeps close to the original; 1 starts from scratch with the same script.'),
    h('div', { class: 'remix-actions' }, go, cancel),
  )
  const toggle = (open: boolean) => {
    panel.hidden = !open
    button.setAttribute('aria-expanded', String(open))
    if (open) slider.focus()
  }
  button.onclick = () => toggle(panel.hidden)
  cancel.onclick = () => toggle(false)
  go.onclick = async () => {
    go.disabled = true
    err.clear()
    let room: RoomSummary
    try {
      room = await api.remix(postId, Number(slider.value))
    } catch (e) {
      err.show(errorText(e))
      go.disabled = false
      return
    }
    navigate(`/room/${encodeURIComponent(room.id)}`)
  }
  return { button, panel }
}
