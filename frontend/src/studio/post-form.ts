// Posting a finished draft to the feed (inside the Generate panel): title (the room's title to start
// with), caption and who may see it, checked against the server's limits before sending; the server's
// refusal shows inline, and a posted clip opens its page `#/clip/<id>`.
import { api } from '../api'
import type { Visibility } from '../api-types'
import { h } from '../dom'
import { notice } from '../layout'
import { MAX_CAPTION_CHARS, MAX_POST_TITLE_CHARS } from '../protocol/generated/scriptLimits'
import { navigate } from '../router'
import { charCount, errorText } from '../social/format'

const VISIBILITIES: { value: Visibility; label: string }[] = [
  { value: 'public', label: 'Public: everyone, in every feed' },
  { value: 'followers', label: 'Followers: people who follow you' },
  { value: 'unlisted', label: 'Unlisted: anyone with the link' },
]

export class PostForm {
  readonly el: HTMLElement
  private readonly title: HTMLInputElement
  private readonly caption: HTMLTextAreaElement

  constructor(clipId: string, defaultTitle: string, onCancel: () => void) {
    const err = notice('error')
    this.title = h('input', { maxlength: MAX_POST_TITLE_CHARS, placeholder: 'Give your clip a title', value: [...defaultTitle.trim()].slice(0, MAX_POST_TITLE_CHARS).join(''), 'data-testid': 'post-title' })
    this.caption = h('textarea', { rows: 3, maxlength: MAX_CAPTION_CHARS, placeholder: 'Say something about it (optional)', 'data-testid': 'post-caption' })
    const visibility = h(
      'select',
      { 'data-testid': 'post-visibility' },
      VISIBILITIES.map((v) => h('option', { value: v.value, selected: v.value === 'public' }, v.label)),
    )
    const captionCount = h('span', { class: 'char-count muted small' })
    const countCaption = () => {
      const n = charCount(this.caption.value)
      captionCount.textContent = n ? `${n}/${MAX_CAPTION_CHARS}` : ''
    }
    this.caption.addEventListener('input', countCaption)
    const submit = h('button', { class: 'btn btn-primary btn-sm', type: 'submit', 'data-testid': 'post-submit' }, 'Post')
    this.el = h(
      'form',
      {
        class: 'post-form',
        'data-testid': 'post-form',
        novalidate: true,
        onsubmit: async (ev: Event) => {
          ev.preventDefault()
          err.clear()
          const title = this.title.value.trim()
          const caption = this.caption.value.trim()
          if (!title) return err.show('Give the clip a title.')
          if (charCount(title) > MAX_POST_TITLE_CHARS) return err.show(`Titles are at most ${MAX_POST_TITLE_CHARS} characters.`)
          if (charCount(caption) > MAX_CAPTION_CHARS) return err.show(`Captions are at most ${MAX_CAPTION_CHARS} characters.`)
          submit.disabled = true
          try {
            await api.postClip(clipId, { title, caption, visibility: visibility.value as Visibility })
          } catch (e) {
            err.show(errorText(e))
            submit.disabled = false
            return
          }
          navigate(`/clip/${encodeURIComponent(clipId)}`)
        },
      },
      h('label', { class: 'field' }, h('span', {}, 'Title'), this.title),
      h('label', { class: 'field' }, h('span', { class: 'field-row' }, 'Caption', captionCount), this.caption),
      h('label', { class: 'field' }, h('span', {}, 'Who can see it'), visibility),
      err.el,
      h('div', { class: 'post-form-actions' }, submit, h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'post-cancel', onclick: onCancel }, 'Cancel')),
    )
  }

  focus(): void {
    this.title.focus()
    this.title.select()
  }
}
