// Infinite scroll over a keyset-paged endpoint (feeds, a profile's posts): loads the first page, then
// the next whenever a sentinel below the list comes near the viewport; drops items already shown (by
// id), and says when it is loading, empty, at the end, or failed (with a Retry button).
import { h, setChildren } from '../dom'
import { errorText } from './format'

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface PagedListOptions<T> {
  /** Fetches the page after `cursor` (null: the first). */
  load: (cursor: string | null) => Promise<Page<T>>
  key: (item: T) => string
  render: (item: T) => HTMLElement
  /** Where the rendered items go (a list or a grid). */
  list: HTMLElement
  /** What an empty list says. */
  empty: () => Node
  /** What the end of a non-empty list says. */
  end?: string
  /** `data-testid` of the whole; the status line gets `<testid>-status`, the retry button `<testid>-retry`. */
  testid: string
}

type State = 'loading' | 'idle' | 'empty' | 'end' | 'error'

export class PagedList<T> {
  readonly el: HTMLElement
  private readonly status: HTMLElement
  private readonly sentinel = h('div', { class: 'paged-sentinel', 'aria-hidden': 'true' })
  private readonly observer: IntersectionObserver
  private readonly seen = new Set<string>()
  private cursor: string | null = null
  private loading = false
  private done = false
  private destroyed = false

  constructor(private readonly opts: PagedListOptions<T>) {
    this.status = h('div', { class: 'paged-status', 'data-testid': `${opts.testid}-status`, role: 'status' })
    this.el = h('div', { class: 'paged', 'data-testid': opts.testid }, opts.list, this.status, this.sentinel)
    this.observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void this.more(), { rootMargin: '0px 0px 800px 0px' })
    this.observer.observe(this.sentinel)
    this.setState('loading')
  }

  /** How many items are shown. */
  get size(): number {
    return this.seen.size
  }

  private async more(): Promise<void> {
    if (this.loading || this.done || this.destroyed) return
    this.loading = true
    this.setState('loading')
    try {
      const page = await this.opts.load(this.cursor)
      if (this.destroyed) return
      for (const item of page.items) {
        const key = this.opts.key(item)
        if (this.seen.has(key)) continue
        this.seen.add(key)
        this.opts.list.append(this.opts.render(item))
      }
      // a page without items cannot move the cursor on: treat it as the end rather than loop
      this.done = !page.next_cursor || page.items.length === 0
      this.cursor = page.next_cursor
      this.setState(this.done ? (this.size ? 'end' : 'empty') : 'idle')
    } catch (e) {
      if (!this.destroyed) this.setState('error', errorText(e))
      return
    } finally {
      this.loading = false
    }
    // the sentinel may still be in view (a short page): observing again reports where it is now
    if (!this.done) {
      this.observer.unobserve(this.sentinel)
      this.observer.observe(this.sentinel)
    }
  }

  private setState(state: State, message = ''): void {
    this.el.dataset.state = state
    switch (state) {
      case 'loading':
        setChildren(this.status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading…')
        break
      case 'idle':
        setChildren(this.status)
        break
      case 'empty':
        setChildren(this.status, h('div', { class: 'empty', 'data-testid': `${this.opts.testid}-empty` }, this.opts.empty()))
        break
      case 'end':
        setChildren(this.status, h('span', { class: 'muted small', 'data-testid': `${this.opts.testid}-end` }, this.opts.end ?? 'That’s everything.'))
        break
      case 'error':
        setChildren(
          this.status,
          h(
            'div',
            { class: 'notice notice-error paged-error', role: 'alert' },
            h('span', {}, message),
            h('button', { class: 'btn btn-secondary btn-xs', type: 'button', 'data-testid': `${this.opts.testid}-retry`, onclick: () => void this.more() }, 'Retry'),
          ),
        )
        break
    }
  }

  destroy(): void {
    this.destroyed = true
    this.observer.disconnect()
  }
}
