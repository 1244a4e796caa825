/**
 * A 500-line apply through the outbox (issue 12 part 1). The answer's time is compared with its floor:
 * 500 bare 3-item `TransactWriteItems` (a conditional guard, a record, an outbox item: what one line's
 * transaction must write at least), 8 at a time (the apply's `APPLY_CONCURRENCY`, from when each line
 * was its own transaction; the floor stays as defined), on a scratch table of the same DynamoDB Local, measured in the same run just before and again after
 * the apply (the ratio takes their mean). Then the outbox must finish: every invitee gets exactly one
 * email (counted in the SES emulator's store), and the sending never goes over the worker's configured
 * `MAIL_RATE_PER_SECOND` in any second of the emulator's own stamps (what SES counts: its maximum send
 * rate is per second; the emulator stamps in whole seconds). The most mails in any sliding 1,000 ms
 * window of the times the bench's mail proxy saw SES answer each SendEmail (bench/stack.ts) is shown
 * too, as a figure: the pacer hands out a second's slots early in that second, so such a window may
 * hold up to twice the rate — per second, what SES counts, never more than the rate.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Contact } from '../../lambdas/contract/schemas/contacts';
import { emails, outboxDone } from '../../test/integration/support/stack';
import { applyAll, createContact, inParallel } from '../portal-users';
import type { BenchStack } from '../stack';
import { figure, load, now, timed, type Target } from '../stats';
import type { FigureGroup } from './group';
import { freshScratchTable } from '../../test/integration/support/scratch-table';

const APPLY_LINES = 500;
const CONCURRENCY = 8;
const TARGET_TO_FLOOR = 2.0;
const FLOOR_TABLE = 'portal-access-apply-floor';
/** The outbox is given up on when no new mail came for this long. */
const QUIET_MS = 30_000;

async function createFloorTable(bench: BenchStack): Promise<void> {
  const { region, dynamodbEndpoint: endpoint } = bench.info;
  const client = new DynamoDBClient({ region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await freshScratchTable(client, FLOOR_TABLE);
  client.destroy();
}

/** One line's floor: a guard that must not exist yet, the record, the outbox item — one transaction. */
function floorTransaction(db: DynamoDBDocumentClient, round: string, i: number) {
  const at = new Date().toISOString();
  const id = `${round}-${i}`;
  return db.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: FLOOR_TABLE, Item: { pk: `LOGIN#floor-${id}@bench.example.com`, sk: 'LOGIN', contactId: id, at }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: FLOOR_TABLE, Item: { pk: `CONTACT#${id}`, sk: 'CONTACT', portal: { status: 'invited', invitedAt: at, delivery: 'queued' }, outbox: { id, kind: 'invitation', at } } } },
        { Put: { TableName: FLOOR_TABLE, Item: { pk: `OUTBOX#${id}`, sk: 'OUTBOX', id, kind: 'invitation', contactId: id, at, steps: {} }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    }),
  );
}

async function floor(bench: BenchStack, round: string): Promise<number> {
  const { ms } = await timed(() => inParallel(Array.from({ length: APPLY_LINES }, (_, i) => i), CONCURRENCY, (i) => floorTransaction(bench.db, round, i)));
  return ms;
}

/** The most of these instants (ms) inside any window of `windowMs` (a window [t, t + windowMs)). */
export function mostInAnyWindow(instants: readonly number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

export const applyFigures: FigureGroup = {
  name: 'apply',
  needs: 'stack',
  async run(bench) {
    if (!bench) throw new Error('the apply needs the stack');
    const rate = bench.mailRatePerSecond;
    const company = await createContact({ kind: 'company', name: `Bench apply ${APPLY_LINES}` });
    const persons: Contact[] = await inParallel(Array.from({ length: APPLY_LINES }, (_, i) => i), CONCURRENCY, (i) =>
      createContact({ kind: 'person', name: `Apply person ${i}`, email: `apply-${i}-${process.pid}@bench.example.com`, companyId: company.id }),
    );
    await createFloorTable(bench);
    const floorBefore = await floor(bench, 'before');
    figure(`floor: ${APPLY_LINES} bare 3-item TransactWriteItems, ${CONCURRENCY} at a time, before the apply (${load()})`, floorBefore / 1000, 's', 2);

    const mailsBefore = bench.mail.sentAt.length;
    const { result: applied, ms } = await timed(() => applyAll(company.id, persons));
    const answeredAt = now();
    const granted = applied.results.filter((r) => r.outcome === 'granted').length;
    figure(`apply ${APPLY_LINES} lines, answer (${load()})`, ms / 1000, 's', 2);
    const others = new Map<string, number>();
    for (const r of applied.results) {
      const what = `${r.outcome}${r.error ? ` ${r.error.status} (${r.error.title ?? ''})` : ''}`;
      if (r.outcome !== 'granted') others.set(what, (others.get(what) ?? 0) + 1);
    }
    console.log(`apply ${APPLY_LINES} lines outcome: HTTP ${applied.status}, ${granted} granted${[...others].map(([k, n]) => `, ${n} ${k}`).join('')}`);

    // The outbox: the mail of every granted line in the emulator's store, then the outbox item of
    // every line finished; a line not granted is no invitee.
    const grantedIds = new Set(applied.results.filter((r) => r.outcome === 'granted').map((r) => r.contactId));
    const invitees = persons.filter((p) => grantedIds.has(p.id));
    const invited = new Set(invitees.map((p) => p.email ?? ''));
    const everyone = new Set(persons.map((p) => p.email ?? ''));
    const ours = async () => (await emails()).filter((m) => m.destination.to.some((to) => everyone.has(to)));
    let [seen, lastNewAt] = [0, now()];
    for (;;) {
      const n = (await ours()).length;
      if (n > seen) [seen, lastNewAt] = [n, now()];
      // All granted: done at the last one's mail. Otherwise the worker may still be delivering lines
      // the answer did not report (a 503 after they were written): wait until the mail stops.
      if ((invitees.length === APPLY_LINES && n >= APPLY_LINES) || now() - lastNewAt > QUIET_MS) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const mailedMs = now() - answeredAt;
    await outboxDone(invitees.map((p) => p.id)).catch((error: unknown) => console.log(`apply outbox: ${error instanceof Error ? error.message : String(error)}`));
    const mails = await ours();
    const perInvitee = new Map<string, number>();
    for (const m of mails) for (const to of m.destination.to) if (everyone.has(to)) perInvitee.set(to, (perInvitee.get(to) ?? 0) + 1);
    const exactlyOne = [...invited].filter((address) => perInvitee.get(address) === 1).length;
    const duplicates = [...perInvitee.values()].filter((n) => n > 1).length;
    const strays = [...perInvitee.keys()].filter((address) => !invited.has(address)).length;

    const perSecond = new Map<number, number>();
    for (const m of mails) perSecond.set(m.at, (perSecond.get(m.at) ?? 0) + 1);
    const worstSecond = Math.max(0, ...perSecond.values());
    const sentAt = bench.mail.sentAt.slice(mailsBefore);
    const worstWindow = mostInAnyWindow(sentAt, 1000);
    const spanS = sentAt.length > 1 ? (Math.max(...sentAt) - Math.min(...sentAt)) / 1000 : 0;
    figure(`apply outbox: the ${invitees.length} granted lines' invitations mailed, after the answer`, mailedMs / 1000, 's', 1);
    figure(`apply outbox: mean sending rate, first to last mail (configured ${rate}/s)`, spanS > 0 ? (sentAt.length - 1) / spanS : 0, '/s', 2);
    figure('apply outbox: most mails in one second of the SES emulator (its whole-second stamps)', worstSecond, 'mails', 0);
    // Shown, not a target: the pacer counts per clock second, as SES counts its maximum send rate, so a
    // window across a second's boundary may hold the end of one second's mails and the start of the next's.
    figure('apply outbox: most mails in any sliding 1,000 ms (the proxy saw SES answer; not a target: SES counts per second)', worstWindow, 'mails', 0);
    console.log(`apply outbox: ${mails.length} mails to ${perInvitee.size} of ${invitees.length} invitees, ${exactlyOne} exactly one, ${duplicates} more than one, ${strays} to persons not granted; ${sentAt.length} SendEmail answered 2xx`);

    const floorAfter = await floor(bench, 'after');
    figure(`floor: ${APPLY_LINES} bare 3-item TransactWriteItems, ${CONCURRENCY} at a time, after the outbox (${load()})`, floorAfter / 1000, 's', 2);
    const floorMs = (floorBefore + floorAfter) / 2;
    const ratio = ms / floorMs;
    figure(`apply ${APPLY_LINES} lines answer / floor (mean of the two)`, ratio, 'x', 2);

    const targets: Target[] = [
      {
        name: `${APPLY_LINES}-line apply answer ≤ ${TARGET_TO_FLOOR}× ${APPLY_LINES} bare 3-item TransactWriteItems (${CONCURRENCY} at a time)`,
        pass: applied.status === 200 && granted === APPLY_LINES && ratio <= TARGET_TO_FLOOR,
        detail: `${ratio.toFixed(2)}× (${(ms / 1000).toFixed(2)} s / ${(floorMs / 1000).toFixed(2)} s), HTTP ${applied.status}, ${granted}/${APPLY_LINES} granted`,
      },
      {
        name: `every invitee of the ${APPLY_LINES}-line apply got exactly one email (SES emulator's store)`,
        pass: invitees.length === APPLY_LINES && exactlyOne === APPLY_LINES && mails.length === APPLY_LINES,
        detail: `${invitees.length} lines granted; of their invitees ${exactlyOne} exactly one, ${duplicates} more than one, ${invitees.length - exactlyOne - duplicates} none; ${strays} to persons not granted`,
      },
      {
        name: `sending ≤ MAIL_RATE_PER_SECOND (${rate}) in every second of the SES emulator's stamps`,
        pass: worstSecond <= rate && mails.length > 0,
        detail: `at most ${worstSecond} in one second`,
      },
    ];
    return targets;
  },
};
