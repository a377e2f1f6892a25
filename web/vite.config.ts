import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { twemojiPlugin } from './vite-plugins/twemoji';
import { precompileMessagesPlugin } from './vite-plugins/precompileMessages';
import { emojiShortcodesPlugin } from './vite-plugins/emojiShortcodes';

// Dev mode: `npx vite web` serves the app with hot reload and forwards API and socket traffic
// to a running CookIM server (COOKIM_URL, default http://localhost:8080).
const serverUrl = process.env.COOKIM_URL ?? 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue(), twemojiPlugin(), precompileMessagesPlugin(), emojiShortcodesPlugin()],
  // vue-i18n's runtime-only build: catalogues arrive compiled, so no message compiler ships
  define: {
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
  },
  resolve: {
    alias: [
      { find: /^vue-i18n$/, replacement: 'vue-i18n/dist/vue-i18n.runtime.esm-bundler.js' },
      { find: '@protocol', replacement: fileURLToPath(new URL('../signaling/protocol/index.ts', import.meta.url)) },
      { find: '@', replacement: fileURLToPath(new URL('./src', import.meta.url)) },
    ],
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: serverUrl, changeOrigin: true },
      '/socket.io': { target: serverUrl, changeOrigin: true, ws: true },
    },
    fs: { allow: ['..'] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 700,
    reportCompressedSize: false,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod ships comments Rollup cannot place; harmless, and not ours to fix
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
});
