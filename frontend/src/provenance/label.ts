// The visible "AI-generated" label every clip carries wherever it is shown (feed cards, the clip
// player, the live preview). Posters, previews and downloads also carry it in their pixels
// (the server burns it in); this one is for the page around them.
import { h } from '../dom'

export function aiLabel(): HTMLElement {
  return h('span', { class: 'ai-label', 'data-testid': 'ai-label', title: 'Made by an AI model on reelroom' }, 'AI-generated')
}
