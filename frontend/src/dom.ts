// Tiny DOM helpers: `h()` builds elements, plus a few formatting utilities shared by the pages.

type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, unknown>

/** Create an element. `on*` attrs become listeners, `class`/`style`/`dataset` are special-cased. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue
    if (value === false) {
      // boolean properties (spellcheck, disabled, …) are set explicitly; attributes are just left out
      if (key in el) (el as unknown as Record<string, unknown>)[key] = false
      continue
    }
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value as EventListener)
    } else if (key === 'class') {
      el.className = String(value)
    } else if (key === 'style' && typeof value === 'object') {
      Object.assign(el.style, value)
    } else if (key === 'dataset' && typeof value === 'object') {
      Object.assign(el.dataset, value)
    } else if (key in el && typeof value !== 'string') {
      ;(el as unknown as Record<string, unknown>)[key] = value
    } else {
      el.setAttribute(key, value === true ? '' : String(value))
    }
  }
  append(el, children)
  return el
}

function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : String(child))
  }
}

/** Replace all children of `el`. */
export function setChildren(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren()
  append(el, children)
}

/** Initials for an avatar bubble. */
export function initials(name: string): string {
  const parts = name.split(/[_\s]+/).filter(Boolean)
  const s = parts.length > 1 ? parts[0][0] + parts[1][0] : name.slice(0, 2)
  return s.toUpperCase()
}

/** A round avatar in the user's colour. */
export function avatar(name: string, color: string, extraClass = ''): HTMLElement {
  return h('span', { class: `avatar ${extraClass}`.trim(), style: { background: color }, title: name }, initials(name))
}

export function roleLabel(role: string): string {
  return role === 'owner' ? 'Owner' : role === 'editor' ? 'Editor' : role === 'viewer' ? 'Viewer' : role
}
