// Who is signed in: a cached `GET /api/me` answer, refreshed on sign in / sign out.
import { api, ApiError } from './api'
import type { UserView } from './api-types'

let current: UserView | null | undefined = undefined

/** The signed-in user, or null. Asks the server once, then answers from cache. */
export async function currentUser(): Promise<UserView | null> {
  if (current !== undefined) return current
  try {
    current = await api.me()
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) current = null
    else throw e
  }
  return current
}

export function setCurrentUser(user: UserView | null): void {
  current = user
}

export async function signOut(): Promise<void> {
  try {
    await api.logout()
  } finally {
    current = null
  }
}
