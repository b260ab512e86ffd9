// Entry point: registers routes, wires global 401 handling (sign in again, then come back) and starts the hash router.
import './styles.css'
import { onUnauthorized } from './api'
import { authPage } from './pages/auth'
import { avatarPage } from './pages/avatar'
import { checkPage } from './pages/check'
import { clipPage } from './pages/clip'
import { feedPage } from './pages/feed'
import { joinPage } from './pages/join'
import { profilePage } from './pages/profile'
import { roomsPage } from './pages/rooms'
import { studioPage } from './pages/studio'
import { currentPath, navigate, route, startRouter } from './router'
import { rememberReturnTo, setCurrentUser } from './session'

route('/login', authPage)
route('/', roomsPage)
route('/room/:id', studioPage)
route('/join/:room/:token', joinPage)
route('/feed', feedPage)
route('/feed/:tab', feedPage)
route('/clip/:id', clipPage)
route('/clip/:id/comments', (root, params) => clipPage(root, { ...params, comments: '1' }))
route('/u/:username', profilePage)
route('/avatar', avatarPage)
route('/check', checkPage)

onUnauthorized(() => {
  setCurrentUser(null)
  const path = currentPath()
  if (path !== '/login') {
    // come back here once signed in again
    rememberReturnTo(path)
    navigate('/login')
  }
})

startRouter()
