/**
 * The colour theme: Light, Dark, or System (the default, following the system's setting). The choice is kept in
 * local storage; the page's colours follow `data-theme` on the root element ('light' or 'dark', the choice resolved),
 * set before the page renders (boot.ts) and whenever the choice or the system's setting changes.
 */
export type ThemeChoice = 'light' | 'dark' | 'system';

export const THEME_LABELS: Record<ThemeChoice, string> = { light: 'Light', dark: 'Dark', system: 'System' };

const KEY = 'moonwalk.theme.v1';

export function savedTheme(): ThemeChoice {
  try {
    const saved = localStorage.getItem(KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  } catch {
    return 'system';
  }
}

export function saveTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Not remembered; the page still changes.
  }
}

const systemDark = () => matchMedia('(prefers-color-scheme: dark)');

export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && systemDark().matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

/** Re-applies `current()` when the system's setting changes (it matters while the choice is System). */
export function followSystem(current: () => ThemeChoice): void {
  systemDark().addEventListener('change', () => applyTheme(current()));
}
