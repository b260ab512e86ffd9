// Hash router: maps `#/`, `#/login`, `#/room/<id>`, `#/join/<room>/<token>`, `#/feed[/<tab>]`, `#/clip/<id>`, `#/u/<name>`, `#/avatar`, `#/check`
// to page mounters and tears the old page down on navigation.

export type Cleanup = () => void
export type Page = (root: HTMLElement, params: Record<string, string>) => Cleanup | void | Promise<Cleanup | void>

interface RouteDef {
  pattern: RegExp
  keys: string[]
  page: Page
}

const routes: RouteDef[] = []
let cleanup: Cleanup | void = undefined
let generation = 0

export function route(path: string, page: Page): void {
  const keys: string[] = []
  const source = path.replace(/:([a-z_]+)/gi, (_, key: string) => {
    keys.push(key)
    return '([^/]+)'
  })
  routes.push({ pattern: new RegExp(`^${source}$`), keys, page })
}

/** Goes to `path`; with `replace`, the current history entry becomes `path` (Back skips the page left). */
export function navigate(path: string, { replace = false } = {}): void {
  if (location.hash === `#${path}`) void render()
  else if (replace) {
    // replaceState fires no hashchange: render here
    history.replaceState(history.state, '', `#${path}`)
    void render()
  } else location.hash = path
}

export function currentPath(): string {
  return location.hash.replace(/^#/, '') || '/'
}

async function render(root = document.getElementById('app')!): Promise<void> {
  const gen = ++generation
  if (cleanup) {
    try {
      cleanup()
    } catch (e) {
      console.error('page cleanup failed', e)
    }
    cleanup = undefined
  }
  // each page gets its own container, so a slow page that loses the race renders into a detached node
  const container = document.createElement('div')
  container.className = 'page'
  root.replaceChildren(container)
  const path = currentPath()
  for (const r of routes) {
    const m = r.pattern.exec(path)
    if (!m) continue
    const params: Record<string, string> = {}
    r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])))
    const result = await r.page(container, params)
    if (gen !== generation) {
      // navigated away while the page was loading
      if (result) result()
      return
    }
    cleanup = result
    return
  }
  navigate('/')
}

export function startRouter(): void {
  window.addEventListener('hashchange', () => void render())
  void render()
}
