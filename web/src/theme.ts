// Light or dark: the system's setting, unless the person chose one with the toggle (kept in
// localStorage). styles.css holds both palettes; this only sets <html data-theme> when a choice was made.
export type Theme = 'light' | 'dark';

const KEY = 'superstore.theme';
export const THEME_EVENT = 'superstore-theme';

function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function chosenTheme(): Theme | null {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : null;
}

export function effectiveTheme(): Theme {
  return chosenTheme() ?? systemTheme();
}

export function applyTheme(): void {
  const chosen = chosenTheme();
  if (chosen) document.documentElement.dataset.theme = chosen;
  else delete document.documentElement.dataset.theme;
  window.dispatchEvent(new Event(THEME_EVENT));
}

// The other theme; choosing the system's own again goes back to following the system.
export function toggleTheme(): Theme {
  const next: Theme = effectiveTheme() === 'dark' ? 'light' : 'dark';
  if (next === systemTheme()) localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, next);
  applyTheme();
  return next;
}
