// "Report: uses my likeness" on a clip: a short form (what is wrong, optional details) that sends
// POST /api/reports and says what happens next (hidden at once when the reporter's own avatar is cast in
// it, else queued for a reviewer while the clip stays up).
import { api } from '../api'
import { h } from '../dom'
import { notice } from '../layout'
import { errorText } from '../social/format'
import { AVATAR_LIMITS } from './types'
import './cameo.css'

export function likenessReport(clipId: string): { button: HTMLButtonElement; panel: HTMLElement } {
  const button = h(
    'button',
    { class: 'btn btn-action', type: 'button', 'data-testid': 'report-likeness', 'aria-expanded': 'false', title: 'This clip uses my likeness without my consent' },
    h('span', { class: 'action-label' }, 'Report: uses my likeness'),
  )
  const details = h('textarea', { rows: 3, maxlength: AVATAR_LIMITS.maxReportDetailsChars, placeholder: 'Optional: what is wrong (which character, what you did not agree to)', 'data-testid': 'report-details' })
  const send = h('button', { class: 'btn btn-danger btn-sm', type: 'button', 'data-testid': 'report-send' }, 'Send report')
  const cancel = h('button', { class: 'btn btn-ghost btn-sm', type: 'button' }, 'Cancel')
  const err = notice('error')
  const receipt = h('p', { class: 'notice notice-info', 'data-testid': 'report-receipt', hidden: true })
  const form = h(
    'div',
    { class: 'report-form' },
    h(
      'p',
      { class: 'small' },
      'Tell us if this clip shows an avatar based on your look that you did not allow. When it matches your own avatar, the clip is hidden at once ' +
        'until a reviewer decides; otherwise it stays up while a reviewer looks at it.',
    ),
    details,
    err.el,
    h('div', { class: 'post-form-actions' }, send, cancel),
  )
  const panel = h('div', { class: 'report-panel', 'data-testid': 'report-panel', hidden: true }, form, receipt)
  const toggle = (open: boolean) => {
    panel.hidden = !open
    button.setAttribute('aria-expanded', String(open))
    if (open) details.focus()
  }
  button.onclick = () => toggle(panel.hidden)
  cancel.onclick = () => toggle(false)
  send.onclick = async () => {
    send.disabled = true
    err.clear()
    try {
      const r = await api.report({ target: 'clip', id: clipId, reason: 'likeness', details: details.value.trim() })
      form.hidden = true
      receipt.dataset.status = r.status
      receipt.textContent =
        r.status === 'hidden'
          ? 'Thank you. The clip is hidden until a reviewer decides.'
          : 'Thank you. A reviewer will look at it; the clip stays up meanwhile.'
      receipt.hidden = false
      button.disabled = true
    } catch (e) {
      err.show(errorText(e))
    } finally {
      send.disabled = false
    }
  }
  return { button, panel }
}
