// Clip page `#/clip/<id>` (`#/clip/<id>/comments` opens it at the comments): the posted clip's full
// video, its title, caption, author and "remixed from", counts, Like / Remix (and Delete for its
// author; "Report: uses my likeness" for everyone else), the comments and the remix chain as a tree.
import { api, ApiError } from '../api'
import { likenessReport } from '../cameo/report'
import type { PostView } from '../api-types'
import { h } from '../dom'
import { aiLabel } from '../provenance/label'
import { icon } from '../icons'
import { notice, topbar } from '../layout'
import { navigate, type Cleanup } from '../router'
import { currentUser, signInThenReturn } from '../session'
import { likeButton, remixControl } from '../social/actions'
import { countViewWhilePlaying } from '../social/autoplay'
import { CommentsPanel } from '../social/comments'
import { errorText, plural, profileHref } from '../social/format'
import { LineageTree } from '../social/lineage'
import { byline, remixedFrom } from '../social/post-card'

/** What to show instead of a post that cannot be shown: the caller's own draft says so. */
async function unavailable(root: HTMLElement, clipId: string, e: unknown): Promise<void> {
  let title = 'Cannot show this clip'
  let text = errorText(e)
  let link = h('a', { class: 'btn btn-secondary', href: '#/feed' }, icon('back', 14), 'Back to the feed')
  if (e instanceof ApiError && e.status === 404) {
    title = 'Clip not found'
    text = 'It was never posted, was removed, or is not shared with you.'
    const clip = await api.getClip(clipId).catch(() => null)
    if (clip?.status === 'draft') {
      title = 'This is your draft'
      text = 'Only you can see it. Post it from its room to share it.'
      if (clip.room_id) link = h('a', { class: 'btn btn-secondary', href: `#/room/${encodeURIComponent(clip.room_id)}` }, icon('back', 14), 'Open its room')
    }
  }
  root.append(h('main', { class: 'container' }, h('div', { class: 'card empty', 'data-testid': 'clip-unavailable' }, h('h2', {}, title), h('p', { class: 'muted' }, text), link)))
}

export async function clipPage(root: HTMLElement, params: Record<string, string>): Promise<Cleanup | void> {
  const clipId = params.id
  const here = `/clip/${encodeURIComponent(clipId)}${params.comments ? '/comments' : ''}`
  const user = await currentUser().catch(() => null)
  if (!user) return signInThenReturn(here)
  let post: PostView
  try {
    post = await api.getPost(clipId)
  } catch (e) {
    root.append(topbar(user))
    await unavailable(root, clipId, e)
    return
  }

  const err = notice('error')
  const player = h('video', {
    class: 'clip-player',
    controls: true,
    muted: true,
    autoplay: true,
    loop: true,
    playsinline: true,
    poster: post.poster_url,
    src: post.video_url,
    'data-testid': 'clip-player',
  })
  player.muted = true
  const stopViews = countViewWhilePlaying(player, post.id)
  void player.play().catch(() => {})

  const commentCount = h('span', { 'data-testid': 'clip-comments' })
  let comments = post.comments
  const paintComments = () => (commentCount.textContent = plural(comments, 'comment'))
  paintComments()
  const likeCount = h('span', { 'data-testid': 'clip-likes' }, plural(post.likes, 'like'))
  const counts = h(
    'p',
    { class: 'clip-counts muted small', 'data-testid': 'clip-counts' },
    likeCount,
    ' · ',
    commentCount,
    ' · ',
    h('span', { 'data-testid': 'clip-remixes' }, plural(post.remixes, 'remix', 'remixes')),
    ' · ',
    h('span', { 'data-testid': 'clip-views' }, plural(post.views, 'view')),
  )
  const like = likeButton(post, err, (_liked, likes) => (likeCount.textContent = plural(likes, 'like')))
  const remix = remixControl(post.id, post.remixes, err)
  const download = h(
    'a',
    { class: 'btn btn-ghost btn-sm', href: `/api/clips/${post.id}/download`, download: `reelroom-${post.id}.mp4`, 'data-testid': 'clip-download', title: 'A signed copy with a visible mark' },
    'Download',
  )
  const actions = h('div', { class: 'post-actions' }, like, remix.button, download)
  const report = post.author === user.username ? null : likenessReport(post.id)
  if (post.author === user.username) actions.append(deleteButton(post.id, user.username, err))
  else if (report) actions.append(report.button)

  const commentsPanel = new CommentsPanel(post.id, user.username, (delta) => {
    comments = Math.max(0, comments + delta)
    paintComments()
  })
  const lineage = new LineageTree({ id: post.id, title: post.title, author: post.author })

  root.append(
    topbar(user, h('a', { class: 'btn btn-ghost btn-sm', href: '#/feed' }, icon('back', 14), 'Feed')),
    h(
      'main',
      { class: 'clip-page', 'data-testid': 'clip-page', 'data-clip-id': post.id },
      h(
        'div',
        { class: 'clip-main' },
        h(
          'section',
          { class: 'card clip-card' },
          h('div', { class: 'clip-stage' }, player, aiLabel()),
          byline(post),
          h('h1', { class: 'clip-title', 'data-testid': 'clip-title' }, post.title),
          post.caption ? h('p', { class: 'post-caption', 'data-testid': 'clip-caption' }, post.caption) : null,
          remixedFrom(post),
          counts,
          actions,
          remix.panel,
          report?.panel,
          err.el,
        ),
        commentsPanel.el,
      ),
      h('aside', { class: 'clip-side' }, lineage.el, h('p', { class: 'muted small' }, 'More by ', h('a', { href: profileHref(post.author) }, `@${post.author}`))),
    ),
  )
  if (params.comments) commentsPanel.focus()

  return () => {
    stopViews()
    commentsPanel.destroy()
    lineage.destroy()
    player.pause()
    player.removeAttribute('src')
    player.load()
  }
}

/** Delete, then "Delete for good?" / "Keep" (no browser dialog); afterwards, to the author's profile. */
function deleteButton(postId: string, me: string, err: { show: (m: string) => void; clear: () => void }): HTMLElement {
  const start = h('button', { class: 'btn btn-action danger', type: 'button', 'data-testid': 'delete-post' }, icon('trash', 16), h('span', { class: 'action-label' }, 'Delete'))
  const confirm = h('button', { class: 'btn btn-danger btn-sm', type: 'button', 'data-testid': 'delete-post-confirm' }, 'Delete for good')
  const keep = h('button', { class: 'btn btn-ghost btn-sm', type: 'button' }, 'Keep')
  const ask = h('span', { class: 'delete-confirm', hidden: true }, confirm, keep)
  start.onclick = () => {
    start.hidden = true
    ask.hidden = false
  }
  keep.onclick = () => {
    start.hidden = false
    ask.hidden = true
  }
  confirm.onclick = async () => {
    confirm.disabled = true
    err.clear()
    try {
      await api.deletePost(postId)
      navigate(`/u/${encodeURIComponent(me)}`)
    } catch (e) {
      err.show(errorText(e))
      confirm.disabled = false
    }
  }
  return h('span', { class: 'delete-post' }, start, ask)
}
