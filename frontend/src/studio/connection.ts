// The room's Y.Doc + stock y-websocket provider, with a fresh ticket fetched before every (re)connect.
// We own reconnection: on every close we stop the provider's own retry, pick a backoff, get a new ticket, reconnect.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import * as authProtocol from 'y-protocols/auth'
import * as decoding from 'lib0/decoding'
import type * as encoding from 'lib0/encoding'
import { api, ApiError } from '../api'
import { CloseCode, type Role } from '../api-types'
import { awarenessUser } from '../colors'
import { Signal } from '../signal'

export type ConnState =
  | { kind: 'connecting' }
  | { kind: 'syncing' }
  | { kind: 'synced' }
  | { kind: 'offline'; retryAt: number; reason: string }
  | { kind: 'removed' }
  | { kind: 'signed_out' }

const MESSAGE_AUTH = 2

export function wsBase(path: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${location.host}${path}`
}

export function closeReason(code: number | undefined): string {
  switch (code) {
    case CloseCode.Malformed: return 'The server rejected a malformed message.'
    case CloseCode.SlowConsumer: return 'The connection fell behind.'
    case CloseCode.TooLarge: return 'A change was too large to send.'
    case CloseCode.RateLimited: return 'Too many changes too quickly.'
    case CloseCode.ShuttingDown: return 'The server is restarting.'
    default: return 'Connection lost.'
  }
}

export function backoffMs(attempt: number, code?: number): number {
  const base = code === CloseCode.RateLimited ? 5000 : 500
  return Math.min(15000, base * 2 ** Math.min(attempt, 6)) * (0.75 + Math.random() * 0.5)
}

export class RoomConnection {
  readonly doc = new Y.Doc()
  readonly provider: WebsocketProvider
  readonly state = new Signal<ConnState>({ kind: 'connecting' })
  readonly role: Signal<Role>
  /** Last refusal reason from the server (y-protocols auth PermissionDenied). */
  readonly denied = new Signal<string | null>(null)
  private attempts = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  private connecting = false

  constructor(readonly roomId: string, username: string, role: Role) {
    this.role = new Signal(role)
    this.provider = new WebsocketProvider(wsBase('/sync'), roomId, this.doc, {
      connect: false,
      disableBc: true,
      params: {},
      // we always reconnect ourselves (with a fresh ticket), so never let the provider give up on its own
      shouldReconnect: () => true,
    })
    this.provider.messageHandlers[MESSAGE_AUTH] = (_enc: encoding.Encoder, dec: decoding.Decoder, provider: WebsocketProvider) => {
      authProtocol.readAuthMessage(dec, provider.doc, (_y, reason) => this.denied.set(reason || 'permission denied'))
    }
    this.provider.awareness.setLocalStateField('user', awarenessUser(username))
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') this.state.set({ kind: 'syncing' })
      else if (status === 'connecting') this.state.set({ kind: 'connecting' })
    })
    this.provider.on('sync', (synced: boolean) => {
      if (synced && this.provider.wsconnected) {
        this.attempts = 0
        this.state.set({ kind: 'synced' })
      }
    })
    this.provider.on('connection-close', (event: CloseEvent | null) => {
      // stop the provider's built-in reconnect: it would reuse a possibly stale ticket
      this.provider.shouldConnect = false
      if (this.stopped) return
      if (event?.code === CloseCode.Forbidden) return this.stop({ kind: 'removed' })
      this.scheduleReconnect(event?.code)
    })
    window.addEventListener('online', this.onOnline)
    window.addEventListener('pagehide', this.onPageHide)
    void this.connect()
  }

  private onOnline = (): void => {
    if (this.state.value.kind === 'offline') {
      clearTimeout(this.timer)
      void this.connect()
    }
  }

  private onPageHide = (): void => {
    // tell the others we left right away instead of letting our awareness time out
    this.provider.disconnect()
  }

  private scheduleReconnect(code?: number): void {
    clearTimeout(this.timer)
    const delay = backoffMs(this.attempts++, code)
    this.state.set({ kind: 'offline', retryAt: Date.now() + delay, reason: closeReason(code) })
    this.timer = setTimeout(() => void this.connect(), delay)
  }

  /** Fetch a fresh ticket, then open the socket. Safe to call at any time. */
  async connect(): Promise<void> {
    if (this.stopped || this.connecting || this.provider.ws !== null) return
    this.connecting = true
    this.state.set({ kind: 'connecting' })
    try {
      const ticket = await api.ticket(this.roomId)
      if (this.stopped) return
      this.role.set(ticket.role)
      this.provider.params = { ticket: ticket.ticket }
      this.provider.connect()
    } catch (e) {
      if (this.stopped) return
      if (e instanceof ApiError && e.status === 401) return this.stop({ kind: 'signed_out' })
      if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return this.stop({ kind: 'removed' })
      this.scheduleReconnect()
    } finally {
      this.connecting = false
    }
  }

  /** Reconnect now (user pressed "retry"). */
  retryNow(): void {
    clearTimeout(this.timer)
    this.attempts = 0
    void this.connect()
  }

  private stop(state: ConnState): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.provider.shouldConnect = false
    // may run inside the provider's close handler: disconnect once that has finished
    setTimeout(() => this.provider.disconnect(), 0)
    this.state.set(state)
  }

  destroy(): void {
    this.stopped = true
    clearTimeout(this.timer)
    window.removeEventListener('online', this.onOnline)
    window.removeEventListener('pagehide', this.onPageHide)
    this.provider.destroy()
    this.doc.destroy()
  }
}
