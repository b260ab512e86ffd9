// Generate panel: the live preview on top (live-video.ts), then starting and cancelling the room's
// generation, queue position, step / chunk progress with the time left, and the finished draft
// clip (an MP4 streamed with range requests) with Post (post-form.ts) when it is the caller's draft.
// Everyone in the room sees the same job and the same live video; only editors and owners can start a job.
import { api } from '../api'
import { h } from '../dom'
import { Signal } from '../signal'
import type { ControlSocket, JobState } from './control'
import { LiveVideo } from './live-video'
import { PostForm } from './post-form'

function describe(job: JobState | null): string {
  if (!job) return 'Press Generate to render the script.'
  switch (job.phase) {
    case 'queued':
      return job.position && job.position > 1 ? `Queued — ${job.position - 1} ahead of you` : 'Starting…'
    case 'running': {
      if (!job.step) return 'Starting…'
      const eta = job.etaMs !== undefined ? ` · ${(job.etaMs / 1000).toFixed(1)} s left` : ''
      return `Step ${job.step}/${job.steps} · chunk ${job.chunk}/${job.chunks}${eta}`
    }
    case 'finished':
      return 'Done — your draft clip is ready.'
    case 'failed':
      return `Failed: ${job.message ?? 'unknown error'}`
    case 'cancelled':
      return 'Cancelled.'
  }
}

/** Share of the job done, 0..1. */
function fraction(job: JobState | null): number {
  if (!job) return 0
  if (job.phase === 'finished') return 1
  if (!job.step || !job.steps || !job.chunk || !job.chunks) return 0
  return ((job.chunk - 1) * job.steps + job.step) / (job.chunks * job.steps)
}

export class GeneratePanel {
  readonly el: HTMLElement
  private readonly generateBtn = h('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'generate' }, 'Generate')
  private readonly cancelBtn = h('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'cancel-job', hidden: true }, 'Cancel')
  private readonly bar = h('progress', { max: 1, value: 0, 'data-testid': 'job-progress' })
  private readonly status = h('p', { class: 'muted small', 'data-testid': 'job-status' })
  /** Opens the post form; shown (and enabled) once the finished clip is known to be the caller's draft. */
  private readonly postBtn = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', 'data-testid': 'post-clip', disabled: true, hidden: true, title: 'Post this clip to the feed' }, 'Post to feed')
  private readonly postedLink = h('a', { class: 'btn btn-ghost btn-sm', 'data-testid': 'posted-link', hidden: true }, 'Posted: open its page →')
  private readonly postSlot = h('div', { class: 'post-slot' })
  /** The clip the Post controls are about (a later job's clip replaces it). */
  private postClipId: string | null = null
  private readonly player = h('video', { controls: true, muted: true, playsinline: true, loop: true, 'data-testid': 'clip-video', hidden: true })
  private readonly live: LiveVideo
  private readonly editable = new Signal(false)
  private readonly unsubs: (() => void)[] = []

  constructor(
    private readonly control: ControlSocket,
    /** The room's title now: the post's title to start with. */
    private readonly roomTitle: () => string = () => '',
  ) {
    this.player.muted = true
    this.postBtn.onclick = () => this.openPostForm()
    this.live = new LiveVideo(control)
    this.generateBtn.onclick = () => {
      if (!this.control.generate()) this.status.textContent = 'Not connected yet — try again in a moment.'
    }
    this.cancelBtn.onclick = () => {
      const job = this.control.job.value
      if (job) this.control.cancel(job.jobId)
    }
    this.el = h(
      'section',
      { class: 'card panel generate', 'data-testid': 'generate-panel' },
      h('h3', {}, 'Generate'),
      this.live.el,
      h('div', { class: 'generate-actions' }, this.generateBtn, this.cancelBtn),
      this.bar,
      this.status,
      this.player,
      h('div', { class: 'post-row' }, this.postBtn, this.postedLink),
      this.postSlot,
    )
    this.unsubs.push(this.control.job.watch((job) => this.render(job)))
    this.unsubs.push(this.editable.watch(() => this.render(this.control.job.value)))
  }

  setEditable(editable: boolean): void {
    this.editable.set(editable)
  }

  private render(job: JobState | null): void {
    const busy = job?.phase === 'queued' || job?.phase === 'running'
    this.generateBtn.disabled = !this.editable.value || busy
    this.cancelBtn.hidden = !busy || !this.editable.value
    this.bar.value = fraction(job)
    this.el.dataset.phase = job?.phase ?? 'idle'
    this.el.dataset.jobId = job ? String(job.jobId) : ''
    this.status.textContent = describe(job)
    const src = job?.phase === 'finished' && job.clipId ? `/api/clips/${encodeURIComponent(job.clipId)}/video` : null
    if (src && this.player.getAttribute('src') !== src) {
      this.player.src = src
      this.player.hidden = false
      void this.player.play().catch(() => {})
      void this.checkPostable(job!.clipId!)
    }
  }

  /** Post is offered for the caller's own draft only (someone else's draft is not theirs to see). */
  private async checkPostable(clipId: string): Promise<void> {
    this.postClipId = clipId
    this.postBtn.hidden = true
    this.postBtn.disabled = true
    this.postedLink.hidden = true
    this.postSlot.replaceChildren()
    const clip = await api.getClip(clipId).catch(() => null)
    if (this.postClipId !== clipId || !clip) return
    if (clip.status === 'draft') {
      this.postBtn.hidden = false
      this.postBtn.disabled = false
    } else if (clip.status === 'posted') {
      this.showPosted(clipId)
    }
  }

  private showPosted(clipId: string): void {
    this.postBtn.hidden = true
    this.postedLink.href = `#/clip/${encodeURIComponent(clipId)}`
    this.postedLink.hidden = false
  }

  private openPostForm(): void {
    const clipId = this.postClipId
    if (!clipId || this.postSlot.firstChild) return
    this.postBtn.disabled = true
    const form = new PostForm(clipId, this.roomTitle(), () => {
      this.postSlot.replaceChildren()
      this.postBtn.disabled = false
    })
    this.postSlot.append(form.el)
    form.focus()
  }

  destroy(): void {
    this.unsubs.forEach((u) => u())
    this.live.destroy()
    this.player.removeAttribute('src')
    this.player.load()
  }
}
