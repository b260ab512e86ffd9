// Wire types of the reelroom HTTP + control-socket API. The shapes come from the Rust
// `protocol` crate through ts-rs (src/protocol/generated, checked for drift by `cargo test`);
// this file only gives them the local names the app uses.

import type { Role } from './protocol/generated/Role'
import type { RoomView } from './protocol/generated/RoomView'
import type { RoomDetail } from './protocol/generated/RoomDetail'
import type { MemberOnline } from './protocol/generated/MemberOnline'

export type { Role } from './protocol/generated/Role'
export type { ErrorBody } from './protocol/generated/ErrorBody'
export type { UserView } from './protocol/generated/UserView'
export type { MemberView } from './protocol/generated/MemberView'
export type { TicketView } from './protocol/generated/TicketView'
export type { ShareLinkView } from './protocol/generated/ShareLinkView'
export type { JoinRoom } from './protocol/generated/JoinRoom'
export type { ClientMessage } from './protocol/generated/ClientMessage'
export type { ServerMessage } from './protocol/generated/ServerMessage'
export type { SceneScript } from './protocol/generated/SceneScript'

/** Roles an owner can give. */
export type MemberRole = Exclude<Role, 'owner'>
/** A room in the "my rooms" list. */
export type RoomSummary = RoomView
/** A room with its members (`GET /api/rooms/{id}`). */
export type { RoomDetail as RoomView }
/** Someone connected to the room right now. */
export type OnlineMember = MemberOnline

/** Close codes the server uses on /sync and /control sockets (protocol::CloseCode). */
export const CloseCode = {
  ShuttingDown: 4001,
  Malformed: 4400,
  Forbidden: 4403,
  SlowConsumer: 4408,
  IdleTimeout: 4410,
  TooLarge: 4413,
  RateLimited: 4429,
  RoomUnavailable: 4503,
} as const
