/**
 * `npm run demo` (a running stack) or `npm start -- --demo`: demo data made the way a user makes it,
 * through the API — a company with three persons, one document of every type, and one of the
 * persons an active portal user: granted, its invitation read from the SES emulator and accepted
 * with a known password. Run again, it finds what is there and completes what is missing: one
 * company, one set of documents, one portal user, whatever the number of runs.
 */
import { DOCUMENT_TYPES, type DocumentType } from '../lambdas/contract/document-types';
import type { Contact } from '../lambdas/contract/schemas/contacts';
import { accessToken, CliError, invitationLink, runningStack } from './cli';
import { DEFAULT_STACK_FILE, type StackInfo } from './stack-file';

export const DEMO = {
  company: { name: 'Azure Interior', email: 'info@azure-interior.example' },
  persons: [
    { name: 'Brandon Freeman', email: 'brandon.freeman@azure-interior.example' },
    { name: 'Colleen Diaz', email: 'colleen.diaz@azure-interior.example' },
    { name: 'Nicole Ford', email: 'nicole.ford@azure-interior.example' },
  ],
  /** The portal user, and its password (meets the pool's policy). */
  portalUser: 'brandon.freeman@azure-interior.example',
  password: 'Azure-Portal-Demo-1!',
} as const;

const DOCUMENTS: Record<DocumentType, { name: string; reference?: string; state?: string; amount?: number }> = {
  lead: { name: 'Office redesign 2027', state: 'qualified', amount: 24000 },
  sale_order: { name: 'S00042', reference: 'Desks and chairs', state: 'sale', amount: 8750 },
  purchase_order: { name: 'P00017', reference: 'Oak panels', state: 'purchase', amount: 3120 },
  invoice: { name: 'INV/2026/00123', reference: 'S00042', state: 'posted', amount: 8750 },
  project: { name: 'Showroom refit', state: 'in progress' },
  task: { name: 'Measure the showroom', state: 'done' },
  timesheet: { name: 'Week 47, showroom refit', amount: 12.5 },
  ticket: { name: 'Scratched desk on delivery', state: 'in progress' },
  signature: { name: 'Sales order S00042, to sign', state: 'sent' },
  subscription: { name: 'Maintenance plan (yearly)', state: 'in progress', amount: 1200 },
};

type Call = (path: string, init?: { method?: string; body?: unknown }) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

function client(info: StackInfo, token: string): Call {
  return async (path, init = {}) => {
    const response = await fetch(info.apiUrl + path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

const expect2xx = (what: string, res: { status: number; body: unknown }) => {
  if (res.status >= 300) throw new CliError(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
};

/** The non-archived contact with this email, made if there is none (found again on the next run). */
async function ensureContact(call: Call, body: { kind: 'person' | 'company'; name: string; email: string; companyId?: string }): Promise<Contact> {
  const found = (await call(`/contacts?q=${encodeURIComponent(body.email)}`)).body?.items as Contact[] | undefined;
  const existing = found?.find((c) => c.email === body.email && c.kind === body.kind);
  if (existing) return existing;
  return expect2xx(`creating ${body.name}`, await call('/contacts', { method: 'POST', body })).body as Contact;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new CliError(`Timed out: ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface DemoResult {
  company: Contact;
  persons: Contact[];
  portalUser: Contact;
  documents: number;
}

export async function runDemo(info: StackInfo): Promise<DemoResult> {
  const call = client(info, await accessToken(info, 'staff', info.admin.username, info.admin.password));
  const company = await ensureContact(call, { kind: 'company', ...DEMO.company });
  const persons: Contact[] = [];
  for (const person of DEMO.persons) persons.push(await ensureContact(call, { kind: 'person', ...person, companyId: company.id }));

  for (const [index, type] of DOCUMENT_TYPES.entries()) {
    const document = DOCUMENTS[type];
    const date = `2026-11-${String(10 + index).padStart(2, '0')}`;
    // Publishing is an upsert by the source system's id: a second run replaces, never duplicates.
    expect2xx(`publishing the ${type}`, await call(`/documents/${type}/DEMO-${type.toUpperCase()}-1`, { method: 'PUT', body: { customerId: company.id, date, currency: 'EUR', ...document } }));
  }

  let user = persons.find((p) => p.email === DEMO.portalUser) as Contact;
  if (user.portal.status !== 'active') {
    // Granted (or granted again), or re-invited when pending: the mail of an earlier run is gone with the emulator's memory.
    const started = Date.now();
    if (user.portal.status === 'invited') expect2xx('re-inviting', await call(`/contacts/${company.id}/portal-access/reinvite`, { method: 'POST', body: { contactId: user.id } }));
    else {
      const applied = expect2xx('granting', await call(`/contacts/${company.id}/portal-access`, { method: 'POST', body: { lines: [{ contactId: user.id, inPortal: true }] } }));
      const line = (applied.body as { results: { outcome: string; error?: { detail?: string } }[] }).results[0];
      if (line?.outcome === 'failed') throw new CliError(`Granting portal access failed: ${line.error?.detail ?? 'unknown'}`);
    }
    const link = await until('the invitation mail', async () => {
      const latest = await invitationLink(info, DEMO.portalUser);
      return (await mailedSince(info, started)) ? latest : undefined;
    });
    const token = new URL(link).searchParams.get('token');
    const accepted = await fetch(`${info.apiUrl}/invitations/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: DEMO.password }) });
    if (accepted.status !== 204) throw new CliError(`Accepting the invitation: ${accepted.status} ${await accepted.text()}`);
    user = expect2xx('reading the portal user', await call(`/contacts/${user.id}`)).body as Contact;
  }
  // The proof: the portal user signs in and sees the company's documents.
  const portal = client(info, await accessToken(info, 'customer', DEMO.portalUser, DEMO.password));
  const me = expect2xx('the portal', await portal('/portal/me')).body as { counts: Record<string, number> };
  return { company, persons, portalUser: user, documents: Object.values(me.counts).reduce((a, b) => a + b, 0) };
}

/** Whether the SES emulator holds a mail to the portal user newer than `since` (epoch ms). */
async function mailedSince(info: StackInfo, since: number): Promise<boolean> {
  const store = (await (await fetch(`${info.sesEndpoint}/store`)).json()) as { emails: { destination: { to: string[] }; at: number }[] };
  // The emulator stamps mail in seconds.
  return store.emails.some((mail) => mail.destination.to.includes(DEMO.portalUser) && mail.at * 1000 >= since - 1000);
}

export function demoBanner(info: StackInfo, result: DemoResult): string {
  const rows: [string, string][] = [
    ['Customer portal', info.portalUrl],
    ...(info.adminUrl ? ([['Admin console', info.adminUrl]] as [string, string][]) : []),
    ['API', `${info.apiUrl}  (OpenAPI: ${info.apiUrl}/openapi.json)`],
    ['Mail viewer', `${info.sesEndpoint}/`],
    ['Company', `${result.company.name}  ${result.company.id}  (${result.persons.map((p) => p.name).join(', ')})`],
    ['Documents', `${result.documents} visible in the portal, one of each of the ${DOCUMENT_TYPES.length} types`],
    ['Portal user', `${DEMO.portalUser} / ${DEMO.password}  (${result.portalUser.portal.status})`],
    ['Staff', `${info.admin.username} / ${info.admin.password}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    '\nPortal Access — demo data ready',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    '  Try:',
    `    npm run -s portal -- token customer ${DEMO.portalUser} --password '${DEMO.password}'`,
    '    curl -s -H "authorization: Bearer $(npm run -s portal -- token customer ' + `${DEMO.portalUser} --password '${DEMO.password}')" ${info.apiUrl}/portal/me`,
    '',
  ].join('\n');
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const file = process.env.PORTAL_STACK_FILE ?? DEFAULT_STACK_FILE;
  runningStack(file)
    .then(async (info) => console.log(demoBanner(info, await runDemo(info))))
    .catch((error: unknown) => {
      console.error(error instanceof CliError ? error.message : `The demo failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
}
