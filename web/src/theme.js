// Light or dark: follows the system (prefers-color-scheme) until the user picks one with the toggle,
// and then remembers that choice (localStorage, the only thing Outlay keeps there; never a token).
const KEY = 'outlay.theme';
const system = window.matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set();

function stored() {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'dark' || value === 'light' ? value : null;
  } catch {
    return null;
  }
}

/** The theme in force: the remembered choice, else the system's. */
export function currentTheme() {
  return stored() ?? (system.matches ? 'dark' : 'light');
}

function apply() {
  const theme = currentTheme();
  document.documentElement.dataset.theme = theme;
  for (const button of document.querySelectorAll('[data-theme-toggle]')) {
    button.setAttribute('aria-pressed', String(theme === 'dark'));
  }
  for (const listener of listeners) listener(theme);
}

/** Call `listener(theme)` whenever the theme changes (charts redraw their colours). */
export function onThemeChange(listener) {
  listeners.add(listener);
}

export function setTheme(theme) {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  apply();
}

/** Wire every `[data-theme-toggle]` button (aria-pressed = dark mode on). */
export function wireThemeToggle() {
  for (const button of document.querySelectorAll('[data-theme-toggle]')) {
    button.addEventListener('click', () => setTheme(currentTheme() === 'dark' ? 'light' : 'dark'));
  }
  apply();
}

system.addEventListener('change', () => {
  if (!stored()) apply();
});
apply();
