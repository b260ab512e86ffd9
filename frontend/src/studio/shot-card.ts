// One shot card: prompt editor (Y.Text), the avatars cast in it (cameo/cast.ts) and duration / seed / style
// inputs bound to the shot's Y.Map.
import * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import { CastControl } from '../cameo/cast'
import { h } from '../dom'
import { icon, type IconName } from '../icons'
import { promptEditor, type CollabEditor } from './editor'
import { UnderstoodLine } from './understood'
import { MAX_SHOT_SECONDS, MIN_SHOT_SECONDS } from '../protocol/generated/scriptLimits'
import { MAX_SEED, MAX_STYLE, SHOT_DEFAULTS, numberOr, randomSeed, sanitizeShotField, type Shot } from './schema'

export interface ShotActions {
  move(shot: Shot, delta: number): void
  remove(shot: Shot): void
}

type FieldKey = 'duration_s' | 'seed' | 'style'

export class ShotCard {
  readonly el: HTMLElement
  private editor: CollabEditor | null = null
  private understood: UnderstoodLine | null = null
  private readonly cast: CastControl
  private readonly inputs: Record<FieldKey, HTMLInputElement>
  private readonly indexEl = h('span', { class: 'shot-index' })
  private readonly upBtn: HTMLButtonElement
  private readonly downBtn: HTMLButtonElement
  private readonly removeBtn: HTMLButtonElement
  private readonly rerollBtn: HTMLButtonElement
  private editable: boolean
  private readonly observer = () => this.syncFields()

  constructor(readonly shot: Shot, awareness: Awareness, editable: boolean, actions: ShotActions) {
    this.editable = editable
    const field = (key: FieldKey, label: string, attrs: Record<string, unknown>) => {
      const input = h('input', { class: 'field-input', 'data-field': key, 'aria-label': label, ...attrs })
      input.addEventListener('change', () => this.write(key, input.value))
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') input.blur()
      })
      return input
    }
    this.inputs = {
      duration_s: field('duration_s', 'Duration (seconds)', { type: 'number', min: MIN_SHOT_SECONDS, max: MAX_SHOT_SECONDS, step: 0.5 }),
      seed: field('seed', 'Seed', { type: 'number', min: 0, max: MAX_SEED, step: 1 }),
      style: field('style', 'Style', { type: 'text', maxlength: MAX_STYLE, placeholder: SHOT_DEFAULTS.style }),
    }
    const iconBtn = (label: string, name: IconName, onclick: () => void, testid: string) =>
      h('button', { class: 'btn btn-icon', type: 'button', title: label, 'aria-label': label, 'data-testid': testid, onclick }, icon(name))
    this.upBtn = iconBtn('Move shot up', 'up', () => actions.move(shot, -1), 'shot-up')
    this.downBtn = iconBtn('Move shot down', 'down', () => actions.move(shot, 1), 'shot-down')
    this.removeBtn = iconBtn('Remove shot', 'close', () => actions.remove(shot), 'shot-remove')
    this.rerollBtn = h('button', { class: 'btn btn-icon btn-xs', type: 'button', title: 'New random seed', 'aria-label': 'New random seed', onclick: () => this.write('seed', String(randomSeed())) }, icon('dice', 14))

    const editorHost = h('div', { class: 'shot-editor', 'data-testid': 'shot-prompt' })
    this.cast = new CastControl(shot, editable)
    this.el = h(
      'article',
      { class: 'shot card', 'data-testid': 'shot', 'data-shot-id': String(shot.get('id') ?? '') },
      h('header', { class: 'shot-head' }, this.indexEl, h('span', { class: 'shot-id muted' }, String(shot.get('id') ?? '').slice(0, 8)), h('div', { class: 'shot-tools' }, this.upBtn, this.downBtn, this.removeBtn)),
      editorHost,
      this.cast.el,
      h(
        'footer',
        { class: 'shot-fields' },
        h('label', { class: 'mini-field' }, h('span', {}, 'Duration'), this.inputs.duration_s, h('em', {}, 's')),
        h('label', { class: 'mini-field' }, h('span', {}, 'Seed'), this.inputs.seed, this.rerollBtn),
        h('label', { class: 'mini-field grow' }, h('span', {}, 'Style'), this.inputs.style),
      ),
    )
    const prompt = shot.get('prompt')
    if (prompt instanceof Y.Text) {
      this.editor = promptEditor(editorHost, prompt, awareness, editable)
      this.understood = new UnderstoodLine(prompt)
      editorHost.after(this.understood.el)
    } else editorHost.append(h('p', { class: 'muted' }, 'This shot has no prompt text.'))
    shot.observe(this.observer)
    this.syncFields()
    this.setEditable(editable)
  }

  private write(key: FieldKey, raw: string): void {
    if (!this.editable) return
    const value = sanitizeShotField(key, raw)
    if (value !== null && value !== this.shot.get(key)) this.shot.set(key, value)
    this.syncFields(true)
  }

  /** Reflect the Y.Map into the inputs, leaving a focused input alone unless forced. */
  private syncFields(force = false): void {
    const values: Record<FieldKey, string> = {
      duration_s: String(numberOr(this.shot.get('duration_s'), SHOT_DEFAULTS.duration_s)),
      seed: String(numberOr(this.shot.get('seed'), 0)),
      style: typeof this.shot.get('style') === 'string' ? String(this.shot.get('style')) : SHOT_DEFAULTS.style,
    }
    for (const key of Object.keys(values) as FieldKey[]) {
      const input = this.inputs[key]
      if (force || document.activeElement !== input) input.value = values[key]
    }
  }

  setPosition(index: number, count: number): void {
    this.indexEl.textContent = `Shot ${index + 1}`
    this.upBtn.disabled = !this.editable || index === 0
    this.downBtn.disabled = !this.editable || index === count - 1
  }

  setEditable(editable: boolean): void {
    this.editable = editable
    this.editor?.setEditable(editable)
    this.cast.setEditable(editable)
    for (const input of Object.values(this.inputs)) input.disabled = !editable
    this.removeBtn.disabled = !editable
    this.rerollBtn.disabled = !editable
    this.el.classList.toggle('readonly', !editable)
  }

  destroy(): void {
    this.shot.unobserve(this.observer)
    this.editor?.destroy()
    this.understood?.destroy()
    this.cast.destroy()
    this.el.remove()
  }
}
