// Making an avatar: asks the server for a challenge, opens the front camera (mirrored preview), records
// with MediaRecorder while showing the challenge's steps one at a time with a countdown, stops after the
// last step (3-15 s in all), then uploads the video with a progress bar. What happens next (processing,
// ready, failed) is the avatar panel's business: `onUploaded` hands it the new avatar.
import { api, ApiError } from '../api'
import { h, setChildren } from '../dom'
import { notice } from '../layout'
import { errorText } from '../social/format'
import { Recording, cameraErrorText, openCamera, pickRecordingType, recordingFileName, stopStream } from './recorder'
import { AVATAR_LIMITS, type AvatarView, type Challenge, type ChallengeStep } from './types'
import { HONEST_NOTES, stepText } from './wording'
import './cameo.css'

/** How long each step is shown (and recorded). */
export const STEP_MS = 2500
/** The whole recording stays inside the server's 3-15 s, with a margin. */
const MIN_TOTAL_MS = (AVATAR_LIMITS.minRecordingSecs + 0.5) * 1000
const MAX_TOTAL_MS = (AVATAR_LIMITS.maxRecordingSecs - 1) * 1000

/** Milliseconds per step for a challenge of `steps` steps. */
export function stepDuration(steps: number): number {
  const n = Math.max(1, steps)
  return Math.min(Math.max(STEP_MS, MIN_TOTAL_MS / n), MAX_TOTAL_MS / n)
}

type State = 'idle' | 'starting' | 'recording' | 'uploading' | 'uploaded' | 'error' | 'unsupported'

export class EnrolPanel {
  readonly el: HTMLElement
  private readonly startBtn = h('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'make-avatar' }, 'Make your avatar')
  private readonly keepRaw = h('input', { type: 'checkbox', 'data-testid': 'keep-raw' })
  private readonly intro: HTMLElement
  private readonly preview = h('video', { class: 'cameo-preview', muted: true, playsinline: true, autoplay: true, 'aria-label': 'Your camera (mirrored)' })
  private readonly stepTitle = h('p', { class: 'cameo-step-title', 'data-testid': 'step-title' })
  private readonly stepBig = h('p', { class: 'cameo-step-big', 'data-testid': 'step-big' })
  private readonly countdown = h('p', { class: 'cameo-countdown', 'data-testid': 'step-countdown' })
  private readonly stepBar = h('progress', { class: 'cameo-step-bar', max: 1, value: 0 })
  private readonly stepCount = h('p', { class: 'cameo-step-count' })
  private readonly stage: HTMLElement
  private readonly stepList = h('ol', { class: 'cameo-steps', 'data-testid': 'challenge-steps' })
  private readonly uploadBar = h('progress', { max: 1, value: 0, 'data-testid': 'upload-progress' })
  private readonly uploadLine: HTMLElement
  private readonly status = h('p', { class: 'muted', 'data-testid': 'enrol-status', 'aria-live': 'polite' })
  private readonly playback = h('video', { class: 'cameo-playback', controls: true, muted: true, playsinline: true, 'data-testid': 'recording', hidden: true })
  private readonly err = notice('error')
  private stream: MediaStream | null = null
  private recording: Recording | null = null
  private abort: AbortController | null = null
  private playbackUrl: string | null = null
  private destroyed = false

  constructor(private readonly onUploaded: (view: AvatarView) => void) {
    this.preview.muted = true
    this.playback.muted = true
    this.startBtn.onclick = () => void this.run()
    this.intro = h(
      'div',
      { class: 'cameo-intro' },
      h('p', {}, 'You will record a short selfie video (about 10 seconds) while following a few steps on screen: look at the camera, turn your head, say some digits. From it we make an avatar based on your look.'),
      h('ul', { class: 'cameo-notes muted small' }, HONEST_NOTES.map((n) => h('li', {}, n))),
      h('label', { class: 'cameo-check small' }, this.keepRaw, h('span', {}, 'Keep my raw recording as evidence of consent (otherwise it is deleted once the avatar is made).')),
    )
    this.stage = h(
      'div',
      { class: 'cameo-stage', hidden: true, 'data-testid': 'enrol-stage' },
      this.preview,
      h('div', { class: 'cameo-overlay' }, this.stepCount, this.stepTitle, this.stepBig, this.countdown, this.stepBar),
      h('span', { class: 'cameo-rec' }, 'REC'),
    )
    this.uploadLine = h('div', { class: 'cameo-upload', hidden: true }, this.uploadBar)
    this.el = h(
      'section',
      { class: 'card cameo-enrol', 'data-testid': 'enrol' },
      h('h2', {}, 'Make your avatar'),
      this.intro,
      this.stage,
      this.stepList,
      this.uploadLine,
      this.status,
      this.err.el,
      h('div', { class: 'cameo-actions' }, this.startBtn),
      this.playback,
    )
    if (!pickRecordingType()) {
      this.setState('unsupported')
      this.err.show('This browser cannot record video in a format we read (WebM VP8/VP9 or MP4 H.264). Try a recent Chrome, Edge, Firefox or Safari.')
    } else this.setState('idle')
  }

  /** Labels the button for a new try once a recording was refused. */
  setRetry(retry: boolean): void {
    if (this.el.dataset.state === 'idle') this.startBtn.textContent = retry ? 'Try again' : 'Make your avatar'
  }

  /** Tells the person how the upload ended once the server has checked it. */
  checked(view: AvatarView): void {
    if (this.el.dataset.state !== 'uploaded') return
    if (view.status === 'failed') this.status.textContent = 'That recording did not work: see why below, then record again.'
    else if (view.status === 'ready') this.status.textContent = 'Your avatar is ready.'
  }

  private setState(state: State): void {
    this.el.dataset.state = state
    const busy = state === 'starting' || state === 'recording' || state === 'uploading'
    this.startBtn.hidden = busy || state === 'unsupported'
    this.startBtn.disabled = busy
    this.intro.hidden = busy
    this.keepRaw.disabled = busy
    this.stage.hidden = state !== 'recording' && state !== 'starting'
    this.stepList.hidden = state !== 'recording' && state !== 'starting'
    this.uploadLine.hidden = state !== 'uploading'
    if (state === 'uploaded' || state === 'error') this.startBtn.textContent = 'Record again'
  }

  private async run(): Promise<void> {
    const mime = pickRecordingType()
    if (!mime) return
    this.err.clear()
    this.discardPlayback()
    this.setState('starting')
    this.status.textContent = 'Getting your steps…'
    let challenge: Challenge
    try {
      challenge = await api.avatarChallenge()
    } catch (e) {
      return this.fail(errorText(e))
    }
    if (this.destroyed) return
    this.showSteps(challenge.steps)
    this.status.textContent = 'Opening the camera… (allow it if your browser asks)'
    try {
      this.stream = await openCamera()
    } catch (e) {
      return this.fail(cameraErrorText(e))
    }
    if (this.destroyed) return stopStream(this.stream)
    this.preview.srcObject = this.stream
    try {
      await this.preview.play()
      await this.firstFrame()
      this.recording = new Recording(this.stream, mime)
      await this.recording.start()
    } catch (e) {
      return this.fail(`Cannot record: ${errorText(e)}`)
    }
    if (this.destroyed) return
    this.el.dataset.mime = mime
    this.setState('recording')
    this.status.textContent = 'Recording… follow each step.'
    const stepMs = stepDuration(challenge.steps.length)
    for (let i = 0; i < challenge.steps.length; i++) {
      this.showStep(challenge.steps, i)
      await this.count(stepMs)
      if (this.destroyed) return
    }
    const recording = this.recording
    this.recording = null
    let result: { blob: Blob; seconds: number }
    try {
      result = await recording.stop()
    } catch (e) {
      return this.fail(`The recording failed: ${errorText(e)}`)
    } finally {
      this.closeCamera()
    }
    if (this.destroyed) return
    this.showPlayback(result.blob, mime)
    if (result.seconds < AVATAR_LIMITS.minRecordingSecs) return this.fail('The recording came out shorter than 3 seconds. Try again.')
    if (result.blob.size > AVATAR_LIMITS.maxUploadBytes) return this.fail('The recording is larger than 25 MB. Try again.')
    await this.upload(challenge, result.blob, mime)
  }

  /** Resolves once the preview shows a frame (recording before that gives a black start). */
  private firstFrame(): Promise<void> {
    if (this.preview.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) return Promise.resolve()
    return new Promise((resolve) => this.preview.addEventListener('loadeddata', () => resolve(), { once: true }))
  }

  private showSteps(steps: ChallengeStep[]): void {
    this.el.dataset.steps = steps.map((s) => s.kind).join(',')
    setChildren(
      this.stepList,
      steps.map((s, i) => {
        const t = stepText(s)
        return h('li', { 'data-step-index': String(i), 'data-kind': s.kind }, t.title, s.kind === 'say_digits' ? `: ${t.big}` : '')
      }),
    )
  }

  private showStep(steps: ChallengeStep[], i: number): void {
    const t = stepText(steps[i])
    this.stage.dataset.step = steps[i].kind
    this.stage.dataset.stepIndex = String(i)
    this.stepCount.textContent = `Step ${i + 1} of ${steps.length}`
    this.stepTitle.textContent = t.title
    this.stepBig.textContent = t.big
    this.stepBig.dataset.kind = steps[i].kind
    for (const li of this.stepList.children) {
      const idx = Number((li as HTMLElement).dataset.stepIndex)
      li.classList.toggle('current', idx === i)
      li.classList.toggle('done', idx < i)
    }
  }

  /** Counts `ms` down on screen (whole seconds and a bar). */
  private count(ms: number): Promise<void> {
    const start = performance.now()
    return new Promise((resolve) => {
      const tick = () => {
        if (this.destroyed) return resolve()
        const left = Math.max(0, ms - (performance.now() - start))
        this.countdown.textContent = String(Math.ceil(left / 1000))
        this.stepBar.value = 1 - left / ms
        if (left <= 0) resolve()
        else setTimeout(tick, Math.min(100, left))
      }
      tick()
    })
  }

  private async upload(challenge: Challenge, blob: Blob, mime: string): Promise<void> {
    this.setState('uploading')
    this.uploadBar.value = 0
    this.status.textContent = `Uploading your recording (${(blob.size / 1024).toFixed(0)} KB)…`
    this.abort = new AbortController()
    try {
      const view = await api.uploadAvatar(challenge.id, blob, recordingFileName(mime), this.keepRaw.checked, (sent) => (this.uploadBar.value = sent), this.abort.signal)
      if (this.destroyed) return
      this.setState('uploaded')
      this.status.textContent = 'Uploaded. We are checking it now.'
      this.onUploaded(view)
    } catch (e) {
      if (this.destroyed) return
      if (e instanceof ApiError && e.code === 'invalid_upload') return this.fail(`The server refused the recording: ${e.message}. Record again (each recording needs fresh steps).`)
      if (e instanceof ApiError && e.status === 413) return this.fail('The recording is too large to upload. Try again.')
      this.fail(errorText(e))
    } finally {
      this.abort = null
    }
  }

  private fail(message: string): void {
    if (this.destroyed) return
    this.recording?.cancel()
    this.recording = null
    this.closeCamera()
    this.setState('error')
    this.status.textContent = ''
    this.err.show(message)
  }

  private showPlayback(blob: Blob, mime: string): void {
    this.discardPlayback()
    this.playbackUrl = URL.createObjectURL(blob)
    this.playback.src = this.playbackUrl
    this.playback.dataset.mime = mime
    this.playback.dataset.bytes = String(blob.size)
    this.playback.hidden = false
  }

  private discardPlayback(): void {
    this.playback.hidden = true
    this.playback.removeAttribute('src')
    this.playback.load()
    if (this.playbackUrl) URL.revokeObjectURL(this.playbackUrl)
    this.playbackUrl = null
  }

  private closeCamera(): void {
    stopStream(this.stream)
    this.stream = null
    this.preview.srcObject = null
  }

  destroy(): void {
    this.destroyed = true
    this.recording?.cancel()
    this.recording = null
    this.abort?.abort()
    this.closeCamera()
    this.discardPlayback()
  }
}
