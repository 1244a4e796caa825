/**
 * The portal page near its honest floor (issue 12 part 3, issue 15). The floor of
 * `GET /portal/documents?limit=50` is a bare `Query` of 50 items that carry what the client receives
 * — the public Document fields (≈ 280 B), not the stored items with every key attribute — on a
 * scratch table of the same DynamoDB Local, measured in the same run, interleaved with the pages:
 * the floor, then one page of each viewer, round after round, one request at a time, so each figure
 * sees the same machine load.
 *
 * Viewers: a person of a company of 1,000 documents, one of 10,000 (all ten types), and a scoped one
 * in the 10,000 (types = invoice only: 1 of 10), each made through the real wizard, invitation and
 * sign-in; the scoped one's types set by a wizard line (`updated`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../lambdas/contract/keys';
import type { Document } from '../../lambdas/contract/schemas/documents';
import { adminToken, api } from '../../test/integration/support/stack';
import { acceptAndSignIn, companyWithPortalUser, createContact, grantAll, inParallel } from '../portal-users';
import { documentsOf, seedDocuments } from '../seed';
import type { BenchStack } from '../stack';
import { figure, median, now, percentile, timed, type Target } from '../stats';
import type { FigureGroup } from './group';
import { freshScratchTable } from '../../test/integration/support/scratch-table';

const PAGE = 50;
const SAMPLES = 200;
const WARMUP = 20;
const SIZES = { small: 1_000, medium: 10_000 } as const;
const TARGET = { pageToFloor: 2.0, mediumToSmall: 1.3, scopedToFloor: 2.0 };
const FLOOR_TABLE = 'portal-access-floor';
const FLOOR_PK = 'FLOOR';

/** The floor's items: the public fields of each document (what the page's client receives), under a plain key. */
async function seedFloor(db: DynamoDBDocumentClient, client: DynamoDBClient, documents: readonly Document[]): Promise<void> {
  await freshScratchTable(client, FLOOR_TABLE);
  const items = documents.map((d) => ({ pk: FLOOR_PK, sk: keys.documentOrder(d.type, d.id, d.date), ...d }));
  await inParallel(
    Array.from({ length: Math.ceil(items.length / 25) }, (_, i) => items.slice(i * 25, i * 25 + 25)),
    8,
    async (batch) => {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [FLOOR_TABLE]: requests } }));
        requests = (out.UnprocessedItems?.[FLOOR_TABLE] ?? []) as typeof requests;
      }
    },
  );
}

const floorQuery = (db: DynamoDBDocumentClient) =>
  db.send(new QueryCommand({ TableName: FLOOR_TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': FLOOR_PK }, ScanIndexForward: false, Limit: PAGE }));

/** What the portal read before issue 12: the company's stream, full stored items (for comparison only). */
const storedItemsQuery = (bench: BenchStack, companyId: string) =>
  bench.db.send(
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

async function page(token: string, check: (items: Document[]) => boolean): Promise<void> {
  const res = await api(`/portal/documents?limit=${PAGE}`, { token });
  if (res.status !== 200 || !check(res.body.items as Document[])) throw new Error(`GET /portal/documents → ${res.status}, ${res.body?.items?.length} items`);
}

const meanBytes = (items: readonly Record<string, unknown>[] | undefined) =>
  (items ?? []).reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)), 0) / Math.max(1, items?.length ?? 0);

export const portalPageFigures: FigureGroup = {
  name: 'portal page',
  needs: 'stack',
  async run(bench) {
    if (!bench) throw new Error('the portal page needs the stack');
    const [small, medium] = await inParallel(Object.entries(SIZES), 2, ([size, n]) => companyWithPortalUser(`Bench ${size} ${n}`));
    // The scoped viewer: a second person of the 10,000-document company, limited to invoices by a wizard line.
    const scopedEmail = `bench-scoped-${process.pid}@bench.example.com`;
    const scopedPerson = await createContact({ kind: 'person', name: 'Bench scoped reader', email: scopedEmail, companyId: medium!.company.id });
    await grantAll(medium!.company.id, [scopedPerson]);
    const scopedToken = await acceptAndSignIn(scopedEmail);
    const scoping = await api(`/contacts/${scopedPerson.id}/portal-access`, {
      method: 'POST',
      token: await adminToken(),
      body: { lines: [{ contactId: scopedPerson.id, inPortal: true, types: ['invoice'] }] },
    });
    if (scoping.body?.results?.[0]?.outcome !== 'updated') throw new Error(`scoping the reader: ${scoping.status} ${scoping.text}`);

    const documents = { small: documentsOf(small!.company.id, 'bench0', SIZES.small), medium: documentsOf(medium!.company.id, 'bench1', SIZES.medium) };
    const { ms: seedMs } = await timed(() =>
      Promise.all([
        seedDocuments(bench.db, bench.info.tableName, documents.small),
        seedDocuments(bench.db, bench.info.tableName, documents.medium),
        seedFloor(bench.db, new DynamoDBClient({ region: bench.info.region, endpoint: bench.info.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), documents.medium),
      ]),
    );
    figure(`seed ${SIZES.small + SIZES.medium} documents (+ the floor's ${SIZES.medium})`, seedMs / 1000, 's');

    // The counters are the product's: the portal reports exactly what was seeded, scope included.
    const total = async (token: string) => Object.values((await api('/portal/me', { token })).body.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    const expected = [
      [small!.token, SIZES.small],
      [medium!.token, SIZES.medium],
      [scopedToken, SIZES.medium / 10],
    ] as const;
    for (const [token, n] of expected) if ((await total(token)) !== n) throw new Error(`GET /portal/me counts ${await total(token)}, expected ${n}`);

    const full = (items: Document[]) => items.length === PAGE;
    const invoicesOnly = (items: Document[]) => items.length === PAGE && items.every((d) => d.type === 'invoice');
    const samples = { floor: [] as number[], stored: [] as number[], small: [] as number[], medium: [] as number[], scoped: [] as number[] };
    let floorBytes = 0;
    let storedBytes = 0;
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      let t = now();
      const floor = await floorQuery(bench.db);
      const f = now() - t;
      if (floor.Items?.length !== PAGE) throw new Error(`floor Query: ${floor.Items?.length} items`);
      t = now();
      const stored = await storedItemsQuery(bench, medium!.company.id);
      const s = now() - t;
      t = now();
      await page(small!.token, full);
      const hs = now() - t;
      t = now();
      await page(medium!.token, full);
      const hm = now() - t;
      t = now();
      await page(scopedToken, invoicesOnly);
      const hx = now() - t;
      if (i === 0) [floorBytes, storedBytes] = [meanBytes(floor.Items), meanBytes(stored.Items)];
      if (i >= WARMUP) {
        samples.floor.push(f);
        samples.stored.push(s);
        samples.small.push(hs);
        samples.medium.push(hm);
        samples.scoped.push(hx);
      }
    }

    figure('floor item (public fields), JSON', floorBytes, 'B', 0);
    figure('stored item (every key attribute), JSON', storedBytes, 'B', 0);
    const floorP50 = median(samples.floor);
    figure('honest floor: bare Query of 50 public items p50 (DynamoDB)', floorP50, 'ms', 2);
    figure('bare Query of 51 stored items p50 (DynamoDB, for comparison)', median(samples.stored), 'ms', 2);
    for (const [name, sample] of [
      ['1k', samples.small],
      ['10k', samples.medium],
      ['10k scoped (1 type of 10)', samples.scoped],
    ] as const) {
      figure(`portal page ${name} p50 (HTTP)`, median(sample), 'ms', 2);
      figure(`portal page ${name} p99 (HTTP)`, percentile(sample, 99), 'ms', 2);
    }
    const pageToFloor = median(samples.medium) / floorP50;
    const mediumToSmall = median(samples.medium) / median(samples.small);
    const scopedToFloor = median(samples.scoped) / floorP50;
    figure('portal page 10k p50 / honest floor p50', pageToFloor, 'x', 2);
    figure('portal page 10k / 1k p50', mediumToSmall, 'x', 2);
    figure('portal page 10k scoped p50 / honest floor p50', scopedToFloor, 'x', 2);

    const targets: Target[] = [
      { name: `portal page p50 ≤ ${TARGET.pageToFloor}× the honest floor`, pass: pageToFloor <= TARGET.pageToFloor, detail: `${pageToFloor.toFixed(2)}×` },
      { name: `portal page p50 10k/1k documents ≤ ${TARGET.mediumToSmall}×`, pass: mediumToSmall <= TARGET.mediumToSmall, detail: `${mediumToSmall.toFixed(2)}×` },
      {
        name: `portal page p50, scoped viewer (1 type of 10, 10,000 company documents) ≤ ${TARGET.scopedToFloor}× the honest floor`,
        pass: scopedToFloor <= TARGET.scopedToFloor,
        detail: `${scopedToFloor.toFixed(2)}×`,
      },
    ];
    return targets;
  },
};
