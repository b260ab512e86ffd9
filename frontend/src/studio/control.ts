// The JSON control socket (/control/<room>?ticket=T&v=1): hello/welcome, who is online, errors.
// Reconnects with a fresh ticket and backoff; stops for good when the server closes with 4403.
import { api, ApiError } from '../api'
import { CloseCode, type OnlineMember, type Role, type ServerMessage } from '../api-types'
import { Signal } from '../signal'
import { backoffMs, wsBase } from './connection'

export const PROTOCOL_VERSION = 1

export class ControlSocket {
  readonly online = new Signal<OnlineMember[]>([])
  readonly connected = new Signal(false)
  readonly role = new Signal<Role | null>(null)
  /** Set when the server closes us out of the room (4403) or refuses a ticket (403/404). */
  readonly removed = new Signal(false)
  readonly lastError = new Signal<string | null>(null)
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
        this.lastError.set(msg.message || msg.code)
        break
    }
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
