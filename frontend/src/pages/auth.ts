// Sign-in / sign-up page: one form with two modes; shows the server's error messages (409 taken, 401, 400).
// Afterwards it goes back to the page that sent the user here (a share link, say), else to the rooms.
import { api, ApiError } from '../api'
import { h } from '../dom'
import { brand, notice } from '../layout'
import { navigate } from '../router'
import { currentUser, peekReturnTo, setCurrentUser, takeReturnTo } from '../session'

const NAME_RE = /^[a-z0-9_]{3,32}$/

export async function authPage(root: HTMLElement): Promise<void> {
  if (await currentUser().catch(() => null)) {
    navigate(takeReturnTo(), { replace: true })
    return
  }
  let mode: 'signin' | 'signup' = 'signin'
  const err = notice('error')
  const why = notice('info')
  if (peekReturnTo()?.startsWith('/join/')) why.show('Sign in or create an account to join the room you were invited to.')
  const username = h('input', {
    name: 'username',
    autocomplete: 'username',
    placeholder: 'e.g. ada_lovelace',
    required: true,
    spellcheck: false,
    autocapitalize: 'none',
    'data-testid': 'auth-username',
  })
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'auth-password' })
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', 'data-testid': 'auth-submit' }, 'Sign in')
  const hint = h('p', { class: 'field-hint' })
  const tabIn = h('button', { type: 'button', class: 'tab', 'data-testid': 'tab-signin', onclick: () => setMode('signin') }, 'Sign in')
  const tabUp = h('button', { type: 'button', class: 'tab', 'data-testid': 'tab-signup', onclick: () => setMode('signup') }, 'Create account')

  function setMode(m: typeof mode): void {
    mode = m
    tabIn.classList.toggle('active', m === 'signin')
    tabUp.classList.toggle('active', m === 'signup')
    submit.textContent = m === 'signin' ? 'Sign in' : 'Create account'
    password.autocomplete = m === 'signin' ? 'current-password' : 'new-password'
    hint.textContent = m === 'signup' ? '3–32 characters: lowercase letters, digits, underscore. Password: at least 8 characters.' : ''
    err.clear()
  }

  const form = h(
    'form',
    {
      class: 'auth-form',
      novalidate: true,
      onsubmit: async (ev: Event) => {
        ev.preventDefault()
        err.clear()
        const name = username.value.trim()
        const pw = password.value
        if (mode === 'signup') {
          if (!NAME_RE.test(name)) return err.show('Usernames are 3–32 characters of a–z, 0–9 and _.')
          if (pw.length < 8) return err.show('Passwords need at least 8 characters.')
        } else if (!name || !pw) {
          return err.show('Enter your username and password.')
        }
        submit.disabled = true
        try {
          const user = mode === 'signup' ? await api.signup(name, pw) : await api.login(name, pw)
          setCurrentUser(user)
          navigate(takeReturnTo())
        } catch (e) {
          if (e instanceof ApiError && e.status === 401) err.show(e.message || 'Wrong username or password.')
          else err.show(e instanceof Error ? e.message : String(e))
        } finally {
          submit.disabled = false
        }
      },
    },
    h('div', { class: 'tabs' }, tabIn, tabUp),
    h('label', { class: 'field' }, h('span', {}, 'Username'), username),
    h('label', { class: 'field' }, h('span', {}, 'Password'), password),
    hint,
    err.el,
    submit,
  )
  setMode(location.search.includes('signup') ? 'signup' : 'signin')

  root.append(
    h(
      'div',
      { class: 'auth-layout' },
      h(
        'section',
        { class: 'auth-hero' },
        brand(),
        h('h1', {}, 'Write the scene together.'),
        h('p', { class: 'muted' }, 'Co-write shot-by-shot video scripts live with your friends — prompts, timings and styles, all in sync.'),
      ),
      h('section', { class: 'card auth-card' }, why.el, form),
    ),
  )
  username.focus()
}
