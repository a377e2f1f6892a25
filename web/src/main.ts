import './lib/zodJitless';
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';
import { i18n } from './i18n';
import { trackViewportHeight } from './composables/useViewportHeight';
import { registerServiceWorker } from './lib/serviceWorker';
import './styles/base.css';

trackViewportHeight();
createApp(App).use(i18n).use(router).mount('#app');
registerServiceWorker();
