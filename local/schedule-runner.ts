/**
 * The local stack's schedule runner: invokes the scheduled job's Lambda handler
 * (lambdas/schedule/handler.ts, the same one the EventBridge rate rule invokes in AWS) every
 * LOCAL_SCHEDULE_SECONDS (`SCHEDULE_EVERY_SECONDS` overrides it, at most 5), with an EventBridge
 * "Scheduled Event". Runs never overlap here (in AWS they may: the job is safe either way); a run
 * that throws is logged, and the next one comes all the same. Its named tasks are the job's
 * (lambdas/domain/expiry-tasks.ts, and whatever is added beside them).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_SCHEDULE_SECONDS } from '../lambdas/contract/schedule';
import { lambdaContext } from './api-event';
import { ROOT } from './options';

type JobHandler = (event: unknown, context: unknown) => Promise<unknown>;

export interface ScheduleRunner {
  /** Runs the job once now (after any run in progress); resolves with its answer. */
  runNow(): Promise<unknown>;
  stop(): Promise<void>;
}

export function scheduleEverySeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SCHEDULE_EVERY_SECONDS;
  const seconds = raw === undefined || raw === '' ? LOCAL_SCHEDULE_SECONDS : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 5) throw new Error('SCHEDULE_EVERY_SECONDS must be a number of seconds in (0, 5]');
  return seconds;
}

async function jobHandler(): Promise<JobHandler> {
  const file = path.join(ROOT, 'lambdas', 'schedule', 'handler.ts');
  const module = fs.existsSync(file) ? ((await import(file)) as { handler?: JobHandler }) : undefined;
  if (!module?.handler) throw new Error('lambdas/schedule/handler.ts exports no handler');
  return module.handler;
}

export function startScheduleRunner(config: { region: string; functionName: string; everySeconds: number }): ScheduleRunner {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const run = (): Promise<unknown> => {
    running = running.then(async () => {
      if (stopped) return undefined;
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: config.region,
        resources: [`arn:aws:events:${config.region}:000000000000:rule/${config.functionName}`],
        detail: {},
      };
      try {
        return await (await jobHandler())(event, lambdaContext(config.functionName));
      } catch (error) {
        console.error('schedule: the scheduled run failed; the next one comes all the same', error);
        return undefined;
      }
    });
    return running;
  };
  const timer = setInterval(() => void run(), config.everySeconds * 1000);
  timer.unref();
  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
