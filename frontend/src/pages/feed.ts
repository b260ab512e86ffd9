// Feed page `#/feed` (`#/feed/for-you`, `#/feed/following`, `#/feed/latest`): tabs over the three feeds
// and an infinitely scrolling list of post cards whose previews play while in view.
import { api } from '../api'
import type { FeedKind, PostView } from '../api-types'
import { h } from '../dom'
import { topbar } from '../layout'
import { navigate, type Cleanup } from '../router'
import { currentUser, signInThenReturn } from '../session'
import { Autoplay } from '../social/autoplay'
import { PagedList } from '../social/paged-list'
import { postCard } from '../social/post-card'

const TABS: { kind: FeedKind; label: string }[] = [
  { kind: 'for-you', label: 'For you' },
  { kind: 'following', label: 'Following' },
  { kind: 'latest', label: 'Latest' },
]

function emptyText(kind: FeedKind): Node {
  switch (kind) {
    case 'for-you':
      return h('div', {}, h('p', {}, 'Nothing here yet.'), h('p', { class: 'muted' }, 'Posts from the last two weeks show up here, best first.'))
    case 'following':
      return h('div', {}, h('p', {}, 'No posts from people you follow.'), h('p', { class: 'muted' }, 'Find people in ', h('a', { href: '#/feed/latest' }, 'Latest'), ' and follow them from their profile.'))
    case 'latest':
      return h('div', {}, h('p', {}, 'No posts yet.'), h('p', { class: 'muted' }, 'Make a clip in ', h('a', { href: '#/' }, 'one of your rooms'), ' and post it.'))
  }
}

export async function feedPage(root: HTMLElement, params: Record<string, string>): Promise<Cleanup | void> {
  const kind = TABS.find((t) => t.kind === params.tab)?.kind
  if (params.tab !== undefined && !kind) return navigate('/feed', { replace: true })
  const tab = kind ?? 'for-you'
  const user = await currentUser().catch(() => null)
  if (!user) return signInThenReturn(params.tab ? `/feed/${tab}` : '/feed')

  const autoplay = new Autoplay()
  const list = new PagedList<PostView>({
    load: (cursor) => api.feed(tab, cursor),
    key: (p) => p.id,
    render: (p) => postCard(p, autoplay),
    list: h('div', { class: 'feed-list' }),
    empty: () => emptyText(tab),
    end: 'You’re all caught up.',
    testid: 'feed',
  })
  const tabs = h(
    'div',
    { class: 'tabs feed-tabs', role: 'tablist' },
    TABS.map((t) =>
      h(
        'a',
        {
          class: `tab${t.kind === tab ? ' active' : ''}`,
          href: `#/feed/${t.kind}`,
          role: 'tab',
          'aria-selected': String(t.kind === tab),
          'data-testid': `feed-tab-${t.kind}`,
        },
        t.label,
      ),
    ),
  )
  root.append(topbar(user), h('main', { class: 'container feed-page', 'data-testid': 'feed-page', 'data-feed': tab }, h('div', { class: 'page-head' }, h('h1', {}, 'Feed')), tabs, list.el))
  return () => {
    list.destroy()
    autoplay.destroy()
  }
}
