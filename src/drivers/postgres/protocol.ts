/**
 * Parse-only and Close messages for prepare / close. `pg` has no public "parse only" call; a Submittable (an object
 * with `submit` and the `handle…` callbacks) is its extension point. Node only.
 */

interface PgConnection {
  parse(msg: { name: string; text: string; types: number[] }): void;
  describe(msg: { type: 'S' | 'P'; name: string }): void;
  close(msg: { type: 'S' | 'P'; name: string }): void;
  sync(): void;
  parsedStatements: Record<string, string>;
}

/** A message exchange that ends at ReadyForQuery: `done` settles then, rejected when the server sent an error. */
abstract class Exchange {
  readonly done: Promise<void>;
  private failure: Error | null = null;
  private settle!: (err?: Error) => void;

  constructor() {
    this.done = new Promise((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve());
    });
  }

  abstract submit(connection: unknown): void;

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
  handleError(err: Error): void {
    this.failure ??= err;
    this.settle(err);
  }
  handleReadyForQuery(): void {
    if (!this.failure) this.settle();
  }
}

/** Sends Parse + Describe + Sync: the statement is checked by the server and kept under `name`, nothing runs. */
export class ParseStatement extends Exchange {
  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    super();
  }
  submit(connection: unknown): void {
    const c = connection as PgConnection;
    c.parse({ name: this.name, text: this.text, types: [] });
    c.describe({ type: 'S', name: this.name });
    c.sync();
  }
}

/** Sends Close(statement) + Sync and forgets the statement on the client side too. */
export class CloseStatement extends Exchange {
  constructor(readonly statement: string) {
    super();
  }
  submit(connection: unknown): void {
    const c = connection as PgConnection;
    delete c.parsedStatements[this.statement];
    c.close({ type: 'S', name: this.statement });
    c.sync();
  }
}
