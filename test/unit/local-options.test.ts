import fs from 'node:fs';
import path from 'node:path';
import { ENV } from '../../lambdas/contract/env';
import { helpText, parseOptions, VARIABLES } from '../../local/options';

const ROOT = path.resolve(__dirname, '..', '..');
const source = (dir: string) =>
  fs
    .readdirSync(path.join(ROOT, dir))
    .filter((file) => file.endsWith('.ts') || file.endsWith('.cjs'))
    .map((file) => fs.readFileSync(path.join(ROOT, dir, file), 'utf8'))
    .join('\n');

/** Set by the stack itself for its handlers, or the process's own business (not the user's to set). */
const NOT_SETTINGS = new Set(['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'JAVA_TOOL_OPTIONS', 'PORTAL_STACK_FILE']);
const SET_BY_THE_STACK = new Set<string>([ENV.tableName, ENV.customerUserPoolId, ENV.staffUserPoolId, ENV.eventBusName, ENV.attachmentsBucket]);

describe('npm start -- --help', () => {
  test('lists every variable the local stack reads, and every optional setting its handlers read', () => {
    const local = source('local');
    const read = new Set([...local.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!));
    for (const [, key] of local.matchAll(/ENV\.([a-zA-Z]+)/g)) read.add(ENV[key as keyof typeof ENV]);
    // The handlers' optional settings (envOr in lambdas/wiring/) pass through from npm start's environment.
    for (const [, key] of source('lambdas/wiring').matchAll(/envOr\('([a-zA-Z]+)'/g)) read.add(ENV[key as keyof typeof ENV]);
    const expected = [...read].filter((name) => !NOT_SETTINGS.has(name) && !SET_BY_THE_STACK.has(name)).sort();
    expect(expected.length).toBeGreaterThan(15);
    const listed = VARIABLES.map((v) => v.name);
    expect(expected.filter((name) => !listed.includes(name))).toEqual([]);
    for (const name of listed) expect(helpText()).toContain(name);
  });

  test('each option is the variable it names: the option wins, then the variable, then the default', () => {
    expect(parseOptions([], {}).apiPort).toBe(3000);
    expect(parseOptions([], { PORT: '3100' }).apiPort).toBe(3100);
    expect(parseOptions(['--port', '3200'], { PORT: '3100' }).apiPort).toBe(3200);
    expect(parseOptions(['--demo'], {}).demo).toBe(true);
    expect(() => parseOptions(['--port', 'x'], {})).toThrow(/port number/);
  });
});
