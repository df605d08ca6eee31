/**
 * The course: ten lessons from "create a table" to a reversible data migration, each a task, a starting workspace,
 * an answer that passes (the expected schema and rows are what it leaves), hints and its own checks. Content only:
 * check.ts runs the checks, components/Lessons.tsx shows them.
 *
 * The migrations are real `.lua` files under course/<lesson id>/ (imported as text with Vite's `?raw`, as the
 * gallery's): the lesson's own file in start/ and answer/, the files it is given beside them. A lesson given an
 * earlier lesson's answer imports that file (users, posts).
 *
 * Every answer passes and every starting workspace fails Check: test/unit/lessons.test.ts runs each through the
 * real core (sql.js, PGlite).
 */
import type { Lesson } from './types.ts';
import createUsersStart from './course/create-table/start/0001_create_users.lua?raw';
import createUsersAnswer from './course/create-table/answer/0001_create_users.lua?raw';
import createPostsStart from './course/write-down/start/0002_create_posts.lua?raw';
import createPostsAnswer from './course/write-down/answer/0002_create_posts.lua?raw';
import addUsersBioStart from './course/add-column/start/0002_add_users_bio.lua?raw';
import addUsersBioAnswer from './course/add-column/answer/0002_add_users_bio.lua?raw';
import indexPostsUserIdStart from './course/add-index/start/0003_index_posts_user_id.lua?raw';
import indexPostsUserIdAnswer from './course/add-index/answer/0003_index_posts_user_id.lua?raw';
import createRoles from './course/seed-data/0001_create_roles.lua?raw';
import seedRolesStart from './course/seed-data/start/0002_seed_roles.lua?raw';
import seedRolesAnswer from './course/seed-data/answer/0002_seed_roles.lua?raw';
import createPeople from './course/prepared-statements/0001_create_people.lua?raw';
import insertPeopleStart from './course/prepared-statements/start/0002_insert_people.lua?raw';
import insertPeopleAnswer from './course/prepared-statements/answer/0002_insert_people.lua?raw';
import createSettings from './course/error-handling/0001_create_settings.lua?raw';
import defaultSettingsStart from './course/error-handling/start/0002_default_settings.lua?raw';
import defaultSettingsAnswer from './course/error-handling/answer/0002_default_settings.lua?raw';
import createEventsStart from './course/engine-blocks/start/0001_create_events.lua?raw';
import createEventsAnswer from './course/engine-blocks/answer/0001_create_events.lua?raw';
import createMembers from './course/table-rebuild/0001_create_members.lua?raw';
import requireMemberNameStart from './course/table-rebuild/start/0002_require_member_name.lua?raw';
import requireMemberNameAnswer from './course/table-rebuild/answer/0002_require_member_name.lua?raw';
import createCustomers from './course/data-migration/0001_create_customers.lua?raw';
import splitNamesStart from './course/data-migration/start/0002_split_names.lua?raw';
import splitNamesAnswer from './course/data-migration/answer/0002_split_names.lua?raw';

const createTable: Lesson = {
  id: 'create-table',
  title: 'Create a table',
  task: [
    'Write the up of 0001_create_users.lua: it creates a table users with an id INTEGER PRIMARY KEY, a name TEXT NOT NULL and an email TEXT NOT NULL UNIQUE. Its down drops the table again.',
    'Press Apply next to run it and look at the Schema panel; Revert last undoes it. Press Check when you are done.',
  ],
  file: '0001_create_users.lua',
  files: [{ name: '0001_create_users.lua', text: createUsersStart }],
  answer: [{ name: '0001_create_users.lua', text: createUsersAnswer }],
  hints: [
    'db:execute(sql) runs one statement. It answers a result, or nil and an error: write local _, err = db:execute(...) and then if err then error(err) end, so a failure stops the migration.',
    'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE), and in down: DROP TABLE users.',
  ],
};

const writeDown: Lesson = {
  id: 'write-down',
  title: 'Undo it with down',
  task: [
    '0002_create_posts.lua creates a table posts, but it has no down: once applied it cannot be reverted, and Verify says "not reversible".',
    'Add a down to it that undoes exactly what its up does. Verify (or Check) runs up, then down, and compares the database with how it was before.',
  ],
  file: '0002_create_posts.lua',
  files: [
    { name: '0001_create_users.lua', text: createUsersAnswer },
    { name: '0002_create_posts.lua', text: createPostsStart },
  ],
  answer: [
    { name: '0001_create_users.lua', text: createUsersAnswer },
    { name: '0002_create_posts.lua', text: createPostsAnswer },
  ],
  hints: [
    'A down goes beside the up, inside the same database("sqlite", …) block: down(function(db) … end).',
    'up creates the table posts, so down drops it: DROP TABLE posts.',
  ],
};

const addColumn: Lesson = {
  id: 'add-column',
  title: 'Add a column',
  task: [
    'Users want a short biography. Write 0002_add_users_bio.lua: it adds a column bio of type TEXT (NULL allowed) to users, and its down removes the column again.',
  ],
  file: '0002_add_users_bio.lua',
  files: [
    { name: '0001_create_users.lua', text: createUsersAnswer },
    { name: '0002_add_users_bio.lua', text: addUsersBioStart },
  ],
  answer: [
    { name: '0001_create_users.lua', text: createUsersAnswer },
    { name: '0002_add_users_bio.lua', text: addUsersBioAnswer },
  ],
  hints: [
    'ALTER TABLE users ADD COLUMN bio TEXT',
    'In down: ALTER TABLE users DROP COLUMN bio (SQLite 3.35 and later).',
  ],
};

const addIndex: Lesson = {
  id: 'add-index',
  title: 'Add an index',
  task: [
    'Finding the posts of a user reads the whole posts table. Write 0003_index_posts_user_id.lua: it creates an index idx_posts_user_id on posts (user_id); its down drops the index.',
  ],
  file: '0003_index_posts_user_id.lua',
  files: [
    { name: '0001_create_users.lua', text: createUsersAnswer },
    { name: '0002_create_posts.lua', text: createPostsAnswer },
    { name: '0003_index_posts_user_id.lua', text: indexPostsUserIdStart },
  ],
  answer: [
    { name: '0001_create_users.lua', text: createUsersAnswer },
    { name: '0002_create_posts.lua', text: createPostsAnswer },
    { name: '0003_index_posts_user_id.lua', text: indexPostsUserIdAnswer },
  ],
  hints: ['CREATE INDEX idx_posts_user_id ON posts (user_id)', 'In down: DROP INDEX idx_posts_user_id.'],
};

const seedData: Lesson = {
  id: 'seed-data',
  title: 'Seed data',
  task: [
    'Write 0002_seed_roles.lua: its up inserts three roles named admin, editor and viewer into roles. Its down deletes exactly those three rows (not the whole table: rows added later by people are theirs).',
  ],
  file: '0002_seed_roles.lua',
  files: [
    { name: '0001_create_roles.lua', text: createRoles },
    { name: '0002_seed_roles.lua', text: seedRolesStart },
  ],
  answer: [
    { name: '0001_create_roles.lua', text: createRoles },
    { name: '0002_seed_roles.lua', text: seedRolesAnswer },
  ],
  hints: [
    "One INSERT can add several rows: INSERT INTO roles (name) VALUES ('admin'), ('editor'), ('viewer').",
    "In down: DELETE FROM roles WHERE name IN ('admin', 'editor', 'viewer').",
  ],
  checks: [{ kind: 'same-rows', title: 'The roles after up', sql: 'SELECT name FROM roles ORDER BY name' }],
};

const preparedStatements: Lesson = {
  id: 'prepared-statements',
  title: 'Prepared statements',
  task: [
    "0002_insert_people.lua builds each INSERT by gluing the values into the SQL with .. — and Miles O'Brien's quote breaks it (try Apply next). Values spliced into SQL are also how SQL injection happens.",
    'Rewrite it with parameters: db:prepare("INSERT INTO people (name, email) VALUES (?, ?)") once, then stmt:execute({ name, email }) for each person, and stmt:close(). Its down deletes those people by email, with a parameter too.',
  ],
  file: '0002_insert_people.lua',
  files: [
    { name: '0001_create_people.lua', text: createPeople },
    { name: '0002_insert_people.lua', text: insertPeopleStart },
  ],
  answer: [
    { name: '0001_create_people.lua', text: createPeople },
    { name: '0002_insert_people.lua', text: insertPeopleAnswer },
  ],
  hints: [
    'A ? in the SQL is a placeholder; the values go in a table after it, in order: db:execute("DELETE FROM people WHERE email = ?", { person[2] }).',
    'local stmt, err = db:prepare("INSERT INTO people (name, email) VALUES (?, ?)") prepares once; stmt:execute({ person[1], person[2] }) runs it per person; stmt:close() at the end.',
  ],
  checks: [
    { kind: 'parameters', file: '0002_insert_people.lua' },
    { kind: 'same-rows', title: 'The people after up', sql: 'SELECT name, email FROM people ORDER BY email' },
  ],
};

const errorHandling: Lesson = {
  id: 'error-handling',
  title: 'Handle a failing statement',
  task: [
    '0002_default_settings.lua inserts default settings, but theme is already set (to dark, by 0001), so its INSERT fails with a constraint error and the whole migration rolls back.',
    'Keep what is set: take a savepoint before each INSERT (db:savepoint("setting")); when the INSERT fails with an error whose err:kind() is "constraint", roll back to it (db:rollback_to("setting")) and go on; any other error still stops the migration (error(err)). A failed statement dooms the transaction until you roll back to a savepoint taken before it.',
    'down deletes the two settings this migration adds: language and page_size.',
  ],
  file: '0002_default_settings.lua',
  files: [
    { name: '0001_create_settings.lua', text: createSettings },
    { name: '0002_default_settings.lua', text: defaultSettingsStart },
  ],
  answer: [
    { name: '0001_create_settings.lua', text: createSettings },
    { name: '0002_default_settings.lua', text: defaultSettingsAnswer },
  ],
  hints: [
    'Inside the loop: db:savepoint("setting") before the INSERT; after it, if err and err:kind() == "constraint" then db:rollback_to("setting") elseif err then error(err) end.',
    'db:release("setting") after each one ends the savepoint (optional, but tidy).',
  ],
  checks: [
    {
      kind: 'calls',
      title: 'Recovers with a savepoint',
      file: '0002_default_settings.lua',
      calls: ['savepoint', 'rollback_to'],
    },
    { kind: 'same-rows', title: 'The settings after up', sql: 'SELECT key, value FROM settings ORDER BY key' },
  ],
};

const engineBlocks: Lesson = {
  id: 'engine-blocks',
  title: 'One migration, two engines',
  task: [
    '0001_create_events.lua has a block for SQLite only: on PostgreSQL it is skipped and stays pending. Add a database("postgres", …) block beside it that creates the same table the PostgreSQL way: id SERIAL PRIMARY KEY (or an identity column), kind TEXT NOT NULL, happened_at TIMESTAMPTZ NOT NULL DEFAULT now(). Its down drops the table.',
    'Check runs the file on SQLite and on PostgreSQL (PostgreSQL is loaded for it the first time). Compare engines shows the two schemas side by side.',
  ],
  file: '0001_create_events.lua',
  engines: ['sqlite', 'postgres'],
  files: [{ name: '0001_create_events.lua', text: createEventsStart }],
  answer: [{ name: '0001_create_events.lua', text: createEventsAnswer }],
  hints: [
    'A second block goes beside the first, inside migration(…): database("postgres", function() up(function(db) … end) down(function(db) … end) end).',
    'SQLite numbers an INTEGER PRIMARY KEY by itself; PostgreSQL needs SERIAL (or GENERATED ALWAYS AS IDENTITY). PostgreSQL has no strftime: TIMESTAMPTZ with DEFAULT now().',
  ],
  checks: [{ kind: 'engine-blocks', file: '0001_create_events.lua', engines: ['sqlite', 'postgres'] }],
};

const tableRebuild: Lesson = {
  id: 'table-rebuild',
  title: 'The SQLite table rebuild',
  task: [
    "members.name may be NULL. Make it required: NOT NULL with CHECK (length(name) > 0). SQLite's ALTER TABLE cannot change a column, so 0002_require_member_name.lua rebuilds the table:",
    'create members_new with the new definition, copy the rows (INSERT INTO members_new … SELECT … FROM members), drop members, rename members_new to members, and create the index idx_members_email again (it went with the old table). Its down rebuilds the table back as it was. The rows must survive both ways.',
  ],
  file: '0002_require_member_name.lua',
  files: [
    { name: '0001_create_members.lua', text: createMembers },
    { name: '0002_require_member_name.lua', text: requireMemberNameStart },
  ],
  answer: [
    { name: '0001_create_members.lua', text: createMembers },
    { name: '0002_require_member_name.lua', text: requireMemberNameAnswer },
  ],
  hints: [
    'Five statements in up: CREATE TABLE members_new (…); INSERT INTO members_new (id, name, email) SELECT id, name, email FROM members; DROP TABLE members; ALTER TABLE members_new RENAME TO members; CREATE INDEX idx_members_email ON members (email).',
    'down is the same five steps with the old definition: CREATE TABLE members_old (id INTEGER PRIMARY KEY, name TEXT, email TEXT), copy, drop, rename, index.',
  ],
  checks: [
    { kind: 'same-rows', title: 'The members after up', sql: 'SELECT id, name, email FROM members ORDER BY id' },
  ],
};

const dataMigration: Lesson = {
  id: 'data-migration',
  title: 'A reversible data migration',
  task: [
    'customers keeps a full_name. Split it: 0002_split_names.lua adds the columns first_name and last_name (TEXT), fills them from full_name (first_name: up to the first space; last_name: the rest), and drops full_name.',
    'Its down must give the data back, not only the columns: add full_name again, fill it from first_name and last_name, and drop those two. Verify checks that the rows after down are the rows before up.',
  ],
  file: '0002_split_names.lua',
  files: [
    { name: '0001_create_customers.lua', text: createCustomers },
    { name: '0002_split_names.lua', text: splitNamesStart },
  ],
  answer: [
    { name: '0001_create_customers.lua', text: createCustomers },
    { name: '0002_split_names.lua', text: splitNamesAnswer },
  ],
  hints: [
    "instr(full_name, ' ') is where the first space is: substr(full_name, 1, instr(full_name, ' ') - 1) is the part before it, substr(full_name, instr(full_name, ' ') + 1) the rest.",
    "In down: ALTER TABLE customers ADD COLUMN full_name TEXT, then UPDATE customers SET full_name = first_name || ' ' || last_name, then drop the two columns.",
  ],
  checks: [
    {
      kind: 'same-rows',
      title: 'The names after up',
      sql: 'SELECT id, first_name, last_name FROM customers ORDER BY id',
    },
  ],
};

export const LESSONS: readonly Lesson[] = [
  createTable,
  writeDown,
  addColumn,
  addIndex,
  seedData,
  preparedStatements,
  errorHandling,
  engineBlocks,
  tableRebuild,
  dataMigration,
];

export function lessonById(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
