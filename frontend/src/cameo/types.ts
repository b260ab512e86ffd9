// Wire types of cameos (avatars, consent grants, likeness reports, notifications), re-exported from the
// ts-rs twins of the Rust `protocol::avatar` module (src/protocol/generated, drift-checked by `cargo test`).

export type { Audience } from '../protocol/generated/Audience'
export type { AvatarPermissions } from '../protocol/generated/AvatarPermissions'
export type { AvatarStatus } from '../protocol/generated/AvatarStatus'
export type { AvatarUse } from '../protocol/generated/AvatarUse'
export type { AvatarView } from '../protocol/generated/AvatarView'
export type { CastableAvatar } from '../protocol/generated/CastableAvatar'
export type { Challenge } from '../protocol/generated/Challenge'
export type { ChallengeStep } from '../protocol/generated/ChallengeStep'
export type { Extraction } from '../protocol/generated/Extraction'
export type { FailReason } from '../protocol/generated/FailReason'
export type { GrantView } from '../protocol/generated/GrantView'
export type { NewReport } from '../protocol/generated/NewReport'
export type { Notice } from '../protocol/generated/Notice'
export type { ReportReceipt } from '../protocol/generated/ReportReceipt'
export type { UseState } from '../protocol/generated/UseState'

/**
 * Limits of `protocol::avatar` (Rust constants; not generated, so mirrored here: keep in step with
 * protocol/src/avatar.rs).
 */
export const AVATAR_LIMITS = {
  /** A challenge expires this long after it is issued. */
  challengeTtlSecs: 120,
  minRecordingSecs: 3,
  maxRecordingSecs: 15,
  /** 25 MiB. */
  maxUploadBytes: 25 * 1024 * 1024,
  maxRulesChars: 1000,
  maxPermissionList: 200,
  maxReportDetailsChars: 2000,
} as const
