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
export type { ClipView } from './protocol/generated/ClipView'
export type { Understanding } from './protocol/generated/Understanding'
// the social feed
export type { PostClip } from './protocol/generated/PostClip'
export type { PostView } from './protocol/generated/PostView'
export type { FeedPage } from './protocol/generated/FeedPage'
export type { ForYouScore } from './protocol/generated/ForYouScore'
export type { Visibility } from './protocol/generated/Visibility'
export type { ProfileView } from './protocol/generated/ProfileView'
export type { LikeView } from './protocol/generated/LikeView'
export type { FollowView } from './protocol/generated/FollowView'
export type { NewComment } from './protocol/generated/NewComment'
export type { CommentView } from './protocol/generated/CommentView'
export type { CommentPage } from './protocol/generated/CommentPage'
export type { LineageNode } from './protocol/generated/LineageNode'
export type { LineageView } from './protocol/generated/LineageView'
export type { RemixRequest } from './protocol/generated/RemixRequest'

/** Roles an owner can give. */
export type MemberRole = Exclude<Role, 'owner'>
/** Which feed: ranked for the caller, from people they follow, or everything newest first. */
export type FeedKind = 'for-you' | 'following' | 'latest'
/** A room in the "my rooms" list (and the answer to a remix: the caller's new room). */
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
