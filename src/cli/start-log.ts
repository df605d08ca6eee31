/**
 * The `start` events of a capped worker (src/cli/capped-worker-thread.ts) that it has not posted yet, in memory both
 * threads see. The main thread needs them only when it stops the worker (a memory cap, Ctrl-C) or the worker dies: to
 * say which migration was running and which of a batch were rolled back. Posting each one cost a postMessage per
 * migration, so the worker appends each here, posts them with its next message and then clears the log; the main
 * thread reads what is left once the worker has ended.
 */
const HEADER_BYTES = 4;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A start event as logged: what the worker's event said, and when (epoch milliseconds, the same on both threads). */
export interface LoggedStart {
  id: string;
  direction: 'up' | 'down';
  at: number;
}

export class StartLog {
  private readonly used: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.used = new Int32Array(buffer, 0, 1);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES);
  }

  static create(bytes = 64 * 1024): StartLog {
    return new StartLog(new SharedArrayBuffer(HEADER_BYTES + bytes));
  }

  /** Appends one start; false when the log is full (the worker posts what it holds, which clears it). */
  append(start: LoggedStart): boolean {
    const line = encoder.encode(`${JSON.stringify(start)}\n`);
    const used = Atomics.load(this.used, 0);
    if (used + line.length > this.bytes.length) return false;
    this.bytes.set(line, used);
    Atomics.store(this.used, 0, used + line.length);
    return true;
  }

  clear(): void {
    Atomics.store(this.used, 0, 0);
  }

  /** The starts logged and not posted (the main thread, after the worker ended). */
  read(): LoggedStart[] {
    const text = decoder.decode(this.bytes.slice(0, Atomics.load(this.used, 0)));
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LoggedStart);
  }
}
