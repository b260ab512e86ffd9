// Wording shared by the social pages: error messages for people (rate limits included), relative
// times, compact counts and character counting that matches the server's (code points, not UTF-16).
import { ApiError } from '../api'

/** What to tell the user about a failed request. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError && e.status === 429) return 'You are doing that too often. Wait a moment and try again.'
  const msg = e instanceof Error ? e.message : String(e)
  return msg.charAt(0).toUpperCase() + msg.slice(1)
}

/** Characters as the server counts them. */
export const charCount = (s: string): number => [...s].length

/** "just now", "5 min ago", "3 h ago", "2 d ago", else the date. */
export function timeAgo(iso: string): string {
  const t = Date.parse(iso)
  if (!Number.isFinite(t)) return ''
  const s = Math.max(0, (Date.now() - t) / 1000)
  if (s < 60) return 'just now'
  if (s < 3600) return `${Math.floor(s / 60)} min ago`
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`
  if (s < 7 * 86400) return `${Math.floor(s / 86400)} d ago`
  return new Date(t).toLocaleDateString()
}

/** 999, 1.2k, 34k, 1.5M. */
export function compact(n: number): string {
  if (n < 1000) return String(n)
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0).replace(/\.0$/, '')}k`
  return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`
}

/** "1 like", "3 likes". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${compact(n)} ${n === 1 ? one : many}`

export const clipHref = (id: string): string => `#/clip/${encodeURIComponent(id)}`
export const profileHref = (username: string): string => `#/u/${encodeURIComponent(username)}`
