// Thin fetch wrappers for the REST API; every non-2xx answer becomes an ApiError carrying the server's ErrorBody.
// Uploads (the avatar recording) go through XMLHttpRequest instead, which reports upload progress.
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
import type {
  AvatarPermissions,
  AvatarUse,
  AvatarView,
  CastableAvatar,
  Challenge,
  GrantView,
  NewReport,
  Notice,
  ReportReceipt,
} from './cameo/types'

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
  return answer<T>(res.status, res.statusText, await res.text(), quiet401)
}

/** The parsed body of an answer, or the ApiError a non-2xx answer stands for. */
function answer<T>(status: number, statusText: string, text: string, quiet401: boolean): T {
  let data: unknown = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = undefined
    }
  }
  if (status < 200 || status > 299) {
    const err = data as Partial<ErrorBody> | undefined
    const message = err?.message || `${status} ${statusText || 'request failed'}`
    if (status === 401 && !quiet401) unauthorizedListeners.forEach((fn) => fn())
    throw new ApiError(status, err?.code || `http_${status}`, message)
  }
  return data as T
}

/**
 * POSTs a multipart form, telling `onProgress` the share sent (0..1) as it goes; `signal` aborts it
 * (the promise then rejects with an AbortError).
 */
function upload<T>(path: string, form: FormData, onProgress?: (sent: number) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    const abort = () => xhr.abort()
    if (signal?.aborted) return reject(new DOMException('upload cancelled', 'AbortError'))
    signal?.addEventListener('abort', abort, { once: true })
    xhr.open('POST', path)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (ev) => ev.lengthComputable && onProgress?.(ev.loaded / ev.total)
    xhr.onload = () => {
      signal?.removeEventListener('abort', abort)
      try {
        resolve(xhr.status === 204 ? (undefined as T) : answer<T>(xhr.status, xhr.statusText, xhr.responseText, false))
      } catch (e) {
        reject(e)
      }
    }
    xhr.onerror = () => {
      signal?.removeEventListener('abort', abort)
      reject(new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection.'))
    }
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'))
    xhr.send(form)
  })
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

  // cameos: one's avatar (recorded against a challenge), who may cast it, where it is used
  /** What to do while recording (valid two minutes). */
  avatarChallenge: () => request<Challenge>('POST', '/api/avatars/challenge'),
  /** Uploads a recording made for `challenge`; answers 202 with the avatar `processing`. */
  uploadAvatar: (challenge: string, video: Blob, filename: string, keepRaw: boolean, onProgress?: (sent: number) => void, signal?: AbortSignal) => {
    const form = new FormData()
    form.set('challenge', challenge)
    if (keepRaw) form.set('keep_raw', 'true')
    form.set('video', video, filename)
    return upload<AvatarView>('/api/avatars', form, onProgress, signal)
  },
  getAvatar: (id: string, signal?: AbortSignal) => request<AvatarView>('GET', `/api/avatars/${enc(id)}`, undefined, false, signal),
  myAvatars: () => request<AvatarView[]>('GET', '/api/avatars/mine'),
  setAvatarPermissions: (id: string, permissions: AvatarPermissions) => request<AvatarView>('PUT', `/api/avatars/${enc(id)}/permissions`, permissions),
  /** Avatars the caller may cast now (their own included). */
  castableAvatars: () => request<CastableAvatar[]>('GET', '/api/avatars/castable'),
  /** Owner only: every clip casting the avatar, other people's drafts included. */
  avatarUses: (id: string) => request<AvatarUse[]>('GET', `/api/avatars/${enc(id)}/uses`),
  /** Owner only: removes a clip that casts the avatar (its media is deleted). */
  deleteAvatarUse: (id: string, clipId: string) => request<void>('DELETE', `/api/avatars/${enc(id)}/uses/${enc(clipId)}`),
  /** Owner only: hides every use and refuses new casts until enabled again. */
  revokeAvatar: (id: string) => request<AvatarView>('POST', `/api/avatars/${enc(id)}/revoke`),
  enableAvatar: (id: string) => request<AvatarView>('POST', `/api/avatars/${enc(id)}/enable`),
  deleteAvatar: (id: string) => request<void>('DELETE', `/api/avatars/${enc(id)}`),
  /** A signed consent record. */
  grant: (id: string) => request<GrantView>('GET', `/api/grants/${enc(id)}`),
  report: (report: NewReport) => request<ReportReceipt>('POST', '/api/reports', report),
  notifications: () => request<Notice[]>('GET', '/api/notifications'),
}
