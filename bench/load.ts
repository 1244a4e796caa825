/**
 * `npm run load`: autocannon against a stack of its own (fresh, free ports) with mixed valid traffic —
 * portal reads (list, get, me) by several signed-in portal users, staff writes (PUT documents, PATCH
 * contacts, POST contacts) — 20 connections for 30 s. Prints throughput, p50/p99 latency and the
 * count of non-2xx answers per operation; exits non-zero when any answer was not 2xx or failed.
 */
import autocannon, { type Request } from 'autocannon';
import { DOCUMENT_TYPES } from '../lambdas/contract/document-types';
import type { Contact } from '../lambdas/contract/schemas/contacts';
import type { Document } from '../lambdas/contract/schemas/documents';
import { adminToken } from '../test/integration/support/stack';
import { companyWithPortalUser, createContact, inParallel } from './portal-users';
import { documentsOf, seedDocuments } from './seed';
import { startBenchStack } from './stack';
import { figure, machine } from './stats';

const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 20);
const DURATION_S = Number(process.env.LOAD_SECONDS ?? 30);
const COMPANIES = 4;
const DOCUMENTS_PER_COMPANY = 500;
const PERSONS_TO_PATCH = 40;

/** Each request's operation, in this order, round and round: three reads for each write. */
const MIX = ['list', 'get', 'me', 'put', 'list', 'get', 'me', 'patch', 'list', 'get', 'me', 'create'] as const;
type Operation = (typeof MIX)[number];

interface User {
  company: Contact;
  token: string;
  documents: Document[];
}

async function main(): Promise<number> {
  console.log(`machine: ${machine()}`);
  const bench = await startBenchStack('load');
  try {
    const staff = await adminToken();
    const users: User[] = await inParallel(Array.from({ length: COMPANIES }, (_, i) => i), COMPANIES, async (i) => {
      const { company, token } = await companyWithPortalUser(`Load company ${i}`);
      const documents = documentsOf(company.id, `load${i}`, DOCUMENTS_PER_COMPANY);
      return { company, token, documents };
    });
    await seedDocuments(bench.db, bench.info.tableName, users.flatMap((u) => u.documents));
    const persons = await inParallel(Array.from({ length: PERSONS_TO_PATCH }, (_, i) => i), 8, (i) =>
      createContact({ kind: 'person', name: `Load person ${i}`, companyId: users[i % COMPANIES]!.company.id }),
    );

    let sequence = 0;
    const counts = new Map<Operation, { sent: number; non2xx: number; statuses: Map<number, number> }>(MIX.map((op) => [op, { sent: 0, non2xx: 0, statuses: new Map() }]));
    const json = { 'content-type': 'application/json' };
    const request: Request = {
      setupRequest: (req, context) => {
        const n = sequence++;
        const op = MIX[n % MIX.length]!;
        const user = users[n % users.length]!;
        context.op = op;
        const portal = { authorization: `Bearer ${user.token}` };
        const asStaff = { authorization: `Bearer ${staff}` };
        switch (op) {
          case 'list':
            return { ...req, method: 'GET', path: `/portal/documents?limit=50${n % 2 ? `&type=${DOCUMENT_TYPES[n % DOCUMENT_TYPES.length]}` : ''}`, headers: portal, body: undefined };
          case 'get': {
            const d = user.documents[n % user.documents.length]!;
            return { ...req, method: 'GET', path: `/portal/documents/${d.type}/${d.id}`, headers: portal, body: undefined };
          }
          case 'me':
            return { ...req, method: 'GET', path: '/portal/me', headers: portal, body: undefined };
          case 'put': {
            // A new document, or a change of a seeded one: both are publishes.
            const round = Math.floor(n / MIX.length);
            const seeded = user.documents[(round * 7) % user.documents.length]!;
            const [type, id] = round % 2 ? [DOCUMENT_TYPES[round % DOCUMENT_TYPES.length]!, `load-new-${n}`] : [seeded.type, seeded.id];
            const body = { customerId: user.company.id, name: `Load ${n}`, state: 'posted', date: '2026-02-01', amount: n, currency: 'EUR' };
            return { ...req, method: 'PUT', path: `/documents/${type}/${id}`, headers: { ...asStaff, ...json }, body: JSON.stringify(body) };
          }
          case 'patch': {
            const p = persons[n % persons.length]!;
            return { ...req, method: 'PATCH', path: `/contacts/${p.id}`, headers: { ...asStaff, ...json }, body: JSON.stringify({ name: `Load person renamed ${n}` }) };
          }
          case 'create':
            return { ...req, method: 'POST', path: '/contacts', headers: { ...asStaff, ...json }, body: JSON.stringify({ kind: 'person', name: `Load new ${n}`, email: `load-${n}-${process.pid}@bench.example.com` }) };
        }
      },
      onResponse: (status, _body, context) => {
        const entry = counts.get(context.op as Operation)!;
        entry.sent += 1;
        if (status < 200 || status > 299) entry.non2xx += 1;
        entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
      },
    };

    const result = await autocannon({ url: bench.info.apiUrl, connections: CONNECTIONS, duration: DURATION_S, requests: [request] });
    figure('load connections', CONNECTIONS, '', 0);
    figure('load duration', result.duration, 's');
    figure('load requests', result.requests.total, 'requests', 0);
    figure('load throughput', result.requests.average, 'req/s');
    figure('load latency p50', result.latency.p50, 'ms', 0);
    figure('load latency p99', result.latency.p99, 'ms', 0);
    figure('load latency max', result.latency.max, 'ms', 0);
    for (const op of new Set(MIX)) {
      const c = counts.get(op)!;
      console.log(`load ${op}: ${c.sent} requests, ${c.non2xx} non-2xx, statuses ${[...c.statuses].map(([s, k]) => `${s}×${k}`).join(' ')}`);
    }
    const failures = result.errors + result.timeouts;
    figure('load non-2xx', result.non2xx, 'responses', 0);
    figure('load errors + timeouts', failures, '', 0);
    const ok = result.non2xx === 0 && failures === 0;
    console.log(`${ok ? 'PASS' : 'FAIL'} no non-2xx on valid traffic: ${result.non2xx} non-2xx, ${failures} errors/timeouts`);
    return ok ? 0 : 1;
  } finally {
    await bench.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
