import { AccessEnded, Conflict, NotFound, Unauthenticated } from '../../lambdas/contract/errors';
import { downloadAttachment, downloadVisibleAttachment, visibleDocument } from '../../lambdas/domain/attachments/download';
import {
  MAX_ATTACHMENTS,
  type AttachmentDeps,
  type AttachmentObjects,
  type AttachmentRecord,
  type AttachmentStore,
  type MarkReadyOutcome,
  type UploadedObject,
} from '../../lambdas/domain/attachments/ports';
import { deleteAttachment, deleteDocumentAndAttachments } from '../../lambdas/domain/attachments/removal';
import { announceUpload, completeUpload, listAttachments } from '../../lambdas/domain/attachments/upload';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { DocumentChange, DocumentStore, StoredDocument } from '../../lambdas/domain/documents';
import type { PortalCaller } from '../../lambdas/domain/portal-session';
import type { VisibilityStore } from '../../lambdas/domain/visibility';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const DOC: StoredDocument = {
  document: { type: 'invoice', id: 'INV-1', customerId: 'c1', name: 'Invoice', createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() },
  version: 1,
};
const pdfHead = new TextEncoder().encode('%PDF-1.7');

/** An in-memory store that keeps the rules the DynamoDB one enforces by conditions. */
function fakeStore(documentExists: () => boolean) {
  const records = new Map<string, AttachmentRecord>();
  const log: string[] = [];
  let ready = 0;
  const store: AttachmentStore = {
    list: async () => [...records.values()],
    get: async (_t, _i, id) => records.get(id),
    async addPending(_t, _i, record) {
      if (!documentExists()) return false;
      records.set(record.id, record);
      return true;
    },
    async markReady(_t, _i, id, completedAt, max): Promise<MarkReadyOutcome> {
      const record = records.get(id);
      if (record?.status !== 'pending') return 'not-pending';
      if (!documentExists()) return 'document-missing';
      if (ready >= max) return 'full';
      records.set(id, { ...record, status: 'ready', completedAt });
      ready += 1;
      return 'done';
    },
    async remove(_t, _i, record) {
      const now = records.get(record.id);
      if (!now || now.status !== record.status) return false;
      records.delete(record.id);
      if (record.status === 'ready') ready -= 1;
      log.push(`record ${record.id}`);
      return true;
    },
  };
  return { store, records, log };
}

function fakeObjects(log: string[]) {
  const uploads = new Map<string, UploadedObject>();
  const stored = new Map<string, UploadedObject>();
  const files = { has: (id: string) => stored.has(id), get size() { return stored.size; } };
  const objects: AttachmentObjects & { changeBeforeStore?: boolean } = {
    uploadUrl: async (id, type, size, ttl) => `https://s3.test/pending/${id}?type=${type}&size=${size}&ttl=${ttl}`,
    inspectUpload: async (id) => uploads.get(id),
    inspectStored: async (id) => stored.get(id),
    async storeUpload(id, etag) {
      const upload = uploads.get(id);
      if (objects.changeBeforeStore || upload?.etag !== etag) return false;
      uploads.delete(id);
      stored.set(id, upload);
      return true;
    },
    async remove(id) {
      uploads.delete(id);
      stored.delete(id);
      log.push(`objects ${id}`);
    },
    downloadUrl: async (id, disposition, ttl) => `https://s3.test/files/${id}?d=${encodeURIComponent(disposition)}&ttl=${ttl}`,
  };
  return { objects, uploads, files };
}

function world() {
  let exists = true;
  let ids = 0;
  const { store, records, log } = fakeStore(() => exists);
  const { objects, uploads, files } = fakeObjects(log);
  const changes: DocumentChange[] = [];
  const documents: DocumentStore = {
    get: async () => (exists ? DOC : undefined),
    grants: async () => [],
    async write(change) {
      changes.push(change);
      log.push(`document ${change.kind}`);
      exists = false;
    },
    list: async () => ({ items: [] }),
  };
  const deps: AttachmentDeps = { documents, attachments: store, objects, now: () => NOW, newId: () => `att${++ids}` };
  return { deps, records, uploads, files, log, changes, setExists: (v: boolean) => (exists = v) };
}

const announce = (deps: AttachmentDeps, size = 8, contentType: 'application/pdf' | 'image/png' = 'application/pdf') =>
  announceUpload(deps, 'invoice', 'INV-1', { fileName: contentType === 'image/png' ? 'a.png' : 'a.pdf', contentType, size });

describe('announcing an upload', () => {
  test('records a pending attachment and answers a PUT URL of 15 minutes bound to type and size', async () => {
    const { deps, records } = world();
    const ticket = await announce(deps, 1234);
    expect(ticket).toEqual({
      id: 'att1',
      uploadUrl: 'https://s3.test/pending/att1?type=application/pdf&size=1234&ttl=900',
      expiresAt: '2026-11-30T12:15:00.000Z',
      uploadHeaders: { 'Content-Type': 'application/pdf' },
    });
    expect(records.get('att1')).toMatchObject({ status: 'pending', size: 1234, createdAt: NOW.toISOString() });
  });

  test('the environment may shorten the URL lifetimes, never lengthen them', async () => {
    const { deps } = world();
    expect((await announce({ ...deps, uploadUrlSeconds: 5 })).uploadUrl).toContain('ttl=5');
    expect((await announce({ ...deps, uploadUrlSeconds: 86_400 })).uploadUrl).toContain('ttl=900');
  });

  test('on a missing document: 404, and nothing recorded', async () => {
    const { deps, records, setExists } = world();
    setExists(false);
    await expect(announce(deps)).rejects.toBeInstanceOf(NotFound);
    expect(records.size).toBe(0);
  });

  test(`at most ${MAX_ATTACHMENTS} uploads under way; expired upload URLs do not count`, async () => {
    const { deps, records } = world();
    for (let i = 0; i < MAX_ATTACHMENTS; i++) await announce(deps);
    await expect(announce(deps)).rejects.toThrow(/uploads of a document can be under way/);
    const one = records.get('att1')!;
    records.set('att1', { ...one, uploadExpiresAt: '2026-11-30T11:59:59.000Z' });
    await expect(announce(deps)).resolves.toMatchObject({ id: `att${MAX_ATTACHMENTS + 1}` });
  });
});

describe('completing an upload', () => {
  const uploaded = (over: Partial<UploadedObject> = {}): UploadedObject => ({ size: 8, contentType: 'application/pdf', etag: '"e1"', head: pdfHead, ...over });

  test('a matching upload becomes visible; completing it again answers the same', async () => {
    const { deps, uploads, files } = world();
    const { id } = await announce(deps);
    uploads.set(id, uploaded());
    const done = await completeUpload(deps, 'invoice', 'INV-1', id);
    expect(done).toEqual({ id, fileName: 'a.pdf', contentType: 'application/pdf', size: 8 });
    expect(files.has(id)).toBe(true);
    expect(await completeUpload(deps, 'invoice', 'INV-1', id)).toEqual(done);
    expect((await listAttachments(deps, 'invoice', 'INV-1')).items).toEqual([done]);
  });

  test.each([
    ['nothing uploaded', undefined, /Nothing has been uploaded/],
    ['another size', uploaded({ size: 9 }), /has 9 bytes, not the 8 announced/],
    ['another type', uploaded({ contentType: 'text/html' }), /sent as text\/html, not application\/pdf/],
    ['not a PDF', uploaded({ head: new TextEncoder().encode('<html>..') }), /not a PDF/],
  ])('%s: 409 and still pending', async (_label, object, message) => {
    const { deps, uploads, records, files } = world();
    const { id } = await announce(deps);
    if (object) uploads.set(id, object);
    const refused = completeUpload(deps, 'invoice', 'INV-1', id);
    await expect(refused).rejects.toBeInstanceOf(Conflict);
    await expect(refused).rejects.toThrow(message);
    expect(records.get(id)?.status).toBe('pending');
    expect(files.size).toBe(0);
  });

  test('an upload replaced between the check and the copy is a 409 (the checked version is the one stored)', async () => {
    const { deps, uploads, records } = world();
    const { id } = await announce(deps);
    uploads.set(id, uploaded());
    deps.objects = Object.assign(deps.objects, { changeBeforeStore: true });
    await expect(completeUpload(deps, 'invoice', 'INV-1', id)).rejects.toThrow(/changed while it was being checked/);
    expect(records.get(id)?.status).toBe('pending');
  });

  test('two completions at once, both past the checks: both answer the attachment, which is completed once (the loser finds its checked version stored)', async () => {
    const { deps, uploads, records, files } = world();
    const { id } = await announce(deps);
    uploads.set(id, uploaded());
    // Both have inspected the upload before either copies it: the second copy finds no upload left.
    let arrived = 0;
    let release!: () => void;
    const bothInspected = new Promise<void>((resolve) => (release = resolve));
    const inspect = deps.objects.inspectUpload;
    deps.objects.inspectUpload = async (...args) => {
      const found = await inspect(...args);
      if (++arrived === 2) release();
      await bothInspected;
      return found;
    };
    const answers = await Promise.allSettled([completeUpload(deps, 'invoice', 'INV-1', id), completeUpload(deps, 'invoice', 'INV-1', id)]);
    const attachment = { id, fileName: 'a.pdf', contentType: 'application/pdf', size: 8 };
    expect(answers).toEqual([
      { status: 'fulfilled', value: attachment },
      { status: 'fulfilled', value: attachment },
    ]);
    expect(records.get(id)?.status).toBe('ready');
    expect([files.has(id), uploads.has(id)]).toEqual([true, false]);
    expect((await listAttachments(deps, 'invoice', 'INV-1')).items).toEqual([attachment]);
  });

  test(`the ${MAX_ATTACHMENTS + 1}th completed attachment is a 409`, async () => {
    const { deps, uploads, records } = world();
    for (let i = 0; i < MAX_ATTACHMENTS; i++) {
      const { id } = await announce(deps);
      uploads.set(id, uploaded());
      await completeUpload(deps, 'invoice', 'INV-1', id);
    }
    // Announced before the last ones completed: the cap holds at completion as well.
    const late = 'late';
    records.set(late, { ...records.get('att1')!, id: late, status: 'pending' });
    uploads.set(late, uploaded());
    await expect(completeUpload(deps, 'invoice', 'INV-1', late)).rejects.toThrow(/at most 20 attachments/);
    await expect(announce(deps)).rejects.toThrow(/at most 20 attachments/);
  });

  test('losing the race for the last place: 409, and the stored copy is removed (no file outlives its record)', async () => {
    const { deps, uploads, files, records } = world();
    const { id } = await announce(deps);
    uploads.set(id, uploaded());
    deps.attachments.markReady = async () => 'full';
    await expect(completeUpload(deps, 'invoice', 'INV-1', id)).rejects.toThrow(/at most 20 attachments/);
    expect(files.has(id)).toBe(false);
    expect(records.get(id)?.status).toBe('pending');
  });

  test('a document deleted meanwhile: 404 and the copied file is removed again', async () => {
    const { deps, uploads, files, setExists } = world();
    const { id } = await announce(deps);
    uploads.set(id, uploaded());
    const inspect = deps.objects.inspectUpload;
    deps.objects.inspectUpload = async (...args) => {
      const found = await inspect(...args);
      setExists(false); // the document goes while the upload is being checked
      return found;
    };
    deps.documents.get = async () => DOC; // the first existence check passed
    await expect(completeUpload(deps, 'invoice', 'INV-1', id)).rejects.toBeInstanceOf(NotFound);
    expect(files.has(id)).toBe(false);
  });

  test('a completion that stored the file and failed to record it is finished by the repeat, which checks the stored file', async () => {
    const { deps, uploads, records, files } = world();
    const { id } = await announce(deps);
    uploads.set(id, uploaded());
    const markReady = deps.attachments.markReady;
    deps.attachments.markReady = async () => Promise.reject(Object.assign(new Error('DynamoDB down'), { name: 'ServiceUnavailable' }));
    await expect(completeUpload(deps, 'invoice', 'INV-1', id)).rejects.toThrow('DynamoDB down');
    expect(files.has(id)).toBe(true);
    expect(uploads.has(id)).toBe(false);
    deps.attachments.markReady = markReady;
    expect(await completeUpload(deps, 'invoice', 'INV-1', id)).toMatchObject({ id, size: 8 });
    expect(records.get(id)?.status).toBe('ready');
  });

  test('the stored file is checked like an upload: one that does not fit is still a 409', async () => {
    const { deps, uploads } = world();
    const { id } = await announce(deps);
    uploads.set(id, uploaded());
    deps.attachments.markReady = async () => Promise.reject(new Error('DynamoDB down'));
    await expect(completeUpload(deps, 'invoice', 'INV-1', id)).rejects.toThrow('DynamoDB down');
    const stored = await deps.objects.inspectStored(id, 4096);
    deps.objects.inspectStored = async () => ({ ...stored!, size: 9 });
    await expect(completeUpload(deps, 'invoice', 'INV-1', id)).rejects.toThrow(/has 9 bytes/);
  });

  test('an unknown id, or a pending record past its lifetime, is 404', async () => {
    const { deps, records, uploads } = world();
    await expect(completeUpload(deps, 'invoice', 'INV-1', 'nope')).rejects.toBeInstanceOf(NotFound);
    const { id } = await announce(deps);
    uploads.set(id, uploaded());
    records.set(id, { ...records.get(id)!, createdAt: '2026-11-29T11:59:59.000Z' });
    await expect(completeUpload(deps, 'invoice', 'INV-1', id)).rejects.toBeInstanceOf(NotFound);
    expect((await listAttachments(deps, 'invoice', 'INV-1')).pending).toEqual([]);
  });
});

describe('deleting', () => {
  test('an attachment: its objects first, then its record', async () => {
    const { deps, uploads, log, records } = world();
    const { id } = await announce(deps);
    uploads.set(id, { size: 8, contentType: 'application/pdf', etag: '"e"', head: pdfHead });
    await completeUpload(deps, 'invoice', 'INV-1', id);
    await deleteAttachment(deps, 'invoice', 'INV-1', id);
    expect(log).toEqual([`objects ${id}`, `record ${id}`]);
    expect(records.size).toBe(0);
    await expect(deleteAttachment(deps, 'invoice', 'INV-1', id)).rejects.toBeInstanceOf(NotFound);
  });

  test('the document: every attachment’s objects, then its record, then the document, then a second sweep', async () => {
    const { deps, uploads, log, records } = world();
    const a = await announce(deps);
    uploads.set(a.id, { size: 8, contentType: 'application/pdf', etag: '"e"', head: pdfHead });
    await completeUpload(deps, 'invoice', 'INV-1', a.id);
    const b = await announce(deps);
    await deleteDocumentAndAttachments(deps, 'invoice', 'INV-1');
    expect(log.slice(0, 4).sort()).toEqual([`objects ${a.id}`, `objects ${b.id}`, `record ${a.id}`, `record ${b.id}`].sort());
    expect(log.indexOf(`objects ${a.id}`)).toBeLessThan(log.indexOf(`record ${a.id}`));
    expect(log[4]).toBe('document delete');
    expect(records.size).toBe(0);
  });

  test('a document already gone: its leftovers are purged and the answer is 404', async () => {
    const { deps, records, log, setExists } = world();
    await announce(deps);
    setExists(false);
    await expect(deleteDocumentAndAttachments(deps, 'invoice', 'INV-1')).rejects.toBeInstanceOf(NotFound);
    expect(records.size).toBe(0);
    expect(log).toEqual(['objects att1', 'record att1']);
  });
});

describe('downloading', () => {
  async function withReady() {
    const w = world();
    const { id } = await announce(w.deps);
    w.uploads.set(id, { size: 8, contentType: 'application/pdf', etag: '"e"', head: pdfHead });
    await completeUpload(w.deps, 'invoice', 'INV-1', id);
    return { ...w, id };
  }

  test('a presigned GET of at most 60 s with the file name as Content-Disposition, after the caller’s check', async () => {
    const { deps, id } = await withReady();
    const checked: string[] = [];
    const link = await downloadAttachment({ ...deps, downloadUrlSeconds: 3600 }, 'invoice', 'INV-1', id, async () => checked.push('visible'));
    expect(checked).toEqual(['visible']);
    expect(link.expiresAt).toBe('2026-11-30T12:01:00.000Z');
    expect(link.url).toBe(`https://s3.test/files/${id}?d=${encodeURIComponent(`attachment; filename="a.pdf"; filename*=UTF-8''a.pdf`)}&ttl=60`);
    expect((await downloadAttachment({ ...deps, downloadUrlSeconds: 5 }, 'invoice', 'INV-1', id, async () => true)).url).toContain('ttl=5');
  });

  test('the caller’s refusal wins (404 of the document, 401 of a revoked user): no URL', async () => {
    const { deps, id } = await withReady();
    const signed: string[] = [];
    const objects = { ...deps.objects, downloadUrl: async (...args: Parameters<AttachmentObjects['downloadUrl']>) => (signed.push(args[0]), 'url') };
    await expect(downloadAttachment({ ...deps, objects }, 'invoice', 'INV-1', id, async () => Promise.reject(new NotFound('No such document.')))).rejects.toBeInstanceOf(NotFound);
    await expect(downloadAttachment({ ...deps, objects }, 'invoice', 'INV-1', id, async () => Promise.reject(new Unauthenticated('ended')))).rejects.toBeInstanceOf(Unauthenticated);
    expect(signed).toEqual([]);
  });

  test('a pending or unknown attachment is 404, like a document the caller does not see', async () => {
    const { deps } = await withReady();
    const { id: pending } = await announce(deps);
    await expect(downloadAttachment(deps, 'invoice', 'INV-1', pending, async () => true)).rejects.toThrow(new NotFound('No such attachment.'));
    await expect(downloadAttachment(deps, 'invoice', 'INV-1', 'nope', async () => true)).rejects.toBeInstanceOf(NotFound);
  });
});

describe('in the portal', () => {
  /** A request of a portal user of company `company` whose access check passed, and the table as the portal reads it: DOC (customer c1) and explicit grants. */
  const viewer = (id: string, companyId: string): PortalCaller => {
    const contact: ContactRecord = {
      id,
      kind: 'person',
      name: id,
      companyId,
      archived: false,
      portal: { status: 'active' },
      version: 1,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    };
    const checked = Promise.resolve(contact);
    return { now: NOW, guess: undefined, viewer: checked, checked };
  };
  /** A request whose access check refuses (a revoked user). */
  const refused = (): PortalCaller => {
    const checked = Promise.reject(new AccessEnded('Portal access is not active for this login.'));
    checked.catch(() => undefined);
    return { now: NOW, guess: undefined, viewer: checked, checked };
  };
  const visibility = (granted: string[] = []): VisibilityStore => ({
    stream: async () => [],
    document: async (type, id) => (type === 'invoice' && id === 'INV-1' ? DOC.document : undefined),
    grant: async (_type, _id, contactId) => (granted.includes(contactId) ? {} : undefined),
    counts: async () => ({}),
    grantCounts: async () => [],
    endedGrants: async () => [],
  });

  async function portalWorld(granted: string[] = []) {
    const w = world();
    const { id } = await announce(w.deps);
    w.uploads.set(id, { size: 8, contentType: 'application/pdf', etag: '"e"', head: pdfHead });
    await completeUpload(w.deps, 'invoice', 'INV-1', id);
    const { id: pending } = await announce(w.deps);
    return { deps: { documents: visibility(granted), attachments: w.deps.attachments, objects: w.deps.objects, now: () => NOW }, id, pending };
  }

  test('a document the user sees carries its completed attachments only', async () => {
    const { deps, id } = await portalWorld();
    expect(await visibleDocument(deps, viewer('p1', 'c1'), 'invoice', 'INV-1')).toEqual({
      ...DOC.document,
      attachments: [{ id, fileName: 'a.pdf', contentType: 'application/pdf', size: 8 }],
    });
  });

  test('a user of another company gets the document’s 404, for the document and for its download; a grant opens both', async () => {
    const { deps, id } = await portalWorld(['granted']);
    const other = viewer('p2', 'c2');
    await expect(visibleDocument(deps, other, 'invoice', 'INV-1')).rejects.toThrow(new NotFound('No such document.'));
    await expect(downloadVisibleAttachment(deps, other, 'invoice', 'INV-1', id)).rejects.toThrow(new NotFound('No such document.'));
    const link = await downloadVisibleAttachment(deps, viewer('granted', 'c2'), 'invoice', 'INV-1', id);
    expect(link.url).toContain(`/files/${id}?`);
  });

  test('a refused access check wins: the 401, even when the attachment reads fail meanwhile', async () => {
    const { deps, id } = await portalWorld();
    const failing = { ...deps, attachments: { list: async () => Promise.reject(new Error('table down')), get: async () => Promise.reject(new Error('table down')) } };
    await expect(visibleDocument(failing, refused(), 'invoice', 'INV-1')).rejects.toBeInstanceOf(AccessEnded);
    await expect(downloadVisibleAttachment(failing, refused(), 'invoice', 'INV-1', id)).rejects.toBeInstanceOf(AccessEnded);
    // Once the check passed, a failing read is the failure it is.
    await expect(downloadVisibleAttachment(failing, viewer('p1', 'c1'), 'invoice', 'INV-1', id)).rejects.toThrow('table down');
  });

  test('a pending attachment of a visible document is the attachment’s 404', async () => {
    const { deps, pending } = await portalWorld();
    await expect(downloadVisibleAttachment(deps, viewer('p1', 'c1'), 'invoice', 'INV-1', pending)).rejects.toThrow(new NotFound('No such attachment.'));
  });
});
