/**
 * The example set shown on first load (patterns from the migration guide: creating a table, adding a column with an
 * index, seeding data with a prepared statement), each for SQLite and PostgreSQL, and the template of "New migration".
 * The files are src/web/gallery/starter/*.lua (the gallery's "starter" set, src/web/gallery.ts).
 */
import type { SourceFile } from './worker/protocol.ts';
import { migrationTemplate as coreTemplate } from '../core/template.ts';

import createUsers from './gallery/starter/0001_create_users.lua?raw';
import addEmail from './gallery/starter/0002_add_email_to_users.lua?raw';
import seedRoles from './gallery/starter/0003_seed_roles.lua?raw';

export const EXAMPLE_FILES: SourceFile[] = [
  { name: '0001_create_users.lua', text: createUsers },
  { name: '0002_add_email_to_users.lua', text: addEmail },
  { name: '0003_seed_roles.lua', text: seedRoles },
];

/** A new migration named `name` (without number or extension), for the engines the playground runs. */
export function migrationTemplate(name: string): string {
  return coreTemplate(name, ['sqlite', 'postgres']);
}
