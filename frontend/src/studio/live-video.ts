// Live preview: the room's video as the server renders it (WebRTC, receive-only), negotiated over
// the control socket afresh after every welcome; the "on air" badge everyone sees and the owner's
// on-air toggle. The current peer connection is `window.__reelroomLive.pc`, for tests.
import { h } from '../dom'
import { aiLabel } from '../provenance/label'
import type { ControlSocket } from './control'

declare global {
  interface Window {
    __reelroomLive?: { pc: RTCPeerConnection | null }
  }
}

/** Longest wait for ICE gathering before the offer goes out anyway (the server's host candidate is what connects). */
const GATHER_MS = 500

/** Resolves when `pc` has gathered its candidates or after `ms`, whichever comes first. */
function gathered(pc: RTCPeerConnection, ms: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve()
  return new Promise((done) => {
    const finish = () => {
      clearTimeout(timer)
      pc.removeEventListener('icegatheringstatechange', check)
      done()
    }
    const check = () => pc.iceGatheringState === 'complete' && finish()
    const timer = setTimeout(finish, ms)
    pc.addEventListener('icegatheringstatechange', check)
  })
}

export class LiveVideo {
  readonly el: HTMLElement
  private readonly video = h('video', { muted: true, autoplay: true, playsinline: true, 'data-testid': 'live-video' })
  private readonly placeholder = h('div', { class: 'live-placeholder', 'data-testid': 'live-placeholder' }, 'Waiting for a generation…')
  private readonly badge = h('span', { class: 'badge badge-on-air', 'data-testid': 'on-air-badge', hidden: true }, 'ON AIR')
  private readonly toggle = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', 'data-testid': 'on-air', 'aria-pressed': 'false', hidden: true }, 'Go on air')
  private pc: RTCPeerConnection | null = null
  private readonly unsubs: (() => void)[] = []

  constructor(private readonly control: ControlSocket) {
    this.video.muted = true
    this.video.addEventListener('loadeddata', this.onFrame)
    this.video.addEventListener('resize', this.onFrame)
    this.toggle.onclick = () => this.control.setOnAir(!this.control.onAir.value)
    this.el = h(
      'div',
      { class: 'live', 'data-testid': 'live-preview', dataset: { state: 'new' } },
      h('div', { class: 'live-head' }, h('span', { class: 'muted small' }, 'Live preview'), this.badge, this.toggle),
      h('div', { class: 'live-stage' }, this.video, this.placeholder, aiLabel()),
    )
    this.unsubs.push(control.onWebrtcAnswer(this.onAnswer))
    this.unsubs.push(control.role.watch((role) => (this.toggle.hidden = role !== 'owner')))
    this.unsubs.push(
      control.onAir.watch((on) => {
        this.badge.hidden = !on
        this.el.dataset.onAir = String(on)
        this.toggle.textContent = on ? 'Go off air' : 'Go on air'
        this.toggle.setAttribute('aria-pressed', String(on))
      }),
    )
    // every welcome is a fresh server-side session: offer again on a new peer connection
    this.unsubs.push(
      control.connected.watch((up) => {
        if (up) void this.negotiate()
      }),
    )
  }

  private async negotiate(): Promise<void> {
    this.close()
    const pc = new RTCPeerConnection({ iceServers: [] })
    this.pc = pc
    window.__reelroomLive = { pc }
    this.el.dataset.state = pc.connectionState
    pc.onconnectionstatechange = () => {
      if (this.pc === pc) this.el.dataset.state = pc.connectionState
    }
    pc.addTransceiver('video', { direction: 'recvonly' })
    let offered = false
    // candidates gathered before the offer went out are in its SDP; later ones trickle
    pc.onicecandidate = (ev) => {
      if (offered && this.pc === pc && ev.candidate?.candidate) this.control.sendIceCandidate(ev.candidate)
    }
    pc.ontrack = (ev) => {
      if (this.pc !== pc) return
      this.video.srcObject = ev.streams[0] ?? new MediaStream([ev.track])
      void this.video.play().catch(() => {})
    }
    try {
      await pc.setLocalDescription(await pc.createOffer())
      await gathered(pc, GATHER_MS)
    } catch {
      return // closed while negotiating: a newer connection took over
    }
    if (this.pc !== pc || !pc.localDescription) return
    offered = true
    this.control.sendOffer(pc.localDescription.sdp)
  }

  private onAnswer = (sdp: string): void => {
    const pc = this.pc
    if (!pc || pc.signalingState !== 'have-local-offer') return
    pc.setRemoteDescription({ type: 'answer', sdp }).catch(() => {
      if (this.pc === pc) this.el.dataset.state = 'failed'
    })
  }

  /** The first decoded frame replaces the placeholder. */
  private onFrame = (): void => {
    if (this.video.videoWidth > 0) this.placeholder.hidden = true
  }

  private close(): void {
    this.pc?.close()
    this.pc = null
    this.video.srcObject = null
    this.placeholder.hidden = false
  }

  destroy(): void {
    this.unsubs.forEach((u) => u())
    const pc = this.pc
    this.close()
    if (pc && window.__reelroomLive?.pc === pc) delete window.__reelroomLive
  }
}
