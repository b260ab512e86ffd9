// A clip's remix chain drawn as a tree (nested lists with CSS connector lines): its ancestors from
// the root down to it, then its remixes nested by parent (breadth-first pages, "Load more" while the
// server has more). Removed posts say "removed", ones the caller may not see say "private"; every
// posted node links to its clip page, and the clip shown is highlighted.
import { api } from '../api'
import type { LineageNode } from '../api-types'
import { h, setChildren } from '../dom'
import { notice } from '../layout'
import { clipHref, errorText } from './format'

function node(n: LineageNode, current: boolean): HTMLElement {
  const label =
    n.state === 'posted'
      ? h('a', { class: 'lineage-link', href: clipHref(n.id), title: [n.title, n.author && `@${n.author}`].filter(Boolean).join(' · ') }, h('span', { class: 'lineage-title' }, n.title || 'Untitled'), n.author ? h('span', { class: 'lineage-author' }, `@${n.author}`) : null)
      : h('span', { class: 'lineage-link' }, h('span', { class: 'lineage-title' }, n.state === 'removed' ? 'removed' : 'private'))
  return h(
    'div',
    {
      class: `lineage-node lineage-${n.state}${current ? ' current' : ''}`,
      'data-testid': 'lineage-node',
      'data-clip-id': n.id,
      'data-state': n.state,
      'data-current': current ? 'true' : undefined,
      'aria-current': current ? 'page' : undefined,
      title: n.state === 'removed' ? 'This post was removed' : n.state === 'hidden' ? 'You cannot see this post' : undefined,
    },
    label,
  )
}

export class LineageTree {
  readonly el: HTMLElement
  private readonly tree = h('ul', { class: 'tree', 'data-testid': 'lineage-tree' })
  private readonly more = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', 'data-testid': 'lineage-more', hidden: true }, 'Load more remixes')
  private readonly summary = h('p', { class: 'muted small', 'data-testid': 'lineage-summary' })
  private readonly err = notice('error')
  /** Where each shown clip's remixes go. */
  private readonly children = new Map<string, HTMLElement>()
  private cursor: string | null = null
  private remixes = 0
  private ancestors = 0
  private started = false
  private destroyed = false

  constructor(private readonly current: { id: string; title: string; author: string }) {
    this.more.onclick = () => void this.load()
    this.el = h('section', { class: 'card lineage', 'data-testid': 'lineage' }, h('h3', {}, 'Remix chain'), this.tree, this.more, this.summary, this.err.el)
    void this.load()
  }

  /** A `<li>` for `n` under `parent`, with an (empty) list for its remixes. */
  private add(parent: HTMLElement, n: LineageNode, current = false): void {
    const kids = h('ul')
    this.children.set(n.id, kids)
    parent.append(h('li', {}, node(n, current), kids))
  }

  private async load(): Promise<void> {
    this.more.disabled = true
    this.err.clear()
    try {
      const view = await api.lineage(this.current.id, this.cursor)
      if (this.destroyed) return
      if (!this.started) {
        this.started = true
        this.ancestors = view.ancestors.length
        setChildren(this.tree)
        let parent: HTMLElement = this.tree
        for (const a of [...view.ancestors].reverse()) {
          this.add(parent, a)
          parent = this.children.get(a.id)!
        }
        this.add(parent, { id: this.current.id, parent_id: view.ancestors[0]?.id ?? null, author: this.current.author, title: this.current.title, state: 'posted', depth: 0 }, true)
      }
      for (const d of view.descendants) {
        if (this.children.has(d.id)) continue
        // breadth-first: the parent is on screen already; anything else hangs under the clip shown
        const parent = (d.parent_id && this.children.get(d.parent_id)) || this.children.get(this.current.id)!
        this.add(parent, d)
        this.remixes++
      }
      this.cursor = view.next_cursor
      this.more.textContent = 'Load more remixes'
      this.more.hidden = !view.next_cursor || view.descendants.length === 0
      const ancestors = this.ancestors
      this.summary.textContent =
        ancestors === 0 && this.remixes === 0 ? 'An original, not remixed yet.' : `${ancestors ? `${ancestors} before it` : 'An original'} · ${this.remixes}${this.cursor ? '+' : ''} ${this.remixes === 1 ? 'remix' : 'remixes'} below it`
    } catch (e) {
      if (!this.destroyed) this.err.show(errorText(e))
      if (!this.started) {
        this.more.textContent = 'Retry'
        this.more.hidden = false
      }
    } finally {
      this.more.disabled = false
    }
  }

  destroy(): void {
    this.destroyed = true
  }
}
