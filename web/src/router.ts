import { createRouter, createWebHistory } from 'vue-router';
import { auth } from '@/stores/auth';
import HomeLayout from '@/views/HomeLayout.vue';
import LoginView from '@/views/LoginView.vue';
import RegisterView from '@/views/RegisterView.vue';
import EmptyChatView from '@/views/EmptyChatView.vue';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'Sign in' } },
    { path: '/register', name: 'register', component: RegisterView, meta: { public: true, title: 'Create account' } },
    {
      path: '/',
      component: HomeLayout,
      children: [
        { path: '', name: 'home', component: EmptyChatView, meta: { title: 'Chats' } },
        { path: 'c/:id', name: 'chat', component: () => import('@/views/ChatView.vue'), props: true },
        { path: 'discover', name: 'discover', component: () => import('@/views/DiscoverGroupsView.vue'), meta: { title: 'Discover groups' } },
        { path: 'new-group', name: 'new-group', component: () => import('@/views/NewGroupView.vue'), meta: { title: 'New group' } },
        { path: 'new-chat', name: 'new-chat', component: () => import('@/views/NewPrivateChatView.vue'), meta: { title: 'New chat' } },
        { path: 'profile', name: 'profile', component: () => import('@/views/ProfileView.vue'), meta: { title: 'Profile' } },
        { path: 'live', name: 'live-directory', component: () => import('@/views/LiveDirectoryView.vue'), meta: { title: 'Live' } },
        {
          path: 'live/new',
          name: 'live-new',
          component: () => import('@/views/GoLiveView.vue'),
          props: (route) => ({ sessionid: typeof route.query.sessionid === 'string' ? route.query.sessionid : undefined }),
          meta: { title: 'Go live' },
        },
        { path: 'live/:streamid', name: 'live', component: () => import('@/views/LiveView.vue'), props: true, meta: { title: 'Live stream' } },
      ],
    },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
});

router.beforeEach((to) => {
  if (!to.meta.public && !auth.isSignedIn.value) {
    return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  }
  if (to.meta.public && auth.isSignedIn.value) return { name: 'home' };
  return true;
});

router.afterEach((to) => {
  const title = to.meta.title as string | undefined;
  if (title) document.title = `${title} · CookIM`;
});

// a 401 anywhere, a revoked socket token or "sign out": back to the login screen
auth.onSignedOut(() => {
  if (!router.currentRoute.value.meta.public) void router.replace({ name: 'login' });
});
