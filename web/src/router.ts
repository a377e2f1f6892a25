import { watch } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import { i18n, t } from '@/i18n';
import { auth } from '@/stores/auth';
import HomeLayout from '@/views/HomeLayout.vue';
import LoginView from '@/views/LoginView.vue';
import RegisterView from '@/views/RegisterView.vue';
import EmptyChatView from '@/views/EmptyChatView.vue';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'login.submit' } },
    { path: '/register', name: 'register', component: RegisterView, meta: { public: true, title: 'register.submit' } },
    {
      path: '/',
      component: HomeLayout,
      children: [
        { path: '', name: 'home', component: EmptyChatView, meta: { title: 'sidebar.chats' } },
        { path: 'c/:id', name: 'chat', component: () => import('@/views/ChatView.vue'), props: true },
        { path: 'discover', name: 'discover', component: () => import('@/views/DiscoverGroupsView.vue'), meta: { title: 'discover.title' } },
        { path: 'new-group', name: 'new-group', component: () => import('@/views/NewGroupView.vue'), meta: { title: 'newGroup.title' } },
        { path: 'new-chat', name: 'new-chat', component: () => import('@/views/NewPrivateChatView.vue'), meta: { title: 'newChat.title' } },
        { path: 'mentions', name: 'mentions', component: () => import('@/views/MentionsView.vue'), meta: { title: 'attention.mentions' } },
        { path: 'profile', name: 'profile', component: () => import('@/views/ProfileView.vue'), meta: { title: 'profile.title' } },
        { path: 'live', name: 'live-directory', component: () => import('@/views/LiveDirectoryView.vue'), meta: { title: 'live.title' } },
        {
          path: 'live/new',
          name: 'live-new',
          component: () => import('@/views/GoLiveView.vue'),
          props: (route) => ({ sessionid: typeof route.query.sessionid === 'string' ? route.query.sessionid : undefined }),
          meta: { title: 'live.goLive' },
        },
        { path: 'invite/:code', name: 'invite', component: () => import('@/views/InviteView.vue'), props: true, meta: { title: 'people.inviteTitle' } },
        { path: 'live/:streamid', name: 'live', component: () => import('@/views/LiveView.vue'), props: true, meta: { title: 'live.pageTitle' } },
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

/** The tab's title: the page's (a catalogue key in `meta.title`), in the language of the moment. */
function retitle(): void {
  const key = router.currentRoute.value.meta.title as string | undefined;
  if (key) document.title = `${t(key)} · CookIM`;
}
router.afterEach(retitle);
watch(i18n.global.locale, retitle);

// a 401 anywhere, a revoked socket token or "sign out": back to the login screen
auth.onSignedOut(() => {
  if (!router.currentRoute.value.meta.public) void router.replace({ name: 'login' });
});
