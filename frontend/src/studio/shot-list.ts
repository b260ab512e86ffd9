// The list of shots: one ShotCard per Y.Map (keyed by identity, so a moved copy gets a fresh card), add button.
import type * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import { h } from '../dom'
import { icon } from '../icons'
import { ShotCard } from './shot-card'
import { addShot, moveShot, removeShot, shotsArray, type Shot } from './schema'

export class ShotList {
  readonly el: HTMLElement
  private readonly listEl = h('div', { class: 'shot-list', 'data-testid': 'shot-list' })
  private readonly emptyEl = h('div', { class: 'empty card' }, h('p', {}, 'No shots yet.'), h('p', { class: 'muted' }, 'Add the first shot to start the scene.'))
  private readonly addBtn: HTMLButtonElement
  private readonly cards = new Map<Shot, ShotCard>()
  private readonly shots: Y.Array<Shot>
  private editable: boolean
  private readonly observer = () => this.render()

  constructor(private readonly doc: Y.Doc, private readonly awareness: Awareness, editable: boolean) {
    this.editable = editable
    this.shots = shotsArray(doc)
    this.addBtn = h('button', { class: 'btn btn-secondary add-shot', type: 'button', 'data-testid': 'add-shot', onclick: () => addShot(this.doc) }, icon('plus'), 'Add shot')
    this.el = h('section', { class: 'shots' }, h('div', { class: 'section-head' }, h('h2', {}, 'Shots'), this.addBtn), this.listEl)
    this.shots.observe(this.observer)
    this.render()
    this.setEditable(editable)
  }

  private render(): void {
    const shots = this.shots.toArray()
    const live = new Set(shots)
    for (const [shot, card] of this.cards) {
      if (!live.has(shot)) {
        card.destroy()
        this.cards.delete(shot)
      }
    }
    const actions = {
      move: (shot: Shot, delta: number) => moveShot(this.doc, shot, delta),
      remove: (shot: Shot) => removeShot(this.doc, shot),
    }
    const nodes: HTMLElement[] = []
    shots.forEach((shot, i) => {
      let card = this.cards.get(shot)
      if (!card) {
        card = new ShotCard(shot, this.awareness, this.editable, actions)
        this.cards.set(shot, card)
      }
      card.setPosition(i, shots.length)
      nodes.push(card.el)
    })
    // reorder in place so existing editors keep focus and scroll position
    nodes.forEach((node, i) => {
      if (this.listEl.children[i] !== node) this.listEl.insertBefore(node, this.listEl.children[i] ?? null)
    })
    while (this.listEl.children.length > nodes.length) this.listEl.lastElementChild!.remove()
    if (nodes.length === 0) this.listEl.append(this.emptyEl)
    this.el.dataset.count = String(nodes.length)
  }

  setEditable(editable: boolean): void {
    this.editable = editable
    this.addBtn.hidden = !editable
    for (const card of this.cards.values()) card.setEditable(editable)
    this.render()
  }

  destroy(): void {
    this.shots.unobserve(this.observer)
    for (const card of this.cards.values()) card.destroy()
    this.cards.clear()
  }
}
