// Entry point: registers routes, wires global 401 handling and starts the hash router.
import './styles.css'
import { onUnauthorized } from './api'
import { authPage } from './pages/auth'
import { roomsPage } from './pages/rooms'
import { studioPage } from './pages/studio'
import { currentPath, navigate, route, startRouter } from './router'
import { setCurrentUser } from './session'

route('/login', authPage)
route('/', roomsPage)
route('/room/:id', studioPage)

onUnauthorized(() => {
  setCurrentUser(null)
  if (currentPath() !== '/login') navigate('/login')
})

startRouter()
