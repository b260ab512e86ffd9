// Profile page `#/u/<username>`: who they are (followers, following, posts), Follow / Unfollow (not on
// one's own), and their posts as a grid of poster thumbnails leading to the clip pages (infinite scroll).
import { api, ApiError } from '../api'
import type { PostView, ProfileView } from '../api-types'
import { colorFor } from '../colors'
import { avatar, h, setChildren } from '../dom'
import { icon } from '../icons'
import { notice, topbar } from '../layout'
import type { Cleanup } from '../router'
import { currentUser, signInThenReturn } from '../session'
import { clipHref, compact, errorText } from '../social/format'
import { PagedList } from '../social/paged-list'

function tile(post: PostView): HTMLElement {
  return h(
    'a',
    { class: 'post-tile', href: clipHref(post.id), 'data-testid': 'profile-post', 'data-post-id': post.id, title: post.title },
    h('img', { src: post.poster_url, alt: post.title, loading: 'lazy', decoding: 'async' }),
    h('span', { class: 'post-tile-info' }, h('span', { class: 'post-tile-title' }, post.title), h('span', { class: 'post-tile-likes' }, icon('heart', 12), compact(post.likes))),
    post.parent_id ? h('span', { class: 'post-tile-remix', title: 'A remix' }, icon('remix', 12)) : null,
  )
}

function stat(value: number, label: string, testid: string): HTMLElement {
  return h('span', { class: 'profile-stat' }, h('b', { 'data-testid': testid }, compact(value)), ` ${label}`)
}

function followButton(profile: ProfileView, onFollowers: (n: number) => void, err: { show: (m: string) => void; clear: () => void }): HTMLButtonElement {
  let following = profile.followed_by_you
  const btn = h('button', { class: 'btn', type: 'button', 'data-testid': 'follow-button' })
  const paint = () => {
    btn.textContent = following ? 'Unfollow' : 'Follow'
    btn.className = `btn ${following ? 'btn-secondary' : 'btn-primary'}`
    btn.setAttribute('aria-pressed', String(following))
  }
  btn.onclick = async () => {
    btn.disabled = true
    err.clear()
    try {
      const answer = following ? await api.unfollow(profile.username) : await api.follow(profile.username)
      following = answer.following
      onFollowers(answer.followers)
      paint()
    } catch (e) {
      err.show(errorText(e))
    } finally {
      btn.disabled = false
    }
  }
  paint()
  return btn
}

export async function profilePage(root: HTMLElement, params: Record<string, string>): Promise<Cleanup | void> {
  const username = params.username
  const user = await currentUser().catch(() => null)
  if (!user) return signInThenReturn(`/u/${encodeURIComponent(username)}`)
  let profile: ProfileView
  try {
    profile = await api.profile(username)
  } catch (e) {
    const missing = e instanceof ApiError && e.status === 404
    root.append(
      topbar(user),
      h(
        'main',
        { class: 'container' },
        h(
          'div',
          { class: 'card empty', 'data-testid': 'profile-unavailable' },
          h('h2', {}, missing ? 'No such user' : 'Cannot show this profile'),
          h('p', { class: 'muted' }, missing ? `Nobody is called @${username}.` : errorText(e)),
          h('a', { class: 'btn btn-secondary', href: '#/feed' }, icon('back', 14), 'Back to the feed'),
        ),
      ),
    )
    return
  }

  const err = notice('error')
  const followers = h('span', { class: 'profile-stat' })
  const paintFollowers = (n: number) => setChildren(followers, h('b', { 'data-testid': 'profile-followers' }, compact(n)), ` ${n === 1 ? 'follower' : 'followers'}`)
  paintFollowers(profile.followers)
  const posts = new PagedList<PostView>({
    load: (cursor) => api.userPosts(profile.username, cursor),
    key: (p) => p.id,
    render: tile,
    list: h('div', { class: 'post-grid' }),
    empty: () =>
      profile.is_you
        ? h('div', {}, h('p', {}, 'You have not posted yet.'), h('p', { class: 'muted' }, 'Generate a clip in ', h('a', { href: '#/' }, 'one of your rooms'), ' and press Post.'))
        : h('p', {}, `@${profile.username} has no posts you can see.`),
    end: '',
    testid: 'profile-posts',
  })

  root.append(
    topbar(user),
    h(
      'main',
      { class: 'container', 'data-testid': 'profile-page', 'data-username': profile.username },
      h(
        'section',
        { class: 'card profile-head' },
        avatar(profile.username, colorFor(profile.username), 'avatar-lg'),
        h(
          'div',
          { class: 'profile-info' },
          h('h1', { 'data-testid': 'profile-name' }, `@${profile.username}`),
          h(
            'p',
            { class: 'profile-stats muted' },
            followers,
            stat(profile.following, 'following', 'profile-following'),
            stat(profile.posts, profile.posts === 1 ? 'post' : 'posts', 'profile-post-count'),
          ),
        ),
        profile.is_you ? h('span', { class: 'badge', 'data-testid': 'profile-you' }, 'You') : followButton(profile, paintFollowers, err),
      ),
      err.el,
      posts.el,
    ),
  )
  return () => posts.destroy()
}
