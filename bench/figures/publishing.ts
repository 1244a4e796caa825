/**
 * Batch publishing (issue 12 part 2): documents a second through `PUT /documents/{type}/{id}` one by
 * one against `POST /documents/batch` with 100 documents a request, each with 8 concurrent clients
 * over HTTP, new documents (all ten types) spread over 50 customers, as a back office's initial sync
 * sends them (ordered by date, not by customer), the same for both. Every answer must be what the route promises (`201`;
 * `200` with every result `created`). The two are measured in turns — PUT, batch, writes, PUT, batch,
 * writes — and each rate is the total documents over the total time of its turns, so a change in the
 * machine's load lands on all.
 * Not a target, a reading aid: the batch's writes alone — the same documents' transactions written by
 * the route's own store (`DynamoDocumentBatchStore.writeAll`) straight to the stack's DynamoDB Local,
 * 8 clients, no HTTP, no Lambda, no validation — and the route's rate over theirs. Where that is near
 * 1, the batch runs at the emulator's write rate and only fewer or cheaper writes would move it.
 */
import { DynamoDocumentBatchStore } from '../../lambdas/adapters/dynamodb/documents-batch-store';
import { DOCUMENT_TYPES } from '../../lambdas/contract/document-types';
import { adminToken, api } from '../../test/integration/support/stack';
import { createContact, inParallel } from '../portal-users';
import { figure, load, timed } from '../stats';
import type { FigureGroup } from './group';

const CLIENTS = 8;
const BATCH = 100;
/** Per turn: 8 clients × 40 PUTs; 8 clients × 3 batches of 100. */
const PUTS_PER_TURN = CLIENTS * 40;
const BATCHES_PER_TURN = CLIENTS * 3;
const TURNS = 2;
/** Untimed, before the turns: a third of a turn of each. */
const WARM_UP_PUTS = CLIENTS * 15;
const WARM_UP_BATCHES = CLIENTS;
const TARGET = 5;
const CUSTOMERS = 50;

const body = (customerId: string, i: number) => ({
  customerId,
  name: `PUB/${String(i).padStart(7, '0')}`,
  reference: `REF-${i}`,
  state: 'posted',
  date: '2026-11-30',
  amount: (i % 10_000) / 100,
  currency: 'EUR',
});
const typeOf = (i: number) => DOCUMENT_TYPES[Math.floor(i / CUSTOMERS) % DOCUMENT_TYPES.length]!;

export const publishingFigures: FigureGroup = {
  name: 'publishing',
  needs: 'stack',
  async run(bench) {
    if (!bench) throw new Error('publishing needs the bench stack');
    const customers = await inParallel(Array.from({ length: CUSTOMERS }, (_, i) => i), CLIENTS, (i) => createContact({ kind: 'company', name: `Bench publishing ${i}` }));
    const customerOf = (i: number) => customers[i % CUSTOMERS]!.id;
    const token = await adminToken();
    let next = 0;
    const single = async () => {
      const i = next++;
      const res = await api(`/documents/${typeOf(i)}/single-${process.pid}-${i}`, { method: 'PUT', token, body: body(customerOf(i), i) });
      if (res.status !== 201) throw new Error(`PUT /documents → ${res.status} ${res.text}`);
    };
    const batch = async () => {
      const documents = Array.from({ length: BATCH }, () => {
        const i = next++;
        return { type: typeOf(i), id: `batch-${process.pid}-${i}`, ...body(customerOf(i), i) };
      });
      const res = await api('/documents/batch', { method: 'POST', token, body: { documents } });
      const results = (res.body?.results ?? []) as { outcome: string }[];
      if (res.status !== 200 || results.length !== BATCH || results.some((r) => r.outcome !== 'created')) {
        throw new Error(`POST /documents/batch → ${res.status}, ${results.filter((r) => r.outcome === 'created').length}/${BATCH} created: ${res.text.slice(0, 300)}`);
      }
    };
    const store = new DynamoDocumentBatchStore(bench.db, bench.info.tableName);
    const writesAlone = async () => {
      const at = new Date().toISOString();
      const changes = Array.from({ length: BATCH }, () => {
        const i = next++;
        return { kind: 'create' as const, document: { type: typeOf(i), id: `writes-${process.pid}-${i}`, ...body(customerOf(i), i), createdAt: at, updatedAt: at } };
      });
      const outcomes = await store.writeAll(changes);
      if (outcomes.some((outcome) => outcome !== 'written')) throw new Error(`writeAll: ${outcomes.filter((o) => o === 'written').length}/${BATCH} written`);
    };
    // Warm-up, not timed: each function's container started, its clients connected, and both paths
    // run long enough (the emulator's JIT, the local server's) that the first timed turn of neither
    // pays for it — with 8 PUTs only, the first PUT turn ran up to 1.7× slower than the second.
    await inParallel(Array.from({ length: WARM_UP_PUTS }, (_, i) => i), CLIENTS, single);
    await inParallel(Array.from({ length: WARM_UP_BATCHES }, (_, i) => i), CLIENTS, batch);
    await inParallel(Array.from({ length: WARM_UP_BATCHES }, (_, i) => i), CLIENTS, writesAlone);

    let [putMs, batchMs, writesMs] = [0, 0, 0];
    for (let turn = 1; turn <= TURNS; turn++) {
      const puts = await timed(() => inParallel(Array.from({ length: PUTS_PER_TURN }, (_, i) => i), CLIENTS, single));
      putMs += puts.ms;
      console.log(`publishing turn ${turn}: ${PUTS_PER_TURN} PUTs in ${(puts.ms / 1000).toFixed(2)} s (${load()})`);
      const batches = await timed(() => inParallel(Array.from({ length: BATCHES_PER_TURN }, (_, i) => i), CLIENTS, batch));
      batchMs += batches.ms;
      console.log(`publishing turn ${turn}: ${BATCHES_PER_TURN * BATCH} documents in ${BATCHES_PER_TURN} batches in ${(batches.ms / 1000).toFixed(2)} s (${load()})`);
      const writes = await timed(() => inParallel(Array.from({ length: BATCHES_PER_TURN }, (_, i) => i), CLIENTS, writesAlone));
      writesMs += writes.ms;
      console.log(`publishing turn ${turn}: the batches' writes alone, ${BATCHES_PER_TURN * BATCH} documents in ${(writes.ms / 1000).toFixed(2)} s (${load()})`);
    }
    const putRate = (TURNS * PUTS_PER_TURN) / (putMs / 1000);
    const batchRate = (TURNS * BATCHES_PER_TURN * BATCH) / (batchMs / 1000);
    const writesRate = (TURNS * BATCHES_PER_TURN * BATCH) / (writesMs / 1000);
    const ratio = batchRate / putRate;
    figure(`publishing: PUT one by one, ${CLIENTS} clients`, putRate, 'documents/s', 1);
    figure(`publishing: POST /documents/batch (${BATCH} a request), ${CLIENTS} clients`, batchRate, 'documents/s', 1);
    figure(`publishing: the batches' writes alone (DynamoDocumentBatchStore.writeAll, ${CLIENTS} clients)`, writesRate, 'documents/s', 1);
    figure('publishing: batch route / its writes alone', batchRate / writesRate, 'x', 2);
    figure('publishing: batch / PUT', ratio, 'x', 2);
    return [{ name: `batch publishing ≥ ${TARGET}× PUT one by one (documents/s, ${CLIENTS} clients each)`, pass: ratio >= TARGET, detail: `${ratio.toFixed(2)}× (${batchRate.toFixed(1)} vs ${putRate.toFixed(1)} documents/s)` }];
  },
};
