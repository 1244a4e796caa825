/**
 * In AWS, Lambda's own filter stays at INFO (DEBUG for DEBUG) so that the metric lines, which carry
 * no level, are never dropped; the stage's `logLevel` reaches the code as LOG_LEVEL, and the code
 * filters its own lines by it.
 */
import { log } from '../../lambdas/platform/log';
import { METRIC } from '../../lambdas/contract/metrics';
import { metrics } from '../../lambdas/wiring/metrics';
import { captureLogs, type Captured } from './log-capture';

let logs: Captured;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  delete process.env.AWS_LAMBDA_LOG_LEVEL;
});

test("LOG_LEVEL (the stage's logLevel) filters the code's lines, whatever Lambda's filter is; metric lines always go out", () => {
  process.env.AWS_LAMBDA_LOG_LEVEL = 'INFO';
  process.env.LOG_LEVEL = 'WARN';
  log.info('an info line');
  log.warn('a warning');
  metrics.count(METRIC.grants);
  expect(logs.lines.filter((l) => 'message' in l).map((l) => l.message)).toEqual(['a warning']);
  expect(logs.metrics('Grants')).toEqual([1]);
});

test("without LOG_LEVEL, Lambda's application level applies", () => {
  delete process.env.LOG_LEVEL;
  process.env.AWS_LAMBDA_LOG_LEVEL = 'ERROR';
  log.warn('a warning');
  log.error('an error');
  expect(logs.lines.map((l) => l.message)).toEqual(['an error']);
});
