// Hand-written wire types for the reelroom HTTP + control-socket API.
// They mirror the Rust types; the lead will switch imports to src/protocol/generated/ later.

export type Role = 'owner' | 'editor' | 'viewer'
export type MemberRole = 'editor' | 'viewer'

export interface ErrorBody {
  code: string
  message: string
}

export interface UserView {
  id: string
  username: string
}

export interface RoomSummary {
  id: string
  title: string
  role: Role
}

export interface MemberView {
  username: string
  role: Role
}

export interface RoomView extends RoomSummary {
  members: MemberView[]
}

export interface TicketView {
  ticket: string
  role: Role
  /** unix seconds */
  expires_at: number
}

export interface OnlineMember {
  user_id: string
  username: string
  role: Role
}

export type ClientMessage = { type: 'hello' }

export type ServerMessage =
  | { type: 'welcome'; protocol_version: number; role: Role; members_online: OnlineMember[] }
  | { type: 'members_online'; members_online: OnlineMember[] }
  | { type: 'error'; code: string; message: string }

/** Close codes the server uses on /sync and /control sockets. */
export const CloseCode = {
  Malformed: 4400,
  Forbidden: 4403,
  SlowConsumer: 4408,
  TooLarge: 4413,
  RateLimited: 4429,
  ShuttingDown: 4001,
} as const
