/**
 * `npm run bench`: one run against a stack of its own (fresh, free ports), one figure a line, then a
 * PASS/FAIL line per target of issue 7. Exits non-zero when a target is missed. Method: docs/benchmark.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../lambdas/contract/keys';
import type { Contact } from '../lambdas/contract/schemas/contacts';
import { adminToken, api, emails } from '../test/integration/support/stack';
import { measureBundles } from './bundles';
import { measureHostileBodies } from './hostile-bodies';
import { applyAll, companyWithPortalUser, createContact, inParallel } from './portal-users';
import { documentsOf, seedDocuments } from './seed';
import { startBenchStack, type BenchStack } from './stack';
import { figure, machine, median, now, percentile, timed, verdicts, type Target } from './stats';

const PAGE = 50;
const SAMPLES = 200;
const WARMUP = 20;
const APPLY_LINES = 200;
const SIZES = { small: 1_000, medium: 10_000, large: 50_000 } as const;

const TARGET = { ratioToQuery: 2.5, ratioLargeToSmall: 1.3, bundleBytes: 500 * 1024, importMs: 150, applySeconds: 15, hostileBodyMs: 500 };

/** The Query the portal's company stream issues for the first page (documents-store.ts `query`): gsi1, newest first, limit + 1. */
function bareQuery(bench: BenchStack, companyId: string) {
  return bench.db.send(
    new QueryCommand({
      TableName: bench.info.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'gsi1pk' },
      ExpressionAttributeValues: { ':pk': keys.documentByCustomer(companyId, 'invoice', '').gsi1pk },
      ScanIndexForward: false,
      Limit: PAGE + 1,
    }),
  );
}

async function portalPage(token: string): Promise<void> {
  const res = await api(`/portal/documents?limit=${PAGE}`, { token });
  if (res.status !== 200 || res.body.items.length !== PAGE) throw new Error(`GET /portal/documents → ${res.status}, ${res.body?.items?.length} items`);
}

type Sample = { http: number[]; query: number[] };

/**
 * Bare Query and HTTP alternately, one request at a time, round-robin over the companies, so every
 * figure sees the same machine load (a busy machine's load drifts within a minute).
 */
async function measureListings(bench: BenchStack, users: readonly { company: Contact; token: string }[]): Promise<Sample[]> {
  const samples: Sample[] = users.map(() => ({ http: [], query: [] }));
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    for (const [k, user] of users.entries()) {
      let t = now();
      const out = await bareQuery(bench, user.company.id);
      const q = now() - t;
      if (out.Items?.length !== PAGE + 1) throw new Error(`bare Query: ${out.Items?.length} items`);
      t = now();
      await portalPage(user.token);
      const h = now() - t;
      if (i >= WARMUP) {
        samples[k]!.query.push(q);
        samples[k]!.http.push(h);
      }
    }
  }
  return samples;
}

async function main(): Promise<number> {
  console.log(`machine: ${machine()}`);
  const started = now();
  const { result: bench, ms: startMs } = await timed(() => startBenchStack('bench'));
  try {
    figure('stack start', startMs / 1000, 's');
    await adminToken();

    // Portal users of three companies, through the real wizard, invitation and sign-in.
    const users = await inParallel(Object.entries(SIZES), 3, ([size, n]) => companyWithPortalUser(`Bench ${size} ${n}`));
    const [small, medium, large] = users as [(typeof users)[number], (typeof users)[number], (typeof users)[number]];

    // A 200-line apply: 200 persons of one company, all granted, each invited by email.
    const company = await createContact({ kind: 'company', name: 'Bench apply 200' });
    const persons: Contact[] = await inParallel(Array.from({ length: APPLY_LINES }, (_, i) => i), 8, (i) =>
      createContact({ kind: 'person', name: `Apply person ${i}`, email: `apply-${i}-${process.pid}@bench.example.com`, companyId: company.id }),
    );
    const { result: applied, ms: applyMs } = await timed(() => applyAll(company.id, persons));
    const granted = applied.results.filter((r) => r.outcome === 'granted').length;
    const invited = new Set(persons.map((p) => p.email));
    const mailed = (await emails()).filter((m) => m.destination.to.some((to) => invited.has(to))).length;
    figure('apply 200 lines (grants + invitations)', applyMs / 1000, 's', 2);
    console.log(`apply 200 lines outcome: HTTP ${applied.status}, ${granted} granted, ${mailed} invitations mailed`);
    const applyComplete = applied.status === 200 && granted === APPLY_LINES && mailed === APPLY_LINES;

    // The worst bodies of at most 256 KiB: each answered 400, the slowest answer over HTTP.
    const hostile = await measureHostileBodies(await adminToken(), company.id);
    figure('worst 256 KiB body answered (HTTP, slowest of all)', hostile.worstMs, 'ms');
    console.log(`worst 256 KiB body: ${hostile.worstBody}; answers other than 400: ${hostile.unexpected.length ? hostile.unexpected.join(', ') : 'none'}`);

    // 61,000 documents, the three companies' at once.
    const { ms: seedMs } = await timed(() =>
      Promise.all(
        [small, medium, large].map((u, i) => seedDocuments(bench.db, bench.info.tableName, documentsOf(u.company.id, `bench${i}`, Object.values(SIZES)[i]!))),
      ),
    );
    const total = Object.values(SIZES).reduce((a, b) => a + b, 0);
    figure(`seed ${total} documents`, seedMs / 1000, 's');
    figure('seed rate', total / (seedMs / 1000), 'documents/s', 0);
    // The counters are the product's: the portal reports exactly what was seeded.
    for (const [u, n] of [[small, SIZES.small], [medium, SIZES.medium], [large, SIZES.large]] as const) {
      const me = await api('/portal/me', { token: u.token });
      const counted = Object.values(me.body.counts as Record<string, number>).reduce((a, b) => a + b, 0);
      if (me.status !== 200 || counted !== n) throw new Error(`GET /portal/me: ${me.status}, counts ${counted}, expected ${n}`);
    }

    const [smallRun, mediumRun, largeRun] = (await measureListings(bench, [small, medium, large])) as [Sample, Sample, Sample];
    const runs = { small: smallRun, medium: mediumRun, large: largeRun };
    const p50 = (size: keyof typeof runs) => median(runs[size].http);
    figure('portal list 10k p50 (HTTP)', p50('medium'), 'ms', 2);
    figure('portal list 10k p99 (HTTP)', percentile(runs.medium.http, 99), 'ms', 2);
    figure('bare Query 10k p50 (DynamoDB)', median(runs.medium.query), 'ms', 2);
    const ratioToQuery = p50('medium') / median(runs.medium.query);
    figure('portal list / bare Query p50 ratio', ratioToQuery, 'x', 2);
    figure('portal list 1k p50 (HTTP)', p50('small'), 'ms', 2);
    figure('portal list 50k p50 (HTTP)', p50('large'), 'ms', 2);
    figure('bare Query 1k p50 (DynamoDB)', median(runs.small.query), 'ms', 2);
    figure('bare Query 50k p50 (DynamoDB)', median(runs.large.query), 'ms', 2);
    const ratioLarge = p50('large') / p50('small');
    figure('portal list 50k/1k p50 ratio', ratioLarge, 'x', 2);

    await bench.stop();
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bundles-'));
    const bundles = await measureBundles(outDir);
    fs.rmSync(outDir, { recursive: true, force: true });
    for (const b of bundles) {
      figure(`bundle ${b.name} size`, b.bytes / 1024, 'KB');
      figure(`bundle ${b.name} cold import`, b.importMs, 'ms');
      figure(`bundle ${b.name} cold import CPU`, b.importCpuMs, 'ms');
    }
    figure('bench total', (now() - started) / 1000, 's');

    const targets: Target[] = [
      { name: 'portal list p50 ≤ 2.5× bare Query', pass: ratioToQuery <= TARGET.ratioToQuery, detail: `${ratioToQuery.toFixed(2)}×` },
      { name: 'portal list p50 50k/1k ≤ 1.3', pass: ratioLarge <= TARGET.ratioLargeToSmall, detail: `${ratioLarge.toFixed(2)}×` },
      ...bundles.map((b) => ({ name: `bundle ${b.name} ≤ 500 KB`, pass: b.bytes <= TARGET.bundleBytes, detail: `${(b.bytes / 1024).toFixed(1)} KB` })),
      ...bundles.map((b) => ({ name: `bundle ${b.name} cold import ≤ 150 ms`, pass: b.importMs <= TARGET.importMs, detail: `${b.importMs.toFixed(1)} ms` })),
      {
        name: 'every hostile body ≤ 256 KiB answered 400 in ≤ 500 ms',
        pass: hostile.unexpected.length === 0 && hostile.worstMs <= TARGET.hostileBodyMs,
        detail: `${hostile.worstMs.toFixed(1)} ms (${hostile.worstBody}), ${hostile.unexpected.length} other answers`,
      },
      { name: '200-line apply ≤ 15 s', pass: applyComplete && applyMs / 1000 <= TARGET.applySeconds, detail: `${(applyMs / 1000).toFixed(2)} s, HTTP ${applied.status}, ${granted}/${APPLY_LINES} granted, ${mailed} mailed` },
    ];
    return verdicts(targets) ? 0 : 1;
  } finally {
    await bench.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
