/**
 * The outbox on the local stack: the stream poller (outbox-poller.ts) feeding the worker handler,
 * its DLQ at `<eventsEndpoint>/outbox/dlq`, and — only when the stack is started with
 * `LOCAL_FAULTS=1` (the fault tests' stacks) — switches that make the worker die between two of an
 * item's steps: `POST <eventsEndpoint>/outbox/faults {"step": "mail", "contactId"?: "...", "times"?: 1}`
 * (steps: login, invitation, mail, marked, events, and those of other kinds), `GET` lists them,
 * `DELETE` clears them. The switch is a hook of the worker's dependencies (`OutboxDeps.afterStep`),
 * installed here and nowhere in AWS; when it fires, that invocation fails as a crashed one would.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OutboxItem } from '../lambdas/domain/outbox';
import { crashInvocation, startOutboxPoller, type StreamHandler } from './outbox-poller';
import { ROOT } from './options';

export interface OutboxFault {
  step: string;
  contactId?: string;
  times: number;
}

export interface LocalOutboxConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  streamArn: string;
  dataDir: string;
  functionName: string;
  faults: boolean;
}

async function workerHandler(): Promise<StreamHandler> {
  const file = path.join(ROOT, 'lambdas', 'worker', 'outbox.ts');
  const module = fs.existsSync(file) ? ((await import(file)) as { handler?: StreamHandler }) : undefined;
  if (!module?.handler) throw new Error('lambdas/worker/outbox.ts exports no handler');
  return module.handler;
}

export async function startLocalOutbox(config: LocalOutboxConfig) {
  const armed: OutboxFault[] = [];
  if (config.faults) {
    const { outboxDeps, useOutboxDeps } = await import('../lambdas/wiring/outbox');
    const real = outboxDeps();
    useOutboxDeps({
      ...real,
      afterStep: async (step: string, item: OutboxItem) => {
        const fault = armed.find((f) => f.times > 0 && f.step === step && (f.contactId === undefined || f.contactId === item.contactId));
        if (!fault) return;
        fault.times -= 1;
        const error = Object.assign(new Error(`injected: the worker died after step ${step} of ${item.id}`), { name: 'InjectedCrash' });
        crashInvocation(error);
        throw error;
      },
    });
  }
  const poller = startOutboxPoller({
    endpoint: config.endpoint,
    region: config.region,
    credentials: config.credentials,
    streamArn: config.streamArn,
    checkpointFile: path.join(config.dataDir, 'outbox-stream.json'),
    functionName: config.functionName,
    handler: workerHandler,
    ...(config.faults ? { retryDelayMs: 200 } : {}),
  });

  /** The routes it adds to the events endpoint's server. */
  async function routes(method: string, url: URL, body: () => Promise<unknown>): Promise<{ status: number; body: unknown } | undefined> {
    if (url.pathname === '/outbox/dlq' && method === 'GET') return { status: 200, body: poller.deadLetters() };
    if (url.pathname !== '/outbox/faults' || !config.faults) return undefined;
    if (method === 'GET') return { status: 200, body: armed };
    if (method === 'DELETE') {
      armed.length = 0;
      return { status: 204, body: undefined };
    }
    if (method !== 'POST') return undefined;
    const input = (await body()) as Partial<OutboxFault>;
    if (typeof input.step !== 'string') return { status: 400, body: { message: 'step is required' } };
    const fault: OutboxFault = { step: input.step, times: typeof input.times === 'number' ? input.times : 1, ...(typeof input.contactId === 'string' ? { contactId: input.contactId } : {}) };
    armed.push(fault);
    return { status: 201, body: fault };
  }

  return { routes, stop: () => poller.stop() };
}
