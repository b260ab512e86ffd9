// A minimal observable value, used to push role / connection / presence changes to studio widgets.

export class Signal<T> {
  private listeners = new Set<(value: T) => void>()
  constructor(private current: T) {}

  get value(): T {
    return this.current
  }

  set(value: T): void {
    if (Object.is(value, this.current)) return
    this.current = value
    for (const fn of [...this.listeners]) fn(value)
  }

  /** Calls `fn` now and on every change; returns an unsubscribe function. */
  watch(fn: (value: T) => void): () => void {
    this.listeners.add(fn)
    fn(this.current)
    return () => this.listeners.delete(fn)
  }
}
