/**
 * The course: ten lessons from "create a table" to a reversible data migration, each a task, a starting workspace,
 * an answer that passes (the expected schema and rows are what it leaves), hints and its own checks. Content only:
 * check.ts runs the checks, components/Lessons.tsx shows them.
 *
 * Every answer passes and every starting workspace fails Check: test/unit/lessons.test.ts runs each through the
 * real core (sql.js, PGlite).
 */
import type { Lesson } from './types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Writing migration files

const pad = (text: string, spaces: number): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : ' '.repeat(spaces) + line))
    .join('\n');

/** Lua that runs `sql` and stops the migration with the engine's error when it fails. */
const exec = (sql: string): string =>
  sql.includes('\n') || sql.includes('"')
    ? `local _, err = db:execute([[\n${pad(sql, 4)}\n]])\nif err then error(err) end`
    : `local _, err = db:execute("${sql}")\nif err then error(err) end`;

const execAll = (...statements: string[]): string => statements.map(exec).join('\n');

interface Block {
  engine: 'sqlite' | 'postgres';
  up: string;
  /** null: the block has no down. */
  down: string | null;
}

/** A migration file: `before` (local functions, data) and one block per engine. */
function migration(title: string, blocks: Block[], before = ''): string {
  const block = (b: Block) =>
    [
      `        database("${b.engine}", function()`,
      `            up(function(db)`,
      pad(b.up, 16),
      `            end)`,
      ...(b.down === null ? [] : [`            down(function(db)`, pad(b.down, 16), `            end)`]),
      `        end)`,
    ].join('\n');
  return `${before}return require("migration").define(function()
    migration("${title}", function()
${blocks.map(block).join('\n')}
    end)
end)
`;
}

const sqlite = (title: string, up: string, down: string | null, before = '') =>
  migration(title, [{ engine: 'sqlite', up, down }], before);

/** The file the person starts from: the block is there, its up and down say what goes in them. */
const blank = (title: string, upNote: string, downNote: string, before = '') =>
  sqlite(title, `-- ${upNote}`, `-- ${downNote}`, before);

// ---------------------------------------------------------------------------------------------------------------
// Files several lessons start from

const CREATE_USERS = `CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE
)`;

const users = {
  name: '0001_create_users.lua',
  text: sqlite('Create users table', exec(CREATE_USERS), exec('DROP TABLE users')),
};

const CREATE_POSTS = `CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    title TEXT NOT NULL
)`;

const posts = {
  name: '0002_create_posts.lua',
  text: sqlite('Create posts table', exec(CREATE_POSTS), exec('DROP TABLE posts')),
};

// ---------------------------------------------------------------------------------------------------------------

const createTable: Lesson = {
  id: 'create-table',
  title: 'Create a table',
  task: [
    'Write the up of 0001_create_users.lua: it creates a table users with an id INTEGER PRIMARY KEY, a name TEXT NOT NULL and an email TEXT NOT NULL UNIQUE. Its down drops the table again.',
    'Press Apply next to run it and look at the Schema panel; Revert last undoes it. Press Check when you are done.',
  ],
  file: users.name,
  files: [
    {
      name: users.name,
      text: blank(
        'Create users table',
        'Create the users table here: local _, err = db:execute([[CREATE TABLE users (…)]]) and if err then error(err) end',
        'Drop it here.',
      ),
    },
  ],
  answer: [users],
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
  file: posts.name,
  files: [users, { name: posts.name, text: sqlite('Create posts table', exec(CREATE_POSTS), null) }],
  answer: [users, posts],
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
    users,
    {
      name: '0002_add_users_bio.lua',
      text: blank('Add bio to users', 'Add the column bio to users here.', 'Remove it here.'),
    },
  ],
  answer: [
    users,
    {
      name: '0002_add_users_bio.lua',
      text: sqlite(
        'Add bio to users',
        exec('ALTER TABLE users ADD COLUMN bio TEXT'),
        exec('ALTER TABLE users DROP COLUMN bio'),
      ),
    },
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
    users,
    posts,
    {
      name: '0003_index_posts_user_id.lua',
      text: blank('Index posts by user', 'Create the index here.', 'Drop it here.'),
    },
  ],
  answer: [
    users,
    posts,
    {
      name: '0003_index_posts_user_id.lua',
      text: sqlite(
        'Index posts by user',
        exec('CREATE INDEX idx_posts_user_id ON posts (user_id)'),
        exec('DROP INDEX idx_posts_user_id'),
      ),
    },
  ],
  hints: ['CREATE INDEX idx_posts_user_id ON posts (user_id)', 'In down: DROP INDEX idx_posts_user_id.'],
};

const roles = {
  name: '0001_create_roles.lua',
  text: sqlite(
    'Create roles table',
    exec('CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)'),
    exec('DROP TABLE roles'),
  ),
};

const seedData: Lesson = {
  id: 'seed-data',
  title: 'Seed data',
  task: [
    'Write 0002_seed_roles.lua: its up inserts three roles named admin, editor and viewer into roles. Its down deletes exactly those three rows (not the whole table: rows added later by people are theirs).',
  ],
  file: '0002_seed_roles.lua',
  files: [
    roles,
    {
      name: '0002_seed_roles.lua',
      text: blank('Seed roles', 'Insert admin, editor and viewer here.', 'Delete those three rows here.'),
    },
  ],
  answer: [
    roles,
    {
      name: '0002_seed_roles.lua',
      text: sqlite(
        'Seed roles',
        exec("INSERT INTO roles (name) VALUES ('admin'), ('editor'), ('viewer')"),
        exec("DELETE FROM roles WHERE name IN ('admin', 'editor', 'viewer')"),
      ),
    },
  ],
  hints: [
    "One INSERT can add several rows: INSERT INTO roles (name) VALUES ('admin'), ('editor'), ('viewer').",
    "In down: DELETE FROM roles WHERE name IN ('admin', 'editor', 'viewer').",
  ],
  checks: [{ kind: 'same-rows', title: 'The roles after up', sql: 'SELECT name FROM roles ORDER BY name' }],
};

const PEOPLE = `local PEOPLE = {
    { "Ada Lovelace", "ada@example.com" },
    { "Miles O'Brien", "miles@example.com" },
    { "Grace Hopper", "grace@example.com" },
}

`;

const people = {
  name: '0001_create_people.lua',
  text: sqlite(
    'Create people table',
    exec('CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE)'),
    exec('DROP TABLE people'),
  ),
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
    people,
    {
      name: '0002_insert_people.lua',
      text: sqlite(
        'Insert people',
        `for _, person in ipairs(PEOPLE) do
    local _, err = db:execute("INSERT INTO people (name, email) VALUES ('" .. person[1] .. "', '" .. person[2] .. "')")
    if err then error(err) end
end`,
        `for _, person in ipairs(PEOPLE) do
    local _, err = db:execute("DELETE FROM people WHERE email = '" .. person[2] .. "'")
    if err then error(err) end
end`,
        PEOPLE,
      ),
    },
  ],
  answer: [
    people,
    {
      name: '0002_insert_people.lua',
      text: sqlite(
        'Insert people',
        `local stmt, err = db:prepare("INSERT INTO people (name, email) VALUES (?, ?)")
if err then error(err) end
for _, person in ipairs(PEOPLE) do
    local _, ierr = stmt:execute({ person[1], person[2] })
    if ierr then error(ierr) end
end
stmt:close()`,
        `for _, person in ipairs(PEOPLE) do
    local _, err = db:execute("DELETE FROM people WHERE email = ?", { person[2] })
    if err then error(err) end
end`,
        PEOPLE,
      ),
    },
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

const settings = {
  name: '0001_create_settings.lua',
  text: sqlite(
    'Create settings table',
    execAll(
      'CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
      "INSERT INTO settings (key, value) VALUES ('theme', 'dark')",
    ),
    exec('DROP TABLE settings'),
  ),
};

const DEFAULTS = `local DEFAULTS = {
    { "theme", "light" },
    { "language", "en" },
    { "page_size", "20" },
}

`;

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
    settings,
    {
      name: '0002_default_settings.lua',
      text: sqlite(
        'Default settings',
        `for _, setting in ipairs(DEFAULTS) do
    local _, err = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", setting)
    if err then error(err) end
end`,
        exec("DELETE FROM settings WHERE key IN ('language', 'page_size')"),
        DEFAULTS,
      ),
    },
  ],
  answer: [
    settings,
    {
      name: '0002_default_settings.lua',
      text: sqlite(
        'Default settings',
        `for _, setting in ipairs(DEFAULTS) do
    assert(db:savepoint("setting"))
    local _, err = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", setting)
    if err and err:kind() == "constraint" then
        assert(db:rollback_to("setting")) -- already set: keep it
    elseif err then
        error(err)
    end
    assert(db:release("setting"))
end`,
        exec("DELETE FROM settings WHERE key IN ('language', 'page_size')"),
        DEFAULTS,
      ),
    },
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

const EVENTS_SQLITE = `CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    happened_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
)`;

const EVENTS_POSTGRES = `CREATE TABLE events (
    id SERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    happened_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

const engineBlocks: Lesson = {
  id: 'engine-blocks',
  title: 'One migration, two engines',
  task: [
    '0001_create_events.lua has a block for SQLite only: on PostgreSQL it is skipped and stays pending. Add a database("postgres", …) block beside it that creates the same table the PostgreSQL way: id SERIAL PRIMARY KEY (or an identity column), kind TEXT NOT NULL, happened_at TIMESTAMPTZ NOT NULL DEFAULT now(). Its down drops the table.',
    'Check runs the file on SQLite and on PostgreSQL (PostgreSQL is loaded for it the first time). Compare engines shows the two schemas side by side.',
  ],
  file: '0001_create_events.lua',
  engines: ['sqlite', 'postgres'],
  files: [
    {
      name: '0001_create_events.lua',
      text: sqlite('Create events table', exec(EVENTS_SQLITE), exec('DROP TABLE events')),
    },
  ],
  answer: [
    {
      name: '0001_create_events.lua',
      text: migration('Create events table', [
        { engine: 'sqlite', up: exec(EVENTS_SQLITE), down: exec('DROP TABLE events') },
        { engine: 'postgres', up: exec(EVENTS_POSTGRES), down: exec('DROP TABLE events') },
      ]),
    },
  ],
  hints: [
    'A second block goes beside the first, inside migration(…): database("postgres", function() up(function(db) … end) down(function(db) … end) end).',
    'SQLite numbers an INTEGER PRIMARY KEY by itself; PostgreSQL needs SERIAL (or GENERATED ALWAYS AS IDENTITY). PostgreSQL has no strftime: TIMESTAMPTZ with DEFAULT now().',
  ],
  checks: [{ kind: 'engine-blocks', file: '0001_create_events.lua', engines: ['sqlite', 'postgres'] }],
};

const members = {
  name: '0001_create_members.lua',
  text: sqlite(
    'Create members table',
    execAll(
      'CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT, email TEXT)',
      'CREATE INDEX idx_members_email ON members (email)',
      "INSERT INTO members (name, email) VALUES ('ada', 'ada@example.com'), ('grace', 'grace@example.com'), ('linus', 'linus@example.com')",
    ),
    exec('DROP TABLE members'),
  ),
};

const REBUILD_UP = [
  `CREATE TABLE members_new (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) > 0),
    email TEXT
)`,
  'INSERT INTO members_new (id, name, email) SELECT id, name, email FROM members',
  'DROP TABLE members',
  'ALTER TABLE members_new RENAME TO members',
  'CREATE INDEX idx_members_email ON members (email)',
];

const REBUILD_DOWN = [
  'CREATE TABLE members_old (id INTEGER PRIMARY KEY, name TEXT, email TEXT)',
  'INSERT INTO members_old (id, name, email) SELECT id, name, email FROM members',
  'DROP TABLE members',
  'ALTER TABLE members_old RENAME TO members',
  'CREATE INDEX idx_members_email ON members (email)',
];

const tableRebuild: Lesson = {
  id: 'table-rebuild',
  title: 'The SQLite table rebuild',
  task: [
    "members.name may be NULL. Make it required: NOT NULL with CHECK (length(name) > 0). SQLite's ALTER TABLE cannot change a column, so 0002_require_member_name.lua rebuilds the table:",
    'create members_new with the new definition, copy the rows (INSERT INTO members_new … SELECT … FROM members), drop members, rename members_new to members, and create the index idx_members_email again (it went with the old table). Its down rebuilds the table back as it was. The rows must survive both ways.',
  ],
  file: '0002_require_member_name.lua',
  files: [
    members,
    {
      name: '0002_require_member_name.lua',
      text: blank(
        'Require member names',
        'Rebuild members with name TEXT NOT NULL CHECK (length(name) > 0) here.',
        'Rebuild it back here.',
      ),
    },
  ],
  answer: [
    members,
    {
      name: '0002_require_member_name.lua',
      text: sqlite('Require member names', execAll(...REBUILD_UP), execAll(...REBUILD_DOWN)),
    },
  ],
  hints: [
    'Five statements in up: CREATE TABLE members_new (…); INSERT INTO members_new (id, name, email) SELECT id, name, email FROM members; DROP TABLE members; ALTER TABLE members_new RENAME TO members; CREATE INDEX idx_members_email ON members (email).',
    'down is the same five steps with the old definition: CREATE TABLE members_old (id INTEGER PRIMARY KEY, name TEXT, email TEXT), copy, drop, rename, index.',
  ],
  checks: [
    { kind: 'same-rows', title: 'The members after up', sql: 'SELECT id, name, email FROM members ORDER BY id' },
  ],
};

const customers = {
  name: '0001_create_customers.lua',
  text: sqlite(
    'Create customers table',
    execAll(
      'CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT)',
      "INSERT INTO customers (full_name) VALUES ('Ada Lovelace'), ('Alan Turing'), ('Grace Brewster Hopper')",
    ),
    exec('DROP TABLE customers'),
  ),
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
    customers,
    {
      name: '0002_split_names.lua',
      text: blank(
        'Split customer names',
        'Add first_name and last_name, fill them from full_name, drop full_name.',
        'Add full_name back, fill it, drop first_name and last_name.',
      ),
    },
  ],
  answer: [
    customers,
    {
      name: '0002_split_names.lua',
      text: sqlite(
        'Split customer names',
        execAll(
          'ALTER TABLE customers ADD COLUMN first_name TEXT',
          'ALTER TABLE customers ADD COLUMN last_name TEXT',
          `UPDATE customers SET
    first_name = substr(full_name, 1, instr(full_name, ' ') - 1),
    last_name = substr(full_name, instr(full_name, ' ') + 1)`,
          'ALTER TABLE customers DROP COLUMN full_name',
        ),
        execAll(
          'ALTER TABLE customers ADD COLUMN full_name TEXT',
          "UPDATE customers SET full_name = first_name || ' ' || last_name",
          'ALTER TABLE customers DROP COLUMN first_name',
          'ALTER TABLE customers DROP COLUMN last_name',
        ),
      ),
    },
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
