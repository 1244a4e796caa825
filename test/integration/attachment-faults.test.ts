/**
 * Attachments when S3 fails, on a fault stack of their own (support/fault-stack.ts: the handlers' S3
 * requests and presigned URLs go through a proxy in front of the S3 emulator, `LOCAL_S3_ENDPOINT`).
 * A connection S3 drops, or S3's 503, during a step of `complete` or of a delete is 503 with
 * Retry-After, never a 500, and leaves nothing that the repeat does not finish. The bucket is read
 * back with the AWS SDK's own S3 client, straight from the emulator.
 */
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startFaultStack, type FaultStack } from './support/fault-stack';

jest.setTimeout(180_000);

let fault: FaultStack;
let staffToken: string;
let s3: S3Client;
let customerId: string;

const staff = (path: string, init: { method?: string; body?: unknown } = {}) => fault.api(path, { ...init, token: staffToken });
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

/** Every key of the bucket that names one of these attachments. */
async function objectKeys(...ids: string[]): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: fault.info.attachmentsBucket }));
  return (out.Contents ?? []).map((o) => o.Key!).filter((key) => ids.some((id) => key.endsWith(`/${id}`)));
}

async function publish(): Promise<string> {
  const path = `/documents/invoice/s3-fault-${randomBytes(6).toString('hex')}`;
  expect((await staff(path, { method: 'PUT', body: { customerId, name: 'Invoice' } })).status).toBe(201);
  return path;
}

/** Announced and uploaded (through the proxy, while it forwards), not completed. */
async function uploaded(doc: string, bytes = pdf(4096)) {
  const ticket = await staff(`${doc}/attachments`, { method: 'POST', body: { fileName: 'invoice.pdf', contentType: 'application/pdf', size: bytes.length } });
  expect(ticket.status).toBe(201);
  const put = await fetch(ticket.body.uploadUrl, { method: 'PUT', body: bytes, headers: ticket.body.uploadHeaders });
  expect(put.status).toBe(200);
  return { id: ticket.body.id as string, attachment: { id: ticket.body.id, fileName: 'invoice.pdf', contentType: 'application/pdf', size: bytes.length } };
}

const unavailable = (res: { status: number; headers: Record<string, string> }) => ({ status: res.status, retryAfter: res.headers['retry-after'] });

beforeAll(async () => {
  fault = await startFaultStack();
  staffToken = await fault.adminToken();
  s3 = new S3Client({ region: fault.info.region, endpoint: fault.info.s3Endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  customerId = (await staff('/contacts', { method: 'POST', body: { kind: 'company', name: 'S3 faults' } })).body.id;
});

afterEach(() => fault.s3.fail(undefined));

afterAll(async () => {
  s3?.destroy();
  await fault?.stop();
});

describe('complete while S3 drops the connection of one of its steps', () => {
  it.each([
    ['the HEAD of the upload', 'HEAD /'],
    ['the ranged GET of its first bytes', 'GET /'],
    ['the copy to files/', 'COPY /'],
    ['the delete of the upload', 'DELETE /'],
  ])('%s: 503 with Retry-After; the repeat completes it, one record and one file', async (_step, match) => {
    const doc = await publish();
    const { id, attachment } = await uploaded(doc);
    fault.s3.fail('drop', match);
    const failedBefore = fault.s3.failed;
    expect(unavailable(await staff(`${doc}/attachments/${id}/complete`, { method: 'POST' }))).toEqual({ status: 503, retryAfter: expect.any(String) });
    expect(fault.s3.failed).toBeGreaterThan(failedBefore);
    fault.s3.fail(undefined);

    const repeat = await staff(`${doc}/attachments/${id}/complete`, { method: 'POST' });
    expect({ status: repeat.status, body: repeat.body }).toEqual({ status: 200, body: attachment });
    expect((await staff(`${doc}/attachments`)).body).toEqual({ items: [attachment], pending: [] });
    expect(await objectKeys(id)).toEqual([`files/${id}`]);
  });
});

describe('deletes while S3 drops the connection, or answers 503', () => {
  it.each([['drop'], ['503']] as const)('%s: deleting an attachment or its document is 503 with Retry-After; the repeat deletes, and no object is left', async (how) => {
    const doc = await publish();
    const { id } = await uploaded(doc);
    expect((await staff(`${doc}/attachments/${id}/complete`, { method: 'POST' })).status).toBe(200);
    const pending = await uploaded(doc);

    fault.s3.fail(how, 'DELETE /');
    expect(unavailable(await staff(`${doc}/attachments/${id}`, { method: 'DELETE' }))).toEqual({ status: 503, retryAfter: expect.any(String) });
    expect(unavailable(await staff(doc, { method: 'DELETE' }))).toEqual({ status: 503, retryAfter: expect.any(String) });
    // The document is not deleted while its files could not be.
    expect((await staff(doc)).status).toBe(200);
    fault.s3.fail(undefined);

    expect((await staff(`${doc}/attachments/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await staff(doc, { method: 'DELETE' })).status).toBe(204);
    expect((await staff(`${doc}/attachments`)).status).toBe(404);
    expect(await objectKeys(id, pending.id)).toEqual([]);
  });
});
