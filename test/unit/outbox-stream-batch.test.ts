import type { DynamoDBRecord } from 'aws-lambda';
import { entryOf, oldestAgeSeconds } from '../../lambdas/worker/stream-batch';

const record = (created: number | undefined, image: Record<string, { S: string }> = { entity: { S: 'outbox' }, id: { S: 'o1' }, contactId: { S: 'c1' } }, eventName: DynamoDBRecord['eventName'] = 'INSERT'): DynamoDBRecord => ({
  eventName,
  dynamodb: { SequenceNumber: '1', NewImage: image, ...(created === undefined ? {} : { ApproximateCreationDateTime: created }) },
});

describe('the stream batch', () => {
  test("the outbox's lag is the age of the batch's oldest record, in seconds; none without creation times", () => {
    expect(oldestAgeSeconds([record(1_000), record(990), record(1_005)], 1_010_000)).toBe(20);
    // A clock a little behind the stream's never makes a negative lag.
    expect(oldestAgeSeconds([record(1_000)], 999_000)).toBe(0);
    expect(oldestAgeSeconds([record(undefined)], 1_010_000)).toBeUndefined();
    expect(oldestAgeSeconds([], 1_010_000)).toBeUndefined();
  });

  test('only a new outbox item is an entry; any other record is skipped', () => {
    expect(entryOf(record(1))).toEqual({ id: 'o1', contactId: 'c1', sequenceNumber: '1' });
    expect(entryOf(record(1, undefined, 'MODIFY'))).toBeUndefined();
    expect(entryOf(record(1, { entity: { S: 'contact' }, id: { S: 'c1' }, contactId: { S: 'c1' } }))).toBeUndefined();
    expect(entryOf(record(1, { entity: { S: 'outbox' }, id: { S: 'o1' } }))).toBeUndefined();
  });
});
