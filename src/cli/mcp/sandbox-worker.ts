/**
 * The worker thread that does the tools' work for `moonwalk mcp` (./sandbox.ts starts it, caps its memory and ends
 * it when a call runs away). It answers one call at a time and keeps what is worth keeping between calls: the
 * compiled sql.js and a warm PGlite (./throwaway.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTool, type ServerConfig, type ToolAnswer } from './tools.ts';
import type { ToolInput, ToolName } from './contract.ts';
import { Throwaways } from './throwaway.ts';

/** From the main thread: a call. */
export interface SandboxCall {
  id: number;
  tool: ToolName;
  input: ToolInput;
}

/** To the main thread: loaded; a migration started (so a call stopped for memory can name it); a call's answer. */
export type SandboxMessage =
  { t: 'ready' } | { t: 'running'; id: number; migration: string } | { t: 'answer'; id: number; answer: ToolAnswer };

const port = parentPort;
if (!port) throw new Error('src/cli/mcp/sandbox-worker.ts runs inside the worker that sandbox.ts starts');
const post = (message: SandboxMessage) => port.postMessage(message);
const config = workerData as ServerConfig;
const throwaways = new Throwaways();

port.on('message', (call: SandboxCall) => {
  void runTool(call.tool, call.input, config, throwaways, (migration) =>
    post({ t: 'running', id: call.id, migration }),
  ).then((answer) => post({ t: 'answer', id: call.id, answer }));
});
post({ t: 'ready' });
