// Room render settings (steps, guidance, live, resolution) bound to the `settings` Y.Map.
import type * as Y from 'yjs'
import { h } from '../dom'
import { MAX_GUIDANCE, MAX_STEPS, MIN_STEPS } from '../protocol/generated/scriptLimits'
import { RESOLUTIONS, SETTINGS_DEFAULTS, setSetting, settingsMap, sanitizeSetting, type SettingKey } from './schema'

export class SettingsPanel {
  readonly el: HTMLElement
  private readonly settings: Y.Map<unknown>
  private readonly steps = h('input', { type: 'number', min: MIN_STEPS, max: MAX_STEPS, step: 1, 'data-setting': 'steps', 'aria-label': 'Steps' })
  private readonly guidance = h('input', { type: 'number', min: 0, max: MAX_GUIDANCE, step: 0.5, 'data-setting': 'guidance', 'aria-label': 'Guidance' })
  private readonly live = h('input', { type: 'checkbox', 'data-setting': 'live', 'aria-label': 'Live preview' })
  private readonly resolution = h(
    'select',
    { 'data-setting': 'resolution', 'aria-label': 'Resolution' },
    RESOLUTIONS.map((r) => h('option', { value: String(r) }, `${r}×${r}`)),
  )
  private readonly observer = () => this.sync()

  constructor(private readonly doc: Y.Doc, editable: boolean) {
    this.settings = settingsMap(doc)
    const bind = (el: HTMLInputElement | HTMLSelectElement, key: SettingKey) =>
      el.addEventListener('change', () => {
        const value = sanitizeSetting(key, el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value)
        if (value !== null && value !== this.settings.get(key)) setSetting(this.doc, key, value)
        this.sync(true)
      })
    bind(this.steps, 'steps')
    bind(this.guidance, 'guidance')
    bind(this.live, 'live')
    bind(this.resolution, 'resolution')
    this.el = h(
      'section',
      { class: 'card panel settings', 'data-testid': 'settings' },
      h('h3', {}, 'Render settings'),
      h('label', { class: 'setting' }, h('span', {}, 'Steps'), this.steps),
      h('label', { class: 'setting' }, h('span', {}, 'Guidance'), this.guidance),
      h('label', { class: 'setting' }, h('span', {}, 'Resolution'), this.resolution),
      h('label', { class: 'setting switch' }, h('span', {}, 'Live preview'), this.live, h('i', { class: 'switch-ui' })),
    )
    this.settings.observe(this.observer)
    this.sync(true)
    this.setEditable(editable)
  }

  private get<K extends SettingKey>(key: K): (typeof SETTINGS_DEFAULTS)[K] {
    const v = this.settings.get(key)
    return (typeof v === typeof SETTINGS_DEFAULTS[key] ? v : SETTINGS_DEFAULTS[key]) as (typeof SETTINGS_DEFAULTS)[K]
  }

  private sync(force = false): void {
    const set = (el: HTMLInputElement | HTMLSelectElement, value: string) => {
      if (force || document.activeElement !== el) el.value = value
    }
    set(this.steps, String(this.get('steps')))
    set(this.guidance, String(this.get('guidance')))
    set(this.resolution, String(this.get('resolution')))
    this.live.checked = Boolean(this.get('live'))
  }

  setEditable(editable: boolean): void {
    for (const el of [this.steps, this.guidance, this.live, this.resolution]) el.disabled = !editable
  }

  destroy(): void {
    this.settings.unobserve(this.observer)
  }
}
