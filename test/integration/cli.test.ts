/**
 * The local stack's CLI (`npm run -s portal -- …`) and the demo (`npm run demo`), run as a user runs
 * them — a child process — against the test stack: the tokens it prints work against the API, the
 * invitation link it prints is the mailed one, the events it puts are consumed; with no stack, one
 * clear line and a failing exit.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEMO } from '../../local/demo';
import { applyAccess, createContact, invitationTokenIn, PORTAL_PASSWORD, portalUser } from './support/principals';
import { ROOT, STACK_FILE_ENV, TEST_STACK_FILE } from './support/local-stack-process';
import { api, emails, eventually, stack, uniq } from './support/stack';

const run = promisify(execFile);
const stackFile = () => process.env[STACK_FILE_ENV] || TEST_STACK_FILE;

/** Runs a local script with tsx, as `npm run` does; never throws, answers the exit code and both streams. */
async function script(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'local', file), ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
const portal = (...args: string[]) => script('cli.ts', [...args, '--stack-file', stackFile()]);

describe('with no stack running', () => {
  const dead = path.join(ROOT, '.local', 'test', `dead-${process.pid}.json`);
  afterAll(() => fs.rmSync(dead, { force: true }));

  test.each([
    ['no stack file', () => path.join(ROOT, '.local', 'test', `missing-${process.pid}.json`), /^The local stack is not running \(no .*\): start it with `npm start`\.$/],
    ['a stack file left behind, nothing answering', () => {
      // Ports nothing listens on: a stack killed without cleaning up.
      fs.mkdirSync(path.dirname(dead), { recursive: true });
      fs.writeFileSync(dead, JSON.stringify({ ...stack(), apiUrl: 'http://127.0.0.1:9', cognitoEndpoint: 'http://127.0.0.1:9' }));
      return dead;
    }, /^The local stack is not running \(nothing answers at http:\/\/127\.0\.0\.1:9\): start it with `npm start`\.$/],
  ])('%s: one line, no stack trace, exit 1', async (_name, file, line) => {
    const result = await script('cli.ts', ['token', 'staff', 'admin', '--stack-file', file()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
  });
});

describe('npm run -s portal --', () => {
  test('token staff: the admin (its password from the stack file) gets a token the API takes', async () => {
    const result = await portal('token', 'staff', stack().admin.username);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const token = result.stdout.trim();
    expect((await api('/contacts?limit=1', { token })).status).toBe(200);
  });

  test('token customer: a portal user with its password; a wrong password is one line', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Cli co') });
    const user = await portalUser(company.id, 'cli');
    const result = await portal('token', 'customer', user.email, '--password', PORTAL_PASSWORD);
    expect((await api('/portal/me', { token: result.stdout.trim() })).body.contact.id).toBe(user.contact.id);
    const wrong = await portal('token', 'customer', user.email, '--password', 'Not-The-Password-1!');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Sign-in refused for /)]);
    const missing = await portal('token', 'customer', user.email);
    expect(missing.stderr.trim()).toBe(`--password is required for ${user.email}.`);
  });

  test('token customer: the email as a person types it, in capitals, signs in as in AWS (the pools ignore its case)', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Cli case co') });
    const user = await portalUser(company.id, 'cli-case');
    const typed = ` ${user.email.toUpperCase()} `;
    const result = await portal('token', 'customer', typed, '--password', PORTAL_PASSWORD);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((await api('/portal/me', { token: result.stdout.trim() })).body.contact.id).toBe(user.contact.id);
  });

  test('invitation: the latest link mailed to the address, which accepts the invitation', async () => {
    const email = `${uniq('cli-invite')}@example.com`;
    const company = await createContact({ kind: 'company', name: uniq('Cli invite co') });
    const person = await createContact({ kind: 'person', name: 'Invitee', email, companyId: company.id });
    await applyAccess(company.id, person.id, true);
    const link = (await portal('invitation', email.toUpperCase())).stdout.trim();
    const mailed = (await emails()).filter((m) => m.destination.to.includes(email)).at(-1);
    expect(new URL(link).searchParams.get('token')).toBe(invitationTokenIn(mailed));
    const accepted = await api('/invitations/accept', { method: 'POST', body: { token: new URL(link).searchParams.get('token'), password: PORTAL_PASSWORD } });
    expect(accepted.status).toBe(204);
    expect((await portal('invitation', `${uniq('nobody')}@example.com`)).stderr).toMatch(/^No invitation was mailed to /);
  });

  test('events put: the event reaches the bus and is consumed (a revocation request revokes)', async () => {
    const company = await createContact({ kind: 'company', name: uniq('Cli events co') });
    const user = await portalUser(company.id, 'cli-events');
    const result = await portal('events', 'put', 'PortalAccessRevocationRequested', JSON.stringify({ contactId: user.contact.id, reason: 'from the CLI' }));
    expect(result.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(async () => expect((await api('/portal/me', { token: user.tokens.accessToken })).status).toBe(401));
    expect((await portal('events', 'put', 'PortalAccessRevocationRequested', 'not json')).stderr).toMatch(/^The detail must be JSON/);
  });

  test('url: where the running stack is', async () => {
    expect((await portal('url')).stdout.trim()).toBe(stack().apiUrl);
    expect((await portal('url', 'mail')).stdout.trim()).toBe(`${stack().sesEndpoint}/`);
  });
});

describe('npm run demo', () => {
  test('makes the demo through the API, an active portal user with the known password; a second run changes nothing', async () => {
    const env = { [STACK_FILE_ENV]: stackFile() };
    const first = await script('demo.ts', [], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`${DEMO.portalUser} / ${DEMO.password}  (active)`);
    expect(first.stdout).toContain('10 visible in the portal');
    const second = await script('demo.ts', [], env);
    expect(second.code).toBe(0);
    const companyLine = (out: string) => out.split('\n').find((line) => line.includes('Azure Interior'));
    expect(companyLine(second.stdout)).toBe(companyLine(first.stdout));

    const token = (await portal('token', 'customer', DEMO.portalUser, '--password', DEMO.password)).stdout.trim();
    const me = (await api('/portal/me', { token })).body;
    expect(me.company.name).toBe('Azure Interior');
    expect(Object.values(me.counts)).toEqual(Array(10).fill(1));
    const admin = (await portal('token', 'staff', stack().admin.username)).stdout.trim();
    const companies = (await api(`/contacts?q=${encodeURIComponent(DEMO.company.email)}`, { token: admin })).body.items;
    expect(companies).toHaveLength(1);
    expect((await api(`/contacts?companyId=${companies[0].id}`, { token: admin })).body.items).toHaveLength(3);
  });
});
