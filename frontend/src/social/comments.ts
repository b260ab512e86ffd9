// A post's comments (clip page): oldest first, one level of replies under their top-level comment,
// a form to comment, Reply on top-level comments, Delete on one's own (a deleted comment keeps its
// place and its replies), and "Load more" while the server has more pages.
import { api } from '../api'
import type { CommentView } from '../api-types'
import { colorFor } from '../colors'
import { avatar, h, setChildren } from '../dom'
import { notice } from '../layout'
import { MAX_COMMENT_CHARS } from '../protocol/generated/scriptLimits'
import { charCount, errorText, profileHref, timeAgo } from './format'

interface Thread {
  li: HTMLElement
  /** The top-level comment's place (a placeholder until it arrives). */
  slot: HTMLElement
  replies: HTMLElement
  form: HTMLElement | null
}

/** A textarea with a character counter and a submit button; `send` gets the trimmed text. */
function composer(opts: { placeholder: string; submitLabel: string; testid: string; send: (body: string) => Promise<void>; onCancel?: () => void }): { el: HTMLElement; focus: () => void } {
  const err = notice('error')
  const input = h('textarea', { class: 'comment-input', rows: 2, maxlength: MAX_COMMENT_CHARS, placeholder: opts.placeholder, 'data-testid': `${opts.testid}-input` })
  const counter = h('span', { class: 'char-count muted small' })
  const submit = h('button', { class: 'btn btn-primary btn-sm', type: 'submit', 'data-testid': `${opts.testid}-submit` }, opts.submitLabel)
  const count = () => {
    const n = charCount(input.value)
    counter.textContent = n > MAX_COMMENT_CHARS * 0.8 ? `${n}/${MAX_COMMENT_CHARS}` : ''
  }
  input.addEventListener('input', count)
  const form = h(
    'form',
    {
      class: 'comment-form',
      novalidate: true,
      onsubmit: async (ev: Event) => {
        ev.preventDefault()
        err.clear()
        const body = input.value.trim()
        if (!body) return err.show('Write something first.')
        if (charCount(body) > MAX_COMMENT_CHARS) return err.show(`Comments are at most ${MAX_COMMENT_CHARS} characters.`)
        submit.disabled = true
        try {
          await opts.send(body)
          input.value = ''
          count()
        } catch (e) {
          err.show(errorText(e))
        } finally {
          submit.disabled = false
        }
      },
    },
    input,
    h(
      'div',
      { class: 'comment-form-row' },
      counter,
      opts.onCancel ? h('button', { class: 'btn btn-ghost btn-sm', type: 'button', onclick: opts.onCancel }, 'Cancel') : null,
      submit,
    ),
    err.el,
  )
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit()
  })
  return { el: form, focus: () => input.focus() }
}

export class CommentsPanel {
  readonly el: HTMLElement
  private readonly list = h('ul', { class: 'comment-list', 'data-testid': 'comment-list' })
  private readonly status = h('div', { class: 'paged-status', 'data-testid': 'comments-status' })
  private readonly more = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', 'data-testid': 'comments-more', hidden: true }, 'Load more comments')
  private readonly newComment: { el: HTMLElement; focus: () => void }
  private readonly threads = new Map<string, Thread>()
  private readonly shown = new Set<string>()
  private cursor: string | null = null
  private destroyed = false

  constructor(
    private readonly clipId: string,
    private readonly me: string,
    private readonly onCount: (delta: number) => void,
  ) {
    this.newComment = composer({
      placeholder: 'Add a comment…',
      submitLabel: 'Comment',
      testid: 'comment',
      send: async (body) => this.added(await api.addComment(clipId, { body, reply_to: null })),
    })
    this.more.onclick = () => void this.load()
    this.el = h('section', { class: 'card comments', id: 'comments', 'data-testid': 'comments' }, h('h3', {}, 'Comments'), this.newComment.el, this.list, this.status, this.more)
    void this.load()
  }

  focus(): void {
    this.el.scrollIntoView({ block: 'start' })
    this.newComment.focus()
  }

  private async load(): Promise<void> {
    this.more.hidden = true
    setChildren(this.status, 'Loading comments…')
    try {
      const page = await api.comments(this.clipId, this.cursor)
      if (this.destroyed) return
      page.items.forEach((c) => this.show(c))
      this.cursor = page.next_cursor
      this.more.hidden = !page.next_cursor || page.items.length === 0
      setChildren(this.status, this.shown.size ? null : h('p', { class: 'muted small', 'data-testid': 'comments-empty' }, 'No comments yet. Be the first.'))
    } catch (e) {
      if (this.destroyed) return
      setChildren(
        this.status,
        h('div', { class: 'notice notice-error paged-error', role: 'alert' }, h('span', {}, errorText(e)), h('button', { class: 'btn btn-secondary btn-xs', type: 'button', 'data-testid': 'comments-retry', onclick: () => void this.load() }, 'Retry')),
      )
    }
  }

  /** A comment the caller just wrote. */
  private added(c: CommentView): void {
    this.show(c)
    this.onCount(1)
    setChildren(this.status)
  }

  private thread(id: string): Thread {
    let t = this.threads.get(id)
    if (!t) {
      const slot = h('div', { class: 'comment muted small' }, '…')
      const replies = h('ul', { class: 'comment-replies' })
      t = { li: h('li', { class: 'comment-thread' }, slot, replies), slot, replies, form: null }
      this.threads.set(id, t)
      this.list.append(t.li)
    }
    return t
  }

  private show(c: CommentView): void {
    if (this.shown.has(c.id)) return
    this.shown.add(c.id)
    if (c.reply_to) {
      this.thread(c.reply_to).replies.append(h('li', {}, this.render(c)))
    } else {
      const t = this.thread(c.id)
      const el = this.render(c)
      t.slot.replaceWith(el)
      t.slot = el
    }
  }

  private render(c: CommentView): HTMLElement {
    const el = h(
      'div',
      { class: `comment${c.deleted ? ' deleted' : ''}`, 'data-testid': 'comment', 'data-comment-id': c.id, 'data-deleted': String(c.deleted) },
      h(
        'div',
        { class: 'comment-head' },
        c.deleted ? null : h('a', { class: 'comment-author', href: profileHref(c.author) }, avatar(c.author, colorFor(c.author), 'avatar-sm'), `@${c.author}`),
        h('span', { class: 'muted small', title: new Date(c.created_at).toLocaleString() }, timeAgo(c.created_at)),
      ),
      c.deleted ? h('p', { class: 'comment-body muted', 'data-testid': 'comment-body' }, h('em', {}, 'Comment deleted')) : h('p', { class: 'comment-body', 'data-testid': 'comment-body' }, c.body),
    )
    const err = notice('error')
    const tools = h('div', { class: 'comment-tools' })
    if (!c.reply_to && !c.deleted) tools.append(h('button', { class: 'btn btn-ghost btn-xs', type: 'button', 'data-testid': 'comment-reply', onclick: () => this.openReply(c.id) }, 'Reply'))
    if (c.author === this.me && !c.deleted) {
      tools.append(
        h(
          'button',
          {
            class: 'btn btn-ghost btn-xs',
            type: 'button',
            'data-testid': 'comment-delete',
            onclick: async (ev: Event) => {
              const btn = ev.currentTarget as HTMLButtonElement
              btn.disabled = true
              err.clear()
              try {
                await api.deleteComment(c.id)
              } catch (e) {
                err.show(errorText(e))
                btn.disabled = false
                return
              }
              const gone = this.render({ ...c, body: '', deleted: true })
              el.replaceWith(gone)
              const t = this.threads.get(c.id)
              if (t && t.slot === el) t.slot = gone
              this.onCount(-1)
            },
          },
          'Delete',
        ),
      )
    }
    if (tools.childElementCount) el.append(tools)
    el.append(err.el)
    return el
  }

  private openReply(parentId: string): void {
    const t = this.thread(parentId)
    if (t.form) return
    const close = () => {
      t.form?.remove()
      t.form = null
    }
    const reply = composer({
      placeholder: 'Write a reply…',
      submitLabel: 'Reply',
      testid: 'reply',
      send: async (body) => {
        this.added(await api.addComment(this.clipId, { body, reply_to: parentId }))
        close()
      },
      onCancel: close,
    })
    t.form = reply.el
    t.li.append(reply.el)
    reply.focus()
  }

  destroy(): void {
    this.destroyed = true
  }
}
