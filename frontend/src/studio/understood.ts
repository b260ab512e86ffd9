// Under a shot's prompt: how the video model reads it ("🐈 cat · dance · rooftop · sunset"), with the words it
// corrected and the ones it could not read. Follows the Y.Text live: a read ~250 ms after the last edit, at most
// one request in flight (an edit cancels the read of the older text), nothing sent twice for the same text.
import type * as Y from 'yjs'
import { ApiError, api } from '../api'
import type { Understanding } from '../api-types'
import { h, setChildren } from '../dom'
import { MAX_PROMPT_CHARS } from '../protocol/generated/scriptLimits'

/** Quiet time after an edit before the prompt is read again. */
export const UNDERSTAND_DEBOUNCE_MS = 250

export class UnderstoodLine {
  readonly el = h('div', { class: 'understood small', 'data-testid': 'shot-understood', 'aria-live': 'polite', hidden: true })
  private timer: ReturnType<typeof setTimeout> | null = null
  private inFlight: AbortController | null = null
  /** The text the line shows (or is fetching); null before the first read. */
  private shownText: string | null = null
  private readonly observer = () => this.schedule()

  constructor(private readonly ytext: Y.Text) {
    ytext.observe(this.observer)
    this.schedule(0)
  }

  private schedule(delay = UNDERSTAND_DEBOUNCE_MS): void {
    // the answer on its way is for older text: drop it (and read that text again if it comes back)
    if (this.inFlight) {
      this.inFlight.abort()
      this.inFlight = null
      this.shownText = null
    }
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.read()
    }, delay)
  }

  private async read(): Promise<void> {
    // the server takes any prompt the script allows; the model reads the start of it
    const text = this.ytext.toString().slice(0, MAX_PROMPT_CHARS)
    if (text === this.shownText) return
    this.shownText = text
    if (!text.trim()) {
      this.el.hidden = true
      setChildren(this.el)
      this.el.dataset.state = 'empty'
      return
    }
    const ctrl = new AbortController()
    this.inFlight = ctrl
    this.el.dataset.state = 'loading'
    try {
      const u = await api.understand(text, ctrl.signal)
      if (!ctrl.signal.aborted) this.render(u)
    } catch (e) {
      if (ctrl.signal.aborted) return
      this.shownText = null // try again on the next edit
      this.el.dataset.state = 'error'
      this.el.hidden = false
      const why = e instanceof ApiError && e.status !== 0 ? e.message : 'the server cannot be reached'
      setChildren(this.el, h('span', { class: 'understood-error' }, `Could not read the prompt: ${why}`))
    } finally {
      if (this.inFlight === ctrl) this.inFlight = null
    }
  }

  private render(u: Understanding): void {
    const parts: (Node | string)[] = []
    parts.push(u.summary ? h('span', { class: 'understood-summary', 'data-testid': 'understood-summary' }, u.summary) : h('span', { class: 'understood-summary muted' }, 'Nothing understood yet'))
    for (const c of u.corrected) {
      parts.push(h('span', { class: 'understood-corrected', title: `read “${c.typed}” as “${c.read}”`, 'data-testid': 'understood-corrected' }, `${c.typed} → ${c.read}`))
    }
    for (const word of u.ignored) {
      parts.push(h('s', { class: 'understood-ignored', title: 'not understood', 'data-testid': 'understood-ignored' }, word))
    }
    if (u.truncated) parts.push(h('span', { class: 'understood-note muted', title: 'the model reads only the start of a long prompt' }, 'only the start is read'))
    this.el.dataset.state = 'ready'
    this.el.hidden = false
    setChildren(this.el, h('span', { class: 'understood-label muted', 'aria-hidden': 'true' }, 'Reads as'), parts)
  }

  destroy(): void {
    this.ytext.unobserve(this.observer)
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.inFlight?.abort()
    this.inFlight = null
    this.el.remove()
  }
}
