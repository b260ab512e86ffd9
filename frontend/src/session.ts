// Who is signed in: a cached `GET /api/me` answer, refreshed on sign in / sign out; and where to
// return after signing in (a page that sent the user to the sign-in form remembers its path).
import { api, ApiError } from './api'
import type { UserView } from './api-types'
import { navigate } from './router'

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
  forgetReturnTo()
  try {
    await api.logout()
  } finally {
    current = null
  }
}

const RETURN_KEY = 'reelroom.returnTo'

/** Remembers an in-app path (`/join/…`) to come back to after signing in (this tab only). */
export function rememberReturnTo(path: string): void {
  if (!path.startsWith('/') || path.startsWith('/login')) return
  try {
    sessionStorage.setItem(RETURN_KEY, path)
  } catch {
    // storage unavailable: the user lands on the rooms page instead
  }
}

/** The remembered path, if any, without forgetting it. */
export function peekReturnTo(): string | null {
  try {
    return sessionStorage.getItem(RETURN_KEY)
  } catch {
    return null
  }
}

export function forgetReturnTo(): void {
  try {
    sessionStorage.removeItem(RETURN_KEY)
  } catch {
    // nothing to forget
  }
}

/** Where to go after signing in: the remembered path (then forgotten), else the rooms page. */
export function takeReturnTo(): string {
  const path = peekReturnTo()
  forgetReturnTo()
  return path && path.startsWith('/') && !path.startsWith('/login') ? path : '/'
}

/** Sends a signed-out user to the sign-in form, to come back to `path` afterwards. */
export function signInThenReturn(path: string): void {
  rememberReturnTo(path)
  navigate('/login')
}
