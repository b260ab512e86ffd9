// What cameo states mean in plain words: recording steps, why a recording was refused, avatar and use
// states, audiences. The honest notes every avatar screen repeats live here too.
import type { Audience, AvatarStatus, ChallengeStep, FailReason, UseState } from './types'

/** Said wherever an avatar is made or shown: it is based on a look, and what the liveness check is. */
export const HONEST_NOTES = [
  'Reelroom makes an avatar based on your look (your colours and shape), not a copy of your face.',
  'Liveness checks head turns; it is not certified anti-spoofing: a replayed video, a mask or a live face swap could pass. The spoken digits are not checked yet.',
] as const

/** One instruction while recording, with the arrow or digits to show big. */
export function stepText(step: ChallengeStep): { title: string; big: string } {
  switch (step.kind) {
    case 'look_center':
      return { title: 'Look straight at the camera', big: '•' }
    case 'turn_left':
      return { title: 'Turn your head to your left', big: '←' }
    case 'turn_right':
      return { title: 'Turn your head to your right', big: '→' }
    case 'say_digits':
      return { title: 'Say these digits out loud', big: step.digits.split('').join(' ') }
  }
}

/** Why a recording was refused, and what to do about it. */
export function failText(reason: FailReason | null | undefined): string {
  switch (reason) {
    case 'unsupported_format':
      return 'We could not read this video. Record it again on this page (in Chrome, Edge, Firefox or Safari).'
    case 'too_short':
      return 'The recording was too short (under 3 seconds). Try again and follow every step.'
    case 'too_long':
      return 'The recording was too long (over 15 seconds). Try again.'
    case 'no_face':
      return 'We could not find your face in most of the video. Face the camera with your whole face in the picture.'
    case 'two_faces':
      return 'We saw more than one face. Record alone, with nobody else in the picture.'
    case 'face_too_small':
      return 'Your face was too small in the picture. Move closer to the camera.'
    case 'too_dark':
      return 'It was too dark to see your face. Turn on a light or face a window.'
    case 'too_blurry':
      return 'The video was too blurry. Hold the camera still and wipe the lens.'
    case 'challenge_not_followed':
      return 'Your head turns did not match the steps (or your face did not move). Turn your head, not just your eyes, as each step is shown.'
    default:
      return 'We could not make an avatar from this recording.'
  }
}

export function statusText(status: AvatarStatus): string {
  switch (status) {
    case 'processing':
      return 'Processing'
    case 'ready':
      return 'Ready'
    case 'failed':
      return 'Failed'
    case 'revoked':
      return 'Revoked'
  }
}

export function useStateText(state: UseState): string {
  switch (state) {
    case 'draft':
      return 'Draft (only in its room)'
    case 'posted':
      return 'Posted'
    case 'hidden':
      return 'Hidden'
    case 'removed':
      return 'Removed'
  }
}

export const AUDIENCES: { who: Audience; label: string; hint: string }[] = [
  { who: 'only_me', label: 'Only me', hint: 'Nobody else can cast it.' },
  { who: 'approved', label: 'People I approve', hint: 'Only the usernames in your approved list.' },
  { who: 'mutuals', label: 'Mutuals', hint: 'People you follow who follow you back.' },
  { who: 'everyone', label: 'Everyone', hint: 'Anyone signed in, except the people you block.' },
]

/** Shown (and acknowledged) before "Everyone" is saved. */
export const EVERYONE_WARNING =
  'Anyone signed in will be able to put an avatar based on your look into their videos, including scenes you would not choose. ' +
  'Your rules are shown to them but nothing enforces them. You can see and delete every clip that uses it, and revoke it at any time.'
