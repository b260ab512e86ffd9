// The scene-script Y.Doc schema (names and ranges the server validates) and the edits the UI makes to it.
import * as Y from 'yjs'
import * as limits from '../protocol/generated/scriptLimits'

// Limits and defaults come from the Rust `protocol::script` constants (generated, drift-checked).
export const SHOT_DEFAULTS = { duration_s: limits.DEFAULT_SHOT_SECONDS, style: 'cinematic' } as const
export const SETTINGS_DEFAULTS = {
  steps: limits.DEFAULT_STEPS,
  guidance: limits.DEFAULT_GUIDANCE,
  live: false,
  resolution: limits.DEFAULT_RESOLUTION,
} as const
export const RESOLUTIONS = limits.RESOLUTIONS
export const MAX_SEED = limits.MAX_SEED
export const MAX_STYLE = limits.MAX_STYLE_CHARS

export type SettingKey = keyof typeof SETTINGS_DEFAULTS
export type Shot = Y.Map<unknown>

export const titleText = (doc: Y.Doc): Y.Text => doc.getText('title')
export const shotsArray = (doc: Y.Doc): Y.Array<Shot> => doc.getArray<Shot>('shots')
export const settingsMap = (doc: Y.Doc): Y.Map<unknown> => doc.getMap('settings')

export const randomSeed = (): number => Math.floor(Math.random() * 2 ** 31)

export function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n))
}

/** Normalise user input for a shot field; returns null when the input is not usable. */
export function sanitizeShotField(key: 'duration_s' | 'seed' | 'style', raw: string): number | string | null {
  if (key === 'style') return raw.trim().slice(0, MAX_STYLE) || SHOT_DEFAULTS.style
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n)) return null
  if (key === 'duration_s') return clamp(Math.round(n * 10) / 10, limits.MIN_SHOT_SECONDS, limits.MAX_SHOT_SECONDS)
  return clamp(Math.round(n), 0, MAX_SEED)
}

export function sanitizeSetting(key: SettingKey, raw: string | boolean): number | boolean | null {
  if (key === 'live') return Boolean(raw)
  const n = Number(raw)
  if (raw === '' || !Number.isFinite(n)) return null
  if (key === 'steps') return clamp(Math.round(n), limits.MIN_STEPS, limits.MAX_STEPS)
  if (key === 'guidance') return clamp(Math.round(n * 10) / 10, 0, limits.MAX_GUIDANCE)
  const r = Math.round(n)
  return (RESOLUTIONS as readonly number[]).includes(r) ? r : SETTINGS_DEFAULTS.resolution
}

function buildShot(id: string, text: string, fields: { duration_s: number; seed: number; style: string }, avatars: string[] = []): Shot {
  const shot = new Y.Map<unknown>()
  const prompt = new Y.Text()
  if (text) prompt.insert(0, text)
  shot.set('id', id)
  shot.set('prompt', prompt)
  shot.set('duration_s', fields.duration_s)
  shot.set('seed', fields.seed)
  shot.set('style', fields.style)
  // fill nested types before they are integrated: a prelim Y.Map cannot be read back with get()
  const avatarList = new Y.Array<string>()
  if (avatars.length) avatarList.push(avatars)
  shot.set('avatars', avatarList)
  return shot
}

export function newShotId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : 'shot-' + Math.random().toString(36).slice(2) + Date.now().toString(36)
}

/** Insert a fresh shot with defaults at `index` (end by default). */
export function addShot(doc: Y.Doc, index?: number): void {
  const shots = shotsArray(doc)
  const at = index === undefined ? shots.length : clamp(index, 0, shots.length)
  shots.insert(at, [buildShot(newShotId(), '', { duration_s: SHOT_DEFAULTS.duration_s, seed: randomSeed(), style: SHOT_DEFAULTS.style })])
}

export function removeShot(doc: Y.Doc, shot: Shot): void {
  const shots = shotsArray(doc)
  const i = shots.toArray().indexOf(shot)
  if (i >= 0) shots.delete(i, 1)
}

/** Move a shot by deleting it and inserting a copy (same id, new Y.Text with the same text). */
export function moveShot(doc: Y.Doc, shot: Shot, delta: number): void {
  const shots = shotsArray(doc)
  doc.transact(() => {
    const from = shots.toArray().indexOf(shot)
    const to = from + delta
    if (from < 0 || to < 0 || to >= shots.length) return
    const prompt = shot.get('prompt')
    const avatars = shot.get('avatars')
    const copy = buildShot(
      String(shot.get('id') ?? newShotId()),
      prompt instanceof Y.Text ? prompt.toString() : '',
      {
        duration_s: numberOr(shot.get('duration_s'), SHOT_DEFAULTS.duration_s),
        seed: numberOr(shot.get('seed'), randomSeed()),
        style: typeof shot.get('style') === 'string' ? String(shot.get('style')) : SHOT_DEFAULTS.style,
      },
      avatars instanceof Y.Array ? avatars.toArray().filter((a): a is string => typeof a === 'string') : [],
    )
    shots.delete(from, 1)
    shots.insert(to, [copy])
  })
}

/** Write one setting, filling any missing settings with defaults in the same transaction. */
export function setSetting(doc: Y.Doc, key: SettingKey, value: number | boolean): void {
  const settings = settingsMap(doc)
  doc.transact(() => {
    for (const [k, v] of Object.entries(SETTINGS_DEFAULTS)) if (!settings.has(k)) settings.set(k, v)
    settings.set(key, value)
  })
}

/** Owner-only first-open initialisation of an empty script (called after sync). */
export function initEmptyScript(doc: Y.Doc, roomTitle: string): void {
  doc.transact(() => {
    const title = titleText(doc)
    if (title.length === 0 && roomTitle) title.insert(0, roomTitle)
    if (shotsArray(doc).length === 0) addShot(doc)
    const settings = settingsMap(doc)
    for (const [k, v] of Object.entries(SETTINGS_DEFAULTS)) if (!settings.has(k)) settings.set(k, v)
  })
}

export function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback
}
