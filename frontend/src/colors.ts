// Stable per-user colours: the same username always maps to the same palette entry.

const PALETTE = ['#7c5cff', '#22c3a6', '#ff7a59', '#f5b83d', '#3fa9f5', '#e85d9c', '#8bd450', '#b07cff', '#ff5f6d', '#2ec4e6']

export function colorFor(name: string): string {
  let hash = 2166136261
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i)
    hash = Math.imul(hash, 16777619)
  }
  return PALETTE[(hash >>> 0) % PALETTE.length]
}

/** The awareness `user` field y-codemirror.next reads for remote cursors. */
export function awarenessUser(name: string): { name: string; color: string; colorLight: string } {
  const color = colorFor(name)
  return { name, color, colorLight: `${color}33` }
}
