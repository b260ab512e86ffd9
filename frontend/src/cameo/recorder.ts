// The selfie recording: which container/codec this browser can record that the server reads (WebM VP8,
// else VP9, else MP4 H.264 for Safari), the user-facing camera at 640×480, and a MediaRecorder wrapper
// that collects the chunks into one Blob. Video only: the server reads no audio.

/** In order of preference; the server decodes WebM (VP8/VP9) and MP4 (H.264). */
export const RECORDING_TYPES = ['video/webm;codecs=vp8', 'video/webm;codecs=vp9', 'video/mp4;codecs=avc1'] as const

/** Low enough that a 10 s recording stays around 250 KB, plenty for face crops at 640×480. */
export const VIDEO_BITS_PER_SECOND = 200_000

/** The first recording type this browser supports, or null (then no avatar can be made here). */
export function pickRecordingType(): string | null {
  if (typeof MediaRecorder === 'undefined' || typeof MediaRecorder.isTypeSupported !== 'function') return null
  return RECORDING_TYPES.find((t) => MediaRecorder.isTypeSupported(t)) ?? null
}

/** A file name the server's upload expects for `mime`. */
export const recordingFileName = (mime: string): string => (mime.startsWith('video/mp4') ? 'selfie.mp4' : 'selfie.webm')

/** Why the camera could not be opened, for people. */
export function cameraErrorText(e: unknown): string {
  const name = e instanceof DOMException || e instanceof Error ? e.name : ''
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera access was refused. Allow the camera for this site in your browser, then try again.'
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera found. Plug one in (or use a phone) and try again.'
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera is busy: close other apps or tabs using it and try again.'
    default:
      return `Cannot open the camera${e instanceof Error && e.message ? `: ${e.message}` : '.'}`
  }
}

/** The front camera at 640×480, no microphone. */
export async function openCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('This browser cannot use a camera here (is the page on https?).', 'NotSupportedError')
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } },
  })
}

export function stopStream(stream: MediaStream | null): void {
  stream?.getTracks().forEach((t) => t.stop())
}

/** One recording of `stream`; `stop()` resolves with the whole video and how long it ran. */
export class Recording {
  private readonly recorder: MediaRecorder
  private readonly chunks: Blob[] = []
  private startedAt = 0
  private readonly done: Promise<{ blob: Blob; seconds: number }>

  constructor(stream: MediaStream, readonly mime: string) {
    this.recorder = new MediaRecorder(stream, { mimeType: mime, videoBitsPerSecond: VIDEO_BITS_PER_SECOND })
    this.recorder.ondataavailable = (ev) => ev.data.size > 0 && this.chunks.push(ev.data)
    this.done = new Promise((resolve, reject) => {
      this.recorder.onstop = () => {
        const seconds = (performance.now() - this.startedAt) / 1000
        // the Blob's type is the container alone; the codec is in the bytes
        resolve({ blob: new Blob(this.chunks, { type: mime.split(';')[0] }), seconds })
      }
      this.recorder.onerror = (ev) => reject((ev as Event & { error?: DOMException }).error ?? new Error('recording failed'))
    })
    // a cancelled recording's failure interests nobody
    this.done.catch(() => {})
  }

  /** Starts recording; resolves once the recorder runs. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.recorder.onstart = () => {
        this.startedAt = performance.now()
        resolve()
      }
      // a chunk every second, so a long recording is not one huge buffer at the end
      this.recorder.start(1000)
    })
  }

  stop(): Promise<{ blob: Blob; seconds: number }> {
    if (this.recorder.state !== 'inactive') this.recorder.stop()
    return this.done
  }

  /** Stops and drops the recording (leaving the page mid-way). */
  cancel(): void {
    this.recorder.ondataavailable = null
    if (this.recorder.state !== 'inactive') this.recorder.stop()
  }
}
