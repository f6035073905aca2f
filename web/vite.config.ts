// Dashboard build and dev server. `npm run dev` proxies the wire to a running feed server
// (TICKWIRE_URL, default http://127.0.0.1:8080) and says once when there is none (dev-proxy.ts);
// `npm run build` writes web/dist for site.ts.
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { createLogger, defineConfig } from 'vite';
import { devProxy } from './dev-proxy.ts';

const target = process.env.TICKWIRE_URL ?? 'http://127.0.0.1:8080';
const dev = devProxy(target, createLogger());

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [preact()],
  customLogger: dev.logger,
  // The dashboard reads the wire (names, payload types, codes) from its one home, server/wire/;
  // the same alias is in tsconfig.json `paths` and vitest.config.ts.
  resolve: { alias: { '@wire': fileURLToPath(new URL('../server/wire', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: dev.proxy,
  },
});
