/**
 * The page's entry: starts the engine worker first (SQLite loads while the rest of the page downloads), then loads
 * the page itself.
 */
import { startEarly } from './worker/client.ts';

startEarly();
void import('./main.tsx');
