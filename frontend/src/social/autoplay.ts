// Feed videos play only while at least half of one is on screen (and pause when it leaves), and a
// post counts as viewed (POST /api/clips/{id}/view, once per page load) after it has played ~1 s.
import { api } from '../api'

const VIEW_AFTER_MS = 1000
/** Posts already counted in this tab (the server counts unique viewers anyway). */
const viewed = new Set<string>()

/** Counts a view of `postId` once `video` has been playing for a second; returns a stop function. */
export function countViewWhilePlaying(video: HTMLVideoElement, postId: string): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stopTimer = () => clearTimeout(timer)
  const onPlaying = () => {
    stopTimer()
    if (viewed.has(postId)) return
    timer = setTimeout(() => {
      if (video.paused || !video.isConnected || viewed.has(postId)) return
      viewed.add(postId)
      // a refused count (rate limit, network) may be tried again on the next play
      api.viewPost(postId).catch(() => viewed.delete(postId))
    }, VIEW_AFTER_MS)
  }
  video.addEventListener('playing', onPlaying)
  video.addEventListener('pause', stopTimer)
  video.addEventListener('waiting', stopTimer)
  return () => {
    stopTimer()
    video.removeEventListener('playing', onPlaying)
    video.removeEventListener('pause', stopTimer)
    video.removeEventListener('waiting', stopTimer)
  }
}

/** Plays the videos it watches while they are at least half in view. One per page; destroy it on leaving. */
export class Autoplay {
  private readonly observer: IntersectionObserver
  private readonly stops: (() => void)[] = []

  constructor() {
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const video = entry.target as HTMLVideoElement
          const viewport = entry.rootBounds?.height ?? window.innerHeight
          // a video taller than twice the viewport never shows half of itself: half the screen will do
          const inView = entry.isIntersecting && (entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= viewport / 2)
          if (inView) void video.play().catch(() => {})
          else if (!video.paused) video.pause()
        }
      },
      { threshold: [0, 0.25, 0.5, 0.75, 1] },
    )
  }

  watch(video: HTMLVideoElement, postId: string): void {
    this.observer.observe(video)
    this.stops.push(countViewWhilePlaying(video, postId))
  }

  destroy(): void {
    this.observer.disconnect()
    this.stops.forEach((stop) => stop())
  }
}
