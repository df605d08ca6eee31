/**
 * `moonwalk play` as a child process (`node bin/moonwalk.js play …`, the built command): started, its address read
 * from the first line of its stdout, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, ensureCliBuilt } from './cli-process.ts';

export interface PlayProcess {
  /** The address it printed, with its token. */
  url: string;
  token: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** What a play process that did not start printed, and its exit code. */
export interface PlayFailure {
  code: number | null;
  stdout: string;
  stderr: string;
}

function launch(args: string[], cwd?: string): { child: ChildProcess; out: () => string; err: () => string } {
  ensureCliBuilt();
  const child = spawn(process.execPath, [BIN, 'play', ...args], {
    cwd,
    env: { ...process.env, DATABASE_URL: undefined, MOONWALK_DIR: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return { child, out: () => stdout, err: () => stderr };
}

/** Starts `moonwalk play ...args` and resolves once it printed its address (rejects with what it said otherwise). */
export async function startPlay(args: string[], cwd?: string): Promise<PlayProcess> {
  const { child, out, err } = launch(args, cwd);
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const line = out().split('\n')[0];
      if (out().includes('\n')) resolve(line);
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`moonwalk play exited (${code}):\n${out()}\n${err()}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    token: parsed.searchParams.get('token') ?? '',
    origin: parsed.origin,
    port: Number(parsed.port),
    child,
    output: () => out() + err(),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs `moonwalk play ...args` expecting it to refuse to start. */
export function failPlay(args: string[], cwd?: string): Promise<PlayFailure> {
  const { child, out, err } = launch(args, cwd);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out(), stderr: err() });
    });
  });
}
