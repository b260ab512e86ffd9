// Thin fetch wrappers for the REST API; every non-2xx answer becomes an ApiError carrying the server's ErrorBody.
import type {
  ClipView,
  CommentPage,
  CommentView,
  ErrorBody,
  FeedKind,
  FeedPage,
  FollowView,
  JoinRoom,
  LikeView,
  LineageView,
  MemberRole,
  MemberView,
  NewComment,
  PostClip,
  PostView,
  ProfileView,
  RemixRequest,
  RoomSummary,
  RoomView,
  ShareLinkView,
  TicketView,
  Understanding,
  UserView,
} from './api-types'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** Listeners told when any request answers 401 (session gone). */
const unauthorizedListeners = new Set<() => void>()
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn)
  return () => unauthorizedListeners.delete(fn)
}

async function request<T>(method: string, path: string, body?: unknown, quiet401 = false, signal?: AbortSignal): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    })
  } catch (e) {
    if (signal?.aborted) throw e // the caller cancelled it: not a network problem
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection.')
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  let data: unknown = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = undefined
    }
  }
  if (!res.ok) {
    const err = data as Partial<ErrorBody> | undefined
    const message = err?.message || `${res.status} ${res.statusText || 'request failed'}`
    if (res.status === 401 && !quiet401) unauthorizedListeners.forEach((fn) => fn())
    throw new ApiError(res.status, err?.code || `http_${res.status}`, message)
  }
  return data as T
}

const enc = encodeURIComponent

/** `?cursor=…&limit=…` for a paged list (absent parts left out). */
function page(cursor?: string | null, limit?: number): string {
  const q = new URLSearchParams()
  if (cursor) q.set('cursor', cursor)
  if (limit !== undefined) q.set('limit', String(limit))
  const s = q.toString()
  return s ? `?${s}` : ''
}

export const api = {
  signup: (username: string, password: string) => request<UserView>('POST', '/api/auth/signup', { username, password }, true),
  login: (username: string, password: string) => request<UserView>('POST', '/api/auth/login', { username, password }, true),
  logout: () => request<void>('POST', '/api/auth/logout', undefined, true),
  me: () => request<UserView>('GET', '/api/me', undefined, true),
  listRooms: () => request<RoomSummary[]>('GET', '/api/rooms'),
  createRoom: (title: string) => request<RoomSummary>('POST', '/api/rooms', { title }),
  getRoom: (id: string) => request<RoomView>('GET', `/api/rooms/${enc(id)}`),
  putMember: (id: string, username: string, role: MemberRole) =>
    request<MemberView>('PUT', `/api/rooms/${enc(id)}/members/${enc(username)}`, { role }),
  removeMember: (id: string, username: string) => request<void>('DELETE', `/api/rooms/${enc(id)}/members/${enc(username)}`),
  ticket: (id: string) => request<TicketView>('POST', `/api/rooms/${enc(id)}/ticket`),
  /** Owner only: a share link's token, which admits anyone signed in as a viewer until it expires. */
  shareRoom: (id: string) => request<ShareLinkView>('POST', `/api/rooms/${enc(id)}/share`),
  /** Joins through a share link (as a viewer, unless already a member). A 401 is left to the caller. */
  joinRoom: (id: string, invite: string) => request<MemberView>('POST', `/api/rooms/${enc(id)}/join`, { invite } satisfies JoinRoom, true),

  /** How the video model reads a prompt (cancel a stale read with `signal`). */
  understand: (text: string, signal?: AbortSignal) =>
    request<Understanding>('GET', `/api/understand?${new URLSearchParams({ text })}`, undefined, false, signal),

  // clips and posts
  getClip: (id: string) => request<ClipView>('GET', `/api/clips/${enc(id)}`),
  /** The author posts a draft (409 `conflict` when it is posted already). */
  postClip: (id: string, post: PostClip) => request<void>('POST', `/api/clips/${enc(id)}/post`, post),
  /** A posted clip the caller may see (404 otherwise). */
  getPost: (id: string) => request<PostView>('GET', `/api/clips/${enc(id)}/post`),
  /** The author removes their post. */
  deletePost: (id: string) => request<void>('DELETE', `/api/clips/${enc(id)}`),
  feed: (kind: FeedKind, cursor?: string | null, limit?: number) => request<FeedPage>('GET', `/api/feed/${kind}${page(cursor, limit)}`),
  like: (id: string) => request<LikeView>('PUT', `/api/clips/${enc(id)}/like`),
  unlike: (id: string) => request<LikeView>('DELETE', `/api/clips/${enc(id)}/like`),
  /** Counts the caller as a viewer of the post (once per person, however often it is called). */
  viewPost: (id: string) => request<void>('POST', `/api/clips/${enc(id)}/view`),
  comments: (id: string, cursor?: string | null) => request<CommentPage>('GET', `/api/clips/${enc(id)}/comments${page(cursor)}`),
  addComment: (id: string, comment: NewComment) => request<CommentView>('POST', `/api/clips/${enc(id)}/comments`, comment),
  deleteComment: (id: string) => request<void>('DELETE', `/api/comments/${enc(id)}`),
  lineage: (id: string, cursor?: string | null) => request<LineageView>('GET', `/api/clips/${enc(id)}/lineage${page(cursor)}`),
  /** A new room of the caller's whose script is the post's (generation there starts from its frames). */
  remix: (id: string, strength: number) => request<RoomSummary>('POST', `/api/clips/${enc(id)}/remix`, { strength } satisfies RemixRequest),
  // people
  profile: (username: string) => request<ProfileView>('GET', `/api/users/${enc(username)}`),
  userPosts: (username: string, cursor?: string | null) => request<FeedPage>('GET', `/api/users/${enc(username)}/posts${page(cursor)}`),
  follow: (username: string) => request<FollowView>('PUT', `/api/users/${enc(username)}/follow`),
  unfollow: (username: string) => request<FollowView>('DELETE', `/api/users/${enc(username)}/follow`),
}
