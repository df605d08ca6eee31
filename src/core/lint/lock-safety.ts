/**
 * The PostgreSQL lock-safety rule pack (DESIGN §6, docs/lint.md): statements that are correct but lock or rewrite a
 * table that already has rows and traffic. Static, on the tokens of the one SQL lexer, per phase of a `database`
 * block. Risks on a large table, not mistakes: warnings (type hygiene: info). Statements on a table created earlier in
 * the same phase are left alone: it is new and empty. A finding's line is the Lua line of the call that runs the
 * statement. MySQL blocks get the online-DDL hint (ALGORITHM=INPLACE, LOCK=NONE).
 */
import type { LintFinding, LockSafetyCode, Severity } from './types.ts';
import { hasWord, isName, isPunct, isWord, LUA_EXPR, type SqlToken, type StatementInfo } from './sql.ts';

/** One statement of a phase: its tokens, its classification and the Lua line of the call that runs it. */
export interface PhaseStatement {
  tokens: SqlToken[];
  info: StatementInfo;
  line: number;
}

export interface LockSafetyInput {
  file: string;
  engine: 'postgres' | 'mysql';
  /** The block calls options{ transaction = false }. */
  outsideTransaction: boolean;
  /** The block calls options{ lock_timeout = … }. */
  lockTimeout: boolean;
  statements: PhaseStatement[];
}

/** Splits at top-level commas. */
function commaParts(tokens: SqlToken[]): SqlToken[][] {
  const parts: SqlToken[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    if (depth === 0 && isPunct(t, ',')) parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/** The tokens inside the first top-level parentheses from `from` on, or null. */
function parenthesized(tokens: SqlToken[], from = 0): SqlToken[] | null {
  const open = tokens.findIndex((t, i) => i >= from && isPunct(t, '('));
  if (open < 0) return null;
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')') && --depth === 0) return tokens.slice(open + 1, i);
  }
  return tokens.slice(open + 1);
}

/** Skips a possibly schema-qualified name at `i`; returns the index after it and its last part, lower-cased. */
function nameAt(tokens: SqlToken[], i: number): { next: number; name: string | null } {
  if (!isName(tokens[i])) return { next: i, name: null };
  let name = tokens[i].text;
  i++;
  while (isPunct(tokens[i], '.') && isName(tokens[i + 1])) {
    name = tokens[i + 1].text;
    i += 2;
  }
  return { next: i, name: name.toLowerCase() };
}

/** Functions whose value differs per row: a DEFAULT calling one makes ADD COLUMN rewrite the table. */
const VOLATILE = new Set([
  'RANDOM',
  'GEN_RANDOM_UUID',
  'UUID_GENERATE_V1',
  'UUID_GENERATE_V1MC',
  'UUID_GENERATE_V4',
  'CLOCK_TIMESTAMP',
  'TIMEOFDAY',
  'NEXTVAL',
]);
/** What starts a table element that is not a column definition. */
const NOT_A_COLUMN_DEFINITION = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK', 'EXCLUDE', 'LIKE']);
/** 32-bit integer types (prefer-bigint). */
const INT32 = new Set(['INT', 'INTEGER', 'INT4', 'SERIAL', 'SERIAL4']);
const SERIALS = new Set(['SERIAL', 'SERIAL4', 'SERIAL8', 'BIGSERIAL', 'SMALLSERIAL', 'SERIAL2']);

const UTF8 = new TextEncoder();

/** Where each rule's page is. */
const DOCS = 'docs/lint.md#';

class LockSafety {
  readonly findings: LintFinding[] = [];
  /** Tables and indexes created earlier in this phase: new and empty, nothing waits on them. */
  private readonly createdTables = new Set<string>();
  private readonly createdIndexes = new Set<string>();
  private lockTimeoutSet: boolean;
  private lockTimeoutReported = false;

  constructor(private readonly input: LockSafetyInput) {
    this.lockTimeoutSet = input.lockTimeout;
  }

  private report(code: LockSafetyCode, line: number, message: string, fix: string, severity: Severity = 'warning') {
    this.findings.push({
      code,
      severity,
      file: this.input.file,
      line,
      message: `${message} Fix: ${fix} (${DOCS}${code})`,
    });
  }

  private existing(table: string | undefined): table is string {
    return table !== undefined && table !== LUA_EXPR && !this.createdTables.has(table);
  }

  run(): LintFinding[] {
    for (const statement of this.input.statements) {
      if (this.input.engine === 'mysql') this.mysql(statement);
      else this.postgres(statement);
    }
    return this.findings;
  }

  // ---- MySQL: the online DDL hint ------------------------------------------------------------------------------------

  private mysql({ tokens, info, line }: PhaseStatement): void {
    const table = info.objects[0];
    if (info.kind === 'create-table') for (const t of info.objects) this.createdTables.add(t);
    const locking = info.kind === 'alter-table' || info.kind === 'create-index';
    if (!locking || !this.existing(table)) return;
    if (hasWord(tokens, 'ALGORITHM') && hasWord(tokens, 'LOCK')) return;
    this.report(
      'mysql-online-ddl',
      line,
      `${info.kind === 'create-index' ? 'CREATE INDEX' : 'ALTER TABLE'} on ${table} says neither ALGORITHM nor LOCK: ` +
        'MySQL picks the algorithm itself and may copy the table while blocking writes.',
      'add ALGORITHM=INPLACE, LOCK=NONE (or ALGORITHM=INSTANT) so MySQL refuses the change instead of blocking writes',
      'info',
    );
  }

  // ---- PostgreSQL ----------------------------------------------------------------------------------------------------

  private postgres(statement: PhaseStatement): void {
    const { tokens, info, line } = statement;
    this.identifiers(statement);
    const first = tokens[0];
    if (isWord(first, 'SET')) {
      const at = isWord(tokens[1], 'LOCAL', 'SESSION') ? 2 : 1;
      if (isWord(tokens[at], 'LOCK_TIMEOUT')) this.lockTimeoutSet = true;
      return;
    }
    if (info.kind === 'create-table') {
      const columns = parenthesized(tokens);
      if (columns) for (const def of commaParts(columns)) this.columnTypes(def, line);
      for (const t of info.objects) this.createdTables.add(t);
      return;
    }
    if (info.kind === 'create-index') return this.createIndex(statement);
    if (isWord(first, 'DROP') && isWord(tokens[1], 'INDEX')) return this.dropIndex(statement);
    if (info.kind === 'alter-table') return this.alterTable(statement);
    if (isWord(first, 'TRUNCATE')) {
      const { name } = nameAt(tokens, isWord(tokens[1], 'TABLE') ? (isWord(tokens[2], 'ONLY') ? 3 : 2) : 1);
      if (!this.existing(name ?? undefined)) return;
      if (hasWord(tokens, 'CASCADE')) {
        this.report(
          'truncate-cascade',
          line,
          'TRUNCATE … CASCADE also empties every table with a foreign key to it, and those tables’ referrers, ' +
            'under an ACCESS EXCLUSIVE lock on each.',
          'name every table to empty in the TRUNCATE and drop CASCADE, so nothing is emptied by surprise',
        );
      }
      this.needsLockTimeout(line, `TRUNCATE ${name}`);
      return;
    }
    if (info.kind === 'create-other' && isWord(tokens[1], 'TRIGGER') && this.existing(info.objects[0])) {
      this.needsLockTimeout(line, `CREATE TRIGGER on ${info.objects[0]}`);
      return;
    }
    if (isWord(first, 'LOCK', 'REINDEX', 'CLUSTER') || (isWord(first, 'VACUUM') && isWord(tokens[1], 'FULL'))) {
      if (!hasWord(tokens.slice(0, 4), 'CONCURRENTLY')) this.needsLockTimeout(line, first.upper);
    }
  }

  /** `missing-lock-timeout`: once per phase, at the first statement that queues for a lock on an existing table. */
  private needsLockTimeout(line: number, what: string): void {
    if (this.lockTimeoutSet || this.lockTimeoutReported) return;
    this.lockTimeoutReported = true;
    this.report(
      'missing-lock-timeout',
      line,
      `${what} waits for a lock on a table in use with no lock_timeout set: while it waits behind a long query, ` +
        'every other query on that table queues behind it.',
      'add options{ lock_timeout = "5s" } to the database block (or run SET lock_timeout = \'5s\' first), and retry on timeout',
    );
  }

  private createIndex({ tokens, info, line }: PhaseStatement): void {
    const table = info.objects[0];
    const concurrently = isWord(tokens[1], 'CONCURRENTLY') || isWord(tokens[2], 'CONCURRENTLY');
    const indexName = this.createdIndexName(tokens);
    if (indexName) this.createdIndexes.add(indexName);
    if (concurrently) return this.concurrently(line, 'CREATE INDEX CONCURRENTLY');
    if (!this.existing(table)) return;
    this.report(
      'index-not-concurrent',
      line,
      `CREATE INDEX on ${table}, a table that existed before this migration, blocks its writes (SHARE lock) for the ` +
        'whole build.',
      'write CREATE INDEX CONCURRENTLY in a migration with options{ transaction = false }',
    );
    this.needsLockTimeout(line, `CREATE INDEX on ${table}`);
  }

  private createdIndexName(tokens: SqlToken[]): string | null {
    let i = 1;
    while (isWord(tokens[i], 'UNIQUE', 'INDEX', 'CONCURRENTLY')) i++;
    if (isWord(tokens[i], 'IF') && isWord(tokens[i + 1], 'NOT') && isWord(tokens[i + 2], 'EXISTS')) i += 3;
    if (isWord(tokens[i], 'ON')) return null;
    return nameAt(tokens, i).name;
  }

  private dropIndex({ tokens, line }: PhaseStatement): void {
    let i = 2;
    const concurrently = isWord(tokens[i], 'CONCURRENTLY');
    if (concurrently) i++;
    if (isWord(tokens[i], 'IF') && isWord(tokens[i + 1], 'EXISTS')) i += 2;
    const names = commaParts(tokens.slice(i)).map((part) => nameAt(part, 0).name);
    if (concurrently) return this.concurrently(line, 'DROP INDEX CONCURRENTLY');
    const existing = names.find((n) => n !== null && n !== LUA_EXPR && !this.createdIndexes.has(n));
    if (!existing) return;
    this.report(
      'index-not-concurrent',
      line,
      `DROP INDEX ${existing} takes an ACCESS EXCLUSIVE lock on its table: reads and writes wait until it is done.`,
      'write DROP INDEX CONCURRENTLY in a migration with options{ transaction = false }',
    );
    this.needsLockTimeout(line, `DROP INDEX ${existing}`);
  }

  private concurrently(line: number, what: string): void {
    if (this.input.outsideTransaction) return;
    this.report(
      'concurrently-in-transaction',
      line,
      `${what} cannot run inside a transaction block, and this migration runs in one: PostgreSQL refuses it.`,
      'add options{ transaction = false } to the database block (and keep that migration to this one statement)',
    );
  }

  private alterTable({ tokens, info, line }: PhaseStatement): void {
    const table = info.objects[0];
    if (!this.existing(table)) return;
    let i = 2;
    if (isWord(tokens[i], 'IF') && isWord(tokens[i + 1], 'EXISTS')) i += 2;
    if (isWord(tokens[i], 'ONLY')) i++;
    i = nameAt(tokens, i).next;
    let locks = false;
    for (const action of commaParts(tokens.slice(i))) {
      if (!(isWord(action[0], 'VALIDATE') || (isWord(action[0], 'SET') && isWord(action[1], 'STATISTICS'))))
        locks = true;
      this.alterAction(action, table, line);
    }
    if (locks) this.needsLockTimeout(line, `ALTER TABLE ${table}`);
  }

  private alterAction(action: SqlToken[], table: string, line: number): void {
    const head = action[0];
    if (isWord(head, 'ADD')) {
      let i = 1;
      if (isWord(action[i], 'CONSTRAINT')) i += 2;
      if (isWord(action[i], 'FOREIGN', 'CHECK')) {
        if (hasWord(action, 'NOT') && action.some((t, k) => isWord(t, 'VALID') && isWord(action[k - 1], 'NOT'))) return;
        const what = isWord(action[i], 'FOREIGN') ? 'FOREIGN KEY' : 'CHECK';
        this.report(
          'constraint-not-valid',
          line,
          `ADD ${what} on ${table} checks every existing row while holding a lock that blocks writes` +
            (what === 'FOREIGN KEY' ? ' (on both tables).' : '.'),
          `add it with NOT VALID, then ALTER TABLE ${table} VALIDATE CONSTRAINT … in a later statement or migration`,
        );
        return;
      }
      if (isWord(action[i], 'UNIQUE', 'PRIMARY')) {
        if (hasWord(action, 'USING') && hasWord(action, 'INDEX')) return;
        const what = isWord(action[i], 'UNIQUE') ? 'UNIQUE' : 'PRIMARY KEY';
        this.report(
          'unique-without-index',
          line,
          `ADD ${what} on ${table} builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait for the build.`,
          `CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … ${what} USING INDEX that_index`,
        );
        return;
      }
      if (isWord(action[i], 'EXCLUDE', 'CONSTRAINT')) return;
      if (isWord(action[i], 'COLUMN')) i++;
      if (isWord(action[i], 'IF') && isWord(action[i + 1], 'NOT') && isWord(action[i + 2], 'EXISTS')) i += 3;
      const column = action[i];
      if (!isName(column)) return;
      const def = action.slice(i);
      this.columnTypes(def, line);
      this.addColumnDefault(def, table, line);
      return;
    }
    if (isWord(head, 'ALTER')) {
      let i = 1;
      if (isWord(action[i], 'COLUMN')) i++;
      const column = action[i]?.text ?? '?';
      const rest = action.slice(i + 1);
      if (isWord(rest[0], 'TYPE') || (isWord(rest[0], 'SET') && isWord(rest[1], 'DATA') && isWord(rest[2], 'TYPE'))) {
        const typeAt = isWord(rest[0], 'TYPE') ? 1 : 3;
        this.columnTypes([action[i], ...rest.slice(typeAt)], line);
        this.report(
          'column-type-change',
          line,
          `ALTER COLUMN ${column} TYPE on ${table} rewrites the table and its indexes under an ACCESS EXCLUSIVE lock ` +
            '(except a few binary-compatible changes, such as a longer varchar).',
          'add a new column of the new type, backfill it in batches, switch the code over, then drop the old one',
        );
      } else if (isWord(rest[0], 'SET') && isWord(rest[1], 'NOT') && isWord(rest[2], 'NULL')) {
        this.report(
          'set-not-null',
          line,
          `SET NOT NULL on ${table}.${column} scans the whole table under an ACCESS EXCLUSIVE lock.`,
          `first ADD CONSTRAINT … CHECK (${column} IS NOT NULL) NOT VALID and VALIDATE it; then SET NOT NULL skips the scan (PostgreSQL 12+)`,
        );
      }
      return;
    }
    if (isWord(head, 'RENAME')) {
      if (isWord(action[1], 'CONSTRAINT')) return;
      const what = isWord(action[1], 'TO')
        ? `RENAME TO ${action[2]?.text ?? '…'} renames table ${table}`
        : `RENAME of column ${(isWord(action[1], 'COLUMN') ? action[2] : action[1])?.text ?? '…'} on ${table}`;
      this.report(
        'rename',
        line,
        `${what}: application code still running with the old name fails as soon as this commits.`,
        'add the new name (a new column kept in sync, or a view with the old name) and remove the old one after every deploy uses the new',
      );
    }
  }

  private addColumnDefault(def: SqlToken[], table: string, line: number): void {
    const column = def[0].text;
    const type = def[1];
    let why: string | null = null;
    if (type && SERIALS.has(type.upper)) why = `its type ${type.text} fills each existing row from a sequence`;
    const generated = def.findIndex((t) => isWord(t, 'GENERATED'));
    if (generated >= 0) {
      if (hasWord(def.slice(generated), 'IDENTITY')) why = 'an identity column fills each existing row';
      else if (hasWord(def.slice(generated), 'STORED')) why = 'a stored generated column is computed for each row';
    }
    const at = def.findIndex((t) => isWord(t, 'DEFAULT'));
    if (at >= 0) {
      const fn = def
        .slice(at + 1)
        .find((t, k, rest) => isName(t) && isPunct(rest[k + 1], '(') && VOLATILE.has(t.upper));
      if (fn) why = `its default ${fn.text}() is volatile: each existing row gets its own value`;
    }
    if (!why) return;
    this.report(
      'volatile-default',
      line,
      `ADD COLUMN ${column} on ${table} rewrites the whole table under an ACCESS EXCLUSIVE lock: ${why}.`,
      'add the column without that default (or with a constant one), backfill existing rows in batches, then set the default',
    );
  }

  /** Type hygiene (info) on a column definition `name type …`. */
  private columnTypes(def: SqlToken[], line: number): void {
    const name = def[0];
    const type = def[1];
    if (!isName(name) || type === undefined || type.kind !== 'word') return;
    if (NOT_A_COLUMN_DEFINITION.has(name.upper)) return;
    const upper = type.upper;
    const column = name.text;
    const sized = isPunct(def[2], '(');
    if (INT32.has(upper)) {
      const serial = upper.startsWith('SERIAL');
      this.report(
        'prefer-bigint',
        line,
        `Column ${column} is ${type.text}: a 32-bit ${serial ? 'sequence' : 'integer'} runs out at 2,147,483,647, and widening it later rewrites the table.`,
        serial ? 'use bigint GENERATED ALWAYS AS IDENTITY' : 'use bigint',
        'info',
      );
    } else if (upper === 'TIMESTAMP' && !this.withTimeZone(def)) {
      this.report(
        'prefer-timestamptz',
        line,
        `Column ${column} is timestamp without time zone: its values mean nothing without knowing the writer's zone.`,
        'use timestamptz',
        'info',
      );
    } else if ((upper === 'VARCHAR' && sized) || (upper === 'CHARACTER' && isWord(def[2], 'VARYING'))) {
      if (upper === 'CHARACTER' && !isPunct(def[3], '(')) return;
      this.report(
        'prefer-text',
        line,
        `Column ${column} is varchar(n): raising the limit later takes a lock, and the limit is no cheaper than text.`,
        `use text, with CHECK (char_length(${column}) <= n) if the limit matters`,
        'info',
      );
    } else if (upper === 'CHAR' || upper === 'BPCHAR' || (upper === 'CHARACTER' && !isWord(def[2], 'VARYING'))) {
      this.report(
        'no-char',
        line,
        `Column ${column} is char(n): values are padded with spaces, which comparisons and lengths then trip over.`,
        'use text (or varchar without a length)',
        'info',
      );
    }
  }

  private withTimeZone(def: SqlToken[]): boolean {
    const k = def.findIndex((t, i) => i > 1 && isWord(t, 'WITH', 'WITHOUT'));
    return k >= 0 && isWord(def[k], 'WITH') && isWord(def[k + 1], 'TIME') && isWord(def[k + 2], 'ZONE');
  }

  /** `identifier-too-long`: PostgreSQL cuts names to 63 bytes, and two long names can become one. */
  private identifiers({ tokens, line }: PhaseStatement): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8: shorter names need no encoding.
    const long = tokens.find(
      (t) => isName(t) && t.text.length > 21 && t.text !== LUA_EXPR && UTF8.encode(t.text).length > 63,
    );
    if (!long) return;
    this.report(
      'identifier-too-long',
      line,
      `The name ${long.text} is longer than 63 bytes: PostgreSQL silently cuts it, so later statements that spell it in full miss it.`,
      'use a name of at most 63 bytes',
    );
  }
}

/** The lock-safety findings of one phase's statements. */
export function lockSafetyFindings(input: LockSafetyInput): LintFinding[] {
  return new LockSafety(input).run();
}
