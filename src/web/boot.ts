/**
 * The page's entry: starts the engine worker first (SQLite loads while the rest of the page downloads), then loads
 * the page itself.
 */
import { applyTheme, savedTheme } from './theme.ts';
import { startEarly } from './worker/client.ts';

applyTheme(savedTheme()); // before anything renders: no flash of the other theme
startEarly();
void import('./main.tsx');
