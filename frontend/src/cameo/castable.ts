// What the studio knows about avatars: the caller's castable list (GET /api/avatars/castable, cached
// briefly and shared by every shot card), names for avatar ids already cast in a script (someone else may
// have cast an avatar the caller cannot; handles once seen are remembered for the tab, as the server
// answers 404 for an avatar one may no longer cast), and the latest `avatar_not_permitted` refusal.
import { api } from '../api'
import { Signal } from '../signal'
import type { CastableAvatar } from './types'

const FRESH_MS = 30_000

let cached: { at: number; list: Promise<CastableAvatar[]> } | null = null

/** How a cast avatar is shown: its handle (null when the caller may not see it) and a crop. */
export interface AvatarLabel {
  handle: string | null
  crop: string | null
  /** Whether the caller may cast it (as far as this page knows). */
  castable: boolean
}

/** Labels known now, and lookups on their way. */
const labels = new Map<string, AvatarLabel>()
const pending = new Map<string, Promise<AvatarLabel>>()

const HANDLES_KEY = 'reelroom.avatarHandles'

/** Handles seen in this tab, by avatar id. */
function seenHandles(): Record<string, string> {
  try {
    return JSON.parse(sessionStorage.getItem(HANDLES_KEY) ?? '{}') as Record<string, string>
  } catch {
    return {}
  }
}

function rememberHandle(id: string, handle: string): void {
  const seen = seenHandles()
  if (seen[id] === handle) return
  seen[id] = handle
  try {
    sessionStorage.setItem(HANDLES_KEY, JSON.stringify(seen))
  } catch {
    // storage unavailable: a reload shows "unavailable avatar" instead of its handle
  }
}

/** The avatars the caller may cast now; `fresh` asks the server again. */
export function castableAvatars(fresh = false): Promise<CastableAvatar[]> {
  if (!cached || fresh || performance.now() - cached.at > FRESH_MS) {
    const list = api.castableAvatars()
    cached = { at: performance.now(), list }
    list.then(
      (avatars) => {
        const now = new Set(avatars.map((a) => a.id))
        // an avatar no longer listed (revoked, permissions changed) keeps its name but is no longer castable
        for (const [id, l] of labels) if (l.castable && !now.has(id)) labels.set(id, { ...l, castable: false })
        for (const a of avatars) {
          labels.set(a.id, { handle: a.handle, crop: a.crop_url, castable: true })
          rememberHandle(a.id, a.handle)
        }
      },
      () => (cached = null),
    )
  }
  return cached.list
}

/** The label of avatar `id`, from the castable list or else GET /api/avatars/{id}. */
export function avatarLabel(id: string): Promise<AvatarLabel> {
  const known = labels.get(id)
  if (known) return Promise.resolve(known)
  let label = pending.get(id)
  if (!label) {
    label = castableAvatars()
      .catch(() => [] as CastableAvatar[])
      .then((list): AvatarLabel | Promise<AvatarLabel> => {
        const hit = list.find((a) => a.id === id)
        if (hit) return { handle: hit.handle, crop: hit.crop_url, castable: true }
        return api.getAvatar(id).then(
          (v): AvatarLabel => ({ handle: v.handle, crop: v.crops[0] ?? null, castable: false }),
          (): AvatarLabel => ({ handle: seenHandles()[id] ?? null, crop: null, castable: false }),
        )
      })
      .then((l) => {
        pending.delete(id)
        if (l.handle) rememberHandle(id, l.handle)
        if (!labels.has(id)) labels.set(id, l)
        return labels.get(id)!
      })
    pending.set(id, label)
  }
  return label
}

/** The room's latest refusal to generate because of a cast avatar (`avatar_not_permitted`). */
export const avatarRefusal = new Signal<{ message: string; at: number } | null>(null)

/**
 * Whether a refusal message is about the avatar `id`: it names its id or @handle, or the avatar is one
 * the caller may not cast and whose handle is unknown here (the likely culprit).
 */
export function refusalNames(message: string, id: string, label: AvatarLabel): boolean {
  if (message.includes(id)) return true
  if (label.handle === null) return !label.castable
  return new RegExp(`@${label.handle}(?![a-z0-9_])`, 'i').test(message)
}
