// The JSON control socket (/control/<room>?ticket=T&v=1): hello/welcome, who is online, errors,
// the room's generation jobs (generate / cancel out; queue, progress and outcome in), on-air
// state, the live preview's WebRTC signalling (offer / candidates out, answer in), and refusals
// because a cast avatar is not permitted (`avatar_not_permitted`, before or during a job).
// Reconnects with a fresh ticket and backoff; stops for good when the server closes with 4403.
import { api, ApiError } from '../api'
import { CloseCode, type ClientMessage, type OnlineMember, type Role, type ServerMessage } from '../api-types'
import { Signal } from '../signal'
import { backoffMs, wsBase } from './connection'

export const PROTOCOL_VERSION = 1

/** The room's latest generation job, as the control socket reports it. */
export interface JobState {
  jobId: number
  phase: 'queued' | 'running' | 'finished' | 'failed' | 'cancelled'
  position?: number
  step?: number
  steps?: number
  chunk?: number
  chunks?: number
  etaMs?: number
  clipId?: string | null
  message?: string
  /** Why it failed, for programs (`avatar_not_permitted` when a cast avatar's consent ended). */
  code?: string
}

/** A refusal to generate because of a cast avatar; `at` tells repeated refusals apart. */
export interface AvatarRefusal {
  message: string
  at: number
}

export class ControlSocket {
  readonly online = new Signal<OnlineMember[]>([])
  readonly connected = new Signal(false)
  readonly role = new Signal<Role | null>(null)
  /** Set when the server closes us out of the room (4403) or refuses a ticket (403/404). */
  readonly removed = new Signal(false)
  readonly lastError = new Signal<string | null>(null)
  readonly job = new Signal<JobState | null>(null)
  /** Whether the room is on air (the server says so after `hello` and on every change). */
  readonly onAir = new Signal(false)
  /** The latest `avatar_not_permitted` refusal (a control error, or a job failing with that code). */
  readonly avatarRefusal = new Signal<AvatarRefusal | null>(null)
  private readonly answerListeners = new Set<(sdp: string) => void>()
  private ws: WebSocket | null = null
  private attempts = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  constructor(readonly roomId: string) {
    void this.connect()
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.ws) return
    let ticket: string
    try {
      ticket = (await api.ticket(this.roomId)).ticket
    } catch (e) {
      if (this.stopped) return
      if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return this.stop(true)
      if (e instanceof ApiError && e.status === 401) return this.stop(false)
      return this.retry()
    }
    if (this.stopped) return
    const url = `${wsBase('/control')}/${encodeURIComponent(this.roomId)}?ticket=${encodeURIComponent(ticket)}&v=${PROTOCOL_VERSION}`
    const ws = new WebSocket(url)
    this.ws = ws
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello' }))
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return
      let msg: ServerMessage
      try {
        msg = JSON.parse(ev.data) as ServerMessage
      } catch {
        return
      }
      this.handle(msg)
    }
    ws.onclose = (ev) => {
      if (this.ws !== ws) return
      this.ws = null
      this.connected.set(false)
      this.online.set([])
      this.onAir.set(false)
      if (this.stopped) return
      if (ev.code === CloseCode.Forbidden) return this.stop(true)
      this.retry(ev.code)
    }
  }

  private handle(msg: ServerMessage): void {
    switch (msg.type) {
      case 'welcome':
        this.attempts = 0
        this.connected.set(true)
        this.role.set(msg.role)
        this.online.set(msg.members_online ?? [])
        break
      case 'members_online':
        this.online.set(msg.members_online ?? [])
        break
      case 'error':
        if (msg.code === 'avatar_not_permitted') this.avatarRefusal.set({ message: msg.message, at: Date.now() })
        else this.lastError.set(msg.message || msg.code)
        break
      case 'job_queued':
        this.updateJob(msg.job_id, { phase: 'queued', position: msg.position })
        break
      case 'job_started':
        this.updateJob(msg.job_id, { phase: 'running' })
        break
      case 'job_progress':
        this.updateJob(msg.job_id, { phase: 'running', step: msg.step, steps: msg.steps, chunk: msg.chunk, chunks: msg.chunks, etaMs: msg.eta_ms })
        break
      case 'job_finished':
        this.updateJob(msg.job_id, { phase: 'finished', clipId: msg.clip_id, etaMs: 0 })
        break
      case 'job_failed':
        this.updateJob(msg.job_id, { phase: 'failed', message: msg.message, code: msg.code })
        if (msg.code === 'avatar_not_permitted') this.avatarRefusal.set({ message: msg.message, at: Date.now() })
        break
      case 'job_cancelled':
        this.updateJob(msg.job_id, { phase: 'cancelled' })
        break
      case 'on_air':
        this.onAir.set(msg.on_air)
        break
      case 'webrtc_answer':
        this.answerListeners.forEach((fn) => fn(msg.sdp))
        break
    }
  }

  /** Follows the newest job: a job id lower than the one shown is an older job's late news. */
  private updateJob(jobId: number, patch: Partial<JobState>): void {
    const cur = this.job.value
    if (cur && jobId < cur.jobId) return
    const base: JobState = cur && cur.jobId === jobId ? cur : { jobId, phase: 'queued' }
    this.job.set({ ...base, ...patch, jobId })
  }

  /** Asks the server to generate the whole script. */
  generate(): boolean {
    return this.send({ type: 'generate', shot_id: null, steps: null, guidance: null, seed: null })
  }

  cancel(jobId: number): boolean {
    return this.send({ type: 'cancel', job_id: jobId })
  }

  /** Owner only: puts the room on air (continuous generation for everyone watching) or off. */
  setOnAir(onAir: boolean): boolean {
    return this.send({ type: 'set_on_air', on_air: onAir })
  }

  /** Offers this socket's receive-only live preview; the answer comes to `onWebrtcAnswer`. */
  sendOffer(sdp: string): boolean {
    return this.send({ type: 'webrtc_offer', sdp })
  }

  sendIceCandidate(c: RTCIceCandidate): boolean {
    return this.send({ type: 'ice_candidate', candidate: c.candidate, sdp_mid: c.sdpMid, sdp_mline_index: c.sdpMLineIndex })
  }

  /** Calls `fn` with every `webrtc_answer`; returns an unsubscribe function. */
  onWebrtcAnswer(fn: (sdp: string) => void): () => void {
    this.answerListeners.add(fn)
    return () => this.answerListeners.delete(fn)
  }

  private send(msg: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false
    this.ws.send(JSON.stringify(msg))
    return true
  }

  private retry(code?: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.connect(), backoffMs(this.attempts++, code))
  }

  private stop(removed: boolean): void {
    this.stopped = true
    clearTimeout(this.timer)
    if (removed) this.removed.set(true)
    this.ws?.close()
    this.ws = null
  }

  destroy(): void {
    this.stopped = true
    clearTimeout(this.timer)
    const ws = this.ws
    this.ws = null
    if (ws) {
      ws.onclose = null
      ws.close(1000)
    }
  }
}
