// Four static pages (sign-in, expenses, settings, account) built into dist/ with hashed assets under
// dist/assets/. Settings (API URL, user pool) are never baked in: each page fetches config.json.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const page = (name) => resolve(import.meta.dirname, name);

export default defineConfig({
  // Relative asset URLs: the same build works at a site root or under a path prefix.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    rolldownOptions: {
      input: {
        index: page('index.html'),
        expenses: page('expenses.html'),
        settings: page('settings.html'),
        account: page('account.html'),
        aws: page('aws.html'),
        recurring: page('recurring.html'),
        statements: page('statements.html'),
      },
    },
  },
});
