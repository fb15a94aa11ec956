// What every page behind sign-in starts with: the sign-in check and header, the theme toggle, the
// keyboard shortcuts (page-specific actions for "/" and "n", see shortcuts.js).
import { installShortcuts } from './shortcuts.js';
import { wireThemeToggle } from './theme.js';
import { requireSignIn } from './ui.js';

export function startFrame(shortcutActions = {}) {
  wireThemeToggle();
  if (!requireSignIn()) return false;
  installShortcuts(shortcutActions);
  return true;
}
