// A post in a feed: the looping preview (plays while half in view), author, title (opens the clip
// page), caption, "remixed from @user", why the for-you feed shows it, counts, and Like / Comment /
// Remix. The byline and remix line are shared with the clip page.
import type { PostView } from '../api-types'
import { colorFor } from '../colors'
import { avatar, h } from '../dom'
import { aiLabel } from '../provenance/label'
import { icon } from '../icons'
import { notice } from '../layout'
import { likeButton, remixControl } from './actions'
import type { Autoplay } from './autoplay'
import { clipHref, compact, plural, profileHref, timeAgo } from './format'

/** Avatar, @author (to the profile), when, and who may see it unless public. */
export function byline(post: PostView): HTMLElement {
  return h(
    'div',
    { class: 'post-byline' },
    h('a', { class: 'post-author', href: profileHref(post.author), 'data-testid': 'post-author' }, avatar(post.author, colorFor(post.author)), h('span', {}, `@${post.author}`)),
    h('span', { class: 'muted small', title: new Date(post.posted_at).toLocaleString() }, timeAgo(post.posted_at)),
    post.visibility !== 'public' ? h('span', { class: 'badge', 'data-testid': 'post-visibility' }, post.visibility === 'followers' ? 'Followers' : 'Unlisted') : null,
  )
}

/** "remixed from @user" linking to the parent's page; null for an original. */
export function remixedFrom(post: PostView): HTMLElement | null {
  if (!post.parent_id) return null
  return h(
    'p',
    { class: 'remixed-from', 'data-testid': 'remixed-from' },
    icon('remix', 13),
    post.parent_author
      ? h('span', {}, 'remixed from ', h('a', { href: clipHref(post.parent_id), 'data-testid': 'remixed-from-link' }, `@${post.parent_author}`))
      : h('span', { class: 'muted' }, 'a remix of a post you cannot see'),
  )
}

/** The for-you ranking explained in one line, its terms in the tooltip. */
function why(post: PostView): HTMLElement | null {
  const s = post.score
  if (!s) return null
  const terms = `score ${s.total.toFixed(2)} = recency ${s.recency.toFixed(2)} + engagement ${s.engagement.toFixed(2)} + unseen ${s.unseen.toFixed(2)}`
  return h('p', { class: 'post-why', 'data-testid': 'post-why', title: terms }, h('span', { class: 'post-why-label' }, 'Why you see this'), s.reason)
}

export function postCard(post: PostView, autoplay: Autoplay): HTMLElement {
  const err = notice('error')
  const video = h('video', {
    class: 'post-video',
    muted: true,
    loop: true,
    playsinline: true,
    preload: 'none',
    poster: post.poster_url,
    src: post.preview_url,
    'aria-label': post.title,
    'data-testid': 'post-video',
  })
  video.muted = true
  // no preview (yet): fall back to the clip itself
  video.addEventListener('error', () => {
    if (video.getAttribute('src') === post.preview_url && post.video_url !== post.preview_url) video.src = post.video_url
  })
  autoplay.watch(video, post.id)
  const remix = remixControl(post.id, post.remixes, err)
  return h(
    'article',
    { class: 'card post-card', 'data-testid': 'post-card', 'data-post-id': post.id },
    byline(post),
    h('a', { class: 'post-media', href: clipHref(post.id), tabindex: '-1', 'aria-hidden': 'true' }, video, aiLabel()),
    h(
      'div',
      { class: 'post-body' },
      h('h2', { class: 'post-title' }, h('a', { href: clipHref(post.id), 'data-testid': 'post-title' }, post.title)),
      post.caption ? h('p', { class: 'post-caption', 'data-testid': 'post-caption' }, post.caption) : null,
      remixedFrom(post),
      why(post),
    ),
    h(
      'div',
      { class: 'post-actions' },
      likeButton(post, err),
      h(
        'a',
        { class: 'btn btn-action', href: `${clipHref(post.id)}/comments`, title: 'Comments', 'data-testid': 'comment-button' },
        icon('comment', 16),
        h('span', { class: 'count', 'data-testid': 'comment-count' }, compact(post.comments)),
      ),
      remix.button,
      h('span', { class: 'post-views muted small', 'data-testid': 'view-count' }, icon('eye', 14), plural(post.views, 'view')),
    ),
    remix.panel,
    err.el,
  )
}
