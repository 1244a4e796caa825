/**
 * Event-driven revocation, end to end on the local stack: a company's contacts are granted portal
 * access through the wizard, accept the emailed invitation and sign in; another system then puts
 * `PortalAccessRevocationRequested { companyId }` on the bus with the AWS SDK, and the portal refuses
 * their (still unexpired) tokens within 5 seconds. The audit trail names the event; the same event
 * again changes nothing.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { adminToken, api, deadLetters, emails, events, eventually, settled, signIn, stack, uniq } from './support/stack';

// Grants, invitations and sign-ins against the emulators take seconds (the project's testTimeout is not applied per project).
jest.setTimeout(60_000);

const SOURCE = 'billing.integration-test';
const PASSWORD = 'Events-Test-Pw-1!';

interface Contact {
  id: string;
  version: number;
  portal: { status: string };
}
interface AuditItem {
  at: string;
  actor: string;
  action: string;
  contactId: string;
  details: Record<string, unknown>;
}

let staff: string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function eventBridge() {
  const s = stack();
  return new EventBridgeClient({ region: s.region, endpoint: s.eventsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

async function putRevocation(detail: Record<string, unknown>): Promise<string> {
  const s = stack();
  const out = await eventBridge().send(
    new PutEventsCommand({
      Entries: [{ EventBusName: s.eventBusName, Source: SOURCE, DetailType: 'PortalAccessRevocationRequested', Detail: JSON.stringify(detail) }],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  const id = out.Entries?.[0]?.EventId;
  expect(id).toEqual(expect.any(String));
  return id as string;
}

async function create(body: Record<string, unknown>): Promise<Contact> {
  const res = await api('/contacts', { method: 'POST', body, token: staff });
  expect(res.status).toBe(201);
  return res.body as Contact;
}

const getContact = async (id: string): Promise<Contact> => {
  const res = await api(`/contacts/${id}`, { token: staff });
  expect(res.status).toBe(200);
  return res.body as Contact;
};

async function audit(contactId: string): Promise<AuditItem[]> {
  const res = await api(`/contacts/${contactId}/audit?limit=100`, { token: staff });
  expect(res.status).toBe(200);
  return (res.body as { items: AuditItem[] }).items;
}

/** The invitation link's token from the newest email the SES emulator holds for `email`. */
async function invitationToken(email: string): Promise<string> {
  // The outbox sends it within seconds of the grant.
  for (let attempt = 0; attempt < 300; attempt++) {
    const mail = (await emails()).filter((m) => m.destination.to.some((to) => to.toLowerCase().includes(email))).at(-1);
    const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? mail?.body.html ?? '')?.[1];
    if (token) return token;
    await sleep(100);
  }
  throw new Error(`no invitation email for ${email}`);
}

const portalMe = (token: string) => api('/portal/me', { token });

/** Polls until every token is refused, or `ms` have passed; answers the statuses seen last. */
async function statusesWithin(tokens: string[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let statuses: number[] = [];
  do {
    statuses = await Promise.all(tokens.map(async (t) => (await portalMe(t)).status));
    if (statuses.every((s) => s === 401)) return statuses;
    await sleep(100);
  } while (Date.now() < deadline);
  return statuses;
}

beforeAll(async () => {
  staff = await adminToken();
});

describe('PortalAccessRevocationRequested { companyId } on the bus', () => {
  const users: Array<{ contact: Contact; email: string; token: string }> = [];
  let company: Contact;
  let outsider: { contact: Contact; token: string };

  beforeAll(async () => {
    const tag = uniq('events');
    company = await create({ kind: 'company', name: `Events Co ${tag}` });
    const other = await create({ kind: 'company', name: `Other Co ${tag}` });
    const people = [
      { companyId: company.id, name: `Ada ${tag}`, email: `ada.${tag}@example.com` },
      { companyId: company.id, name: `Ben ${tag}`, email: `ben.${tag}@example.com` },
      { companyId: other.id, name: `Out ${tag}`, email: `out.${tag}@example.com` },
    ];
    const contacts = await Promise.all(people.map((p) => create({ kind: 'person', ...p })));

    // Grant through each company's wizard, accept the emailed invitation, sign in.
    for (const [wizard, members] of [
      [company, contacts.slice(0, 2)],
      [other, contacts.slice(2)],
    ] as const) {
      const res = await api(`/contacts/${wizard.id}/portal-access`, {
        method: 'POST',
        token: staff,
        body: { lines: members.map((m) => ({ contactId: m.id, inPortal: true })) },
      });
      expect(res.status).toBe(200);
      expect((res.body as { results: Array<{ outcome: string }> }).results.map((r) => r.outcome)).toEqual(members.map(() => 'granted'));
    }
    const signedIn = await Promise.all(
      contacts.map(async (contact, i) => {
        const email = (people[i] as { email: string }).email;
        const accepted = await api('/invitations/accept', { method: 'POST', body: { token: await invitationToken(email), password: PASSWORD } });
        expect(accepted.status).toBe(204);
        const { accessToken: token } = await signIn('customer', email, PASSWORD);
        expect((await portalMe(token)).status).toBe(200);
        return { contact: await getContact(contact.id), email, token };
      }),
    );
    users.push(...signedIn.slice(0, 2));
    outsider = signedIn[2] as { contact: Contact; token: string };
  });

  it('refuses every portal user of the company within 5 s, audited with the event as the actor; a repeat changes nothing', async () => {
    // Tokens that work a moment before.
    for (const user of users) expect((await portalMe(user.token)).status).toBe(200);

    const started = Date.now();
    await putRevocation({ companyId: company.id, reason: 'account blocked' });
    const statuses = await statusesWithin(
      users.map((u) => u.token),
      5000,
    );
    expect(statuses).toEqual(users.map(() => 401));
    expect(Date.now() - started).toBeLessThan(5000);

    // Another company's user is untouched.
    expect((await portalMe(outsider.token)).status).toBe(200);

    const before = await Promise.all(
      users.map(async (u) => {
        const contact = await getContact(u.contact.id);
        expect(contact.portal.status).toBe('revoked');
        const trail = await audit(u.contact.id);
        expect(trail).toContainEqual(expect.objectContaining({ action: 'portal.revoked', actor: `event:${SOURCE}`, contactId: u.contact.id }));
        expect(trail.find((a) => a.action === 'portal.revoked')?.details).toMatchObject({ reason: 'account blocked' });
        return { contact, trail };
      }),
    );

    // The same event again: delivered asynchronously, so give it the time the first one needed, and more.
    const repeat = await putRevocation({ companyId: company.id, reason: 'account blocked' });
    await sleep(Math.max(3000, 2 * (Date.now() - started)));
    for (const [i, user] of users.entries()) {
      expect(await getContact(user.contact.id)).toEqual(before[i]?.contact);
      expect(await audit(user.contact.id)).toEqual(before[i]?.trail);
      expect((await portalMe(user.token)).status).toBe(401);
    }
    // It was consumed, not dead-lettered.
    expect((await deadLetters()).map((d) => d.event.id)).not.toContain(repeat);
  });
});

describe('SES feedback on the default bus', () => {
  async function putSes(detailType: string, detail: Record<string, unknown>): Promise<void> {
    // Only SES may put `aws.ses` events on AWS; the local endpoint lets the test stand in for it.
    const out = await eventBridge().send(new PutEventsCommand({ Entries: [{ Source: 'aws.ses', DetailType: detailType, Detail: JSON.stringify(detail) }] }));
    expect(out.FailedEntryCount).toBe(0);
  }

  /** SES's `mail` of an invitation: SES tags each event with the configuration set it was sent through. */
  const sentMail = (messageId: string, to: string, configurationSet = stack().sesConfigurationSet) => ({
    messageId,
    destination: [to],
    tags: { 'ses:configuration-set': [configurationSet] },
  });

  async function invited(tag: string, name: string): Promise<{ contact: Contact; email: string }> {
    const email = `${name}.${tag}@example.com`;
    const contact = await create({ kind: 'person', name: `${name} ${tag}`, email });
    const res = await api(`/contacts/${contact.id}/portal-access`, { method: 'POST', token: staff, body: { lines: [{ contactId: contact.id, inPortal: true }] } });
    expect(res.status).toBe(200);
    // SES reports on a mail it sent: the outbox sends it first.
    await settled(contact.id);
    return { contact, email };
  }

  async function lineWithin(contactId: string, delivery: string, ms = 5000): Promise<Record<string, unknown> | undefined> {
    const deadline = Date.now() + ms;
    let line: Record<string, unknown> | undefined;
    do {
      const res = await api(`/contacts/${contactId}/portal-access`, { token: staff });
      line = (res.body as { lines: Array<Record<string, unknown>> }).lines.find((l) => l.contactId === contactId);
      if (line?.delivery === delivery) return line;
      await sleep(100);
    } while (Date.now() < deadline);
    return line;
  }

  it('a hard bounce marks the invitation bounced, in the wizard line and the audit trail; a complaint, complained', async () => {
    const tag = uniq('ses');
    const bounced = await invited(tag, 'bounce');
    const complained = await invited(tag, 'complaint');
    const mail = (to: string) => sentMail(`msg-${tag}`, to);

    await putSes('Email Bounced', {
      eventType: 'Bounce',
      mail: mail(bounced.email),
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: bounced.email.toUpperCase() }] },
    });
    await putSes('Email Complaint Received', {
      eventType: 'Complaint',
      mail: mail(complained.email),
      complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: complained.email }] },
    });

    expect(await lineWithin(bounced.contact.id, 'bounced')).toMatchObject({ status: 'invited', delivery: 'bounced' });
    expect(await lineWithin(complained.contact.id, 'complained')).toMatchObject({ delivery: 'complained' });
    expect(await audit(bounced.contact.id)).toContainEqual(
      expect.objectContaining({ action: 'invitation.bounced', actor: 'event:aws.ses', details: expect.objectContaining({ email: bounced.email, bounceType: 'Permanent' }) }),
    );
    expect(await audit(complained.contact.id)).toContainEqual(expect.objectContaining({ action: 'invitation.complained', actor: 'event:aws.ses' }));
  });

  it('a transient bounce changes nothing', async () => {
    const tag = uniq('soft');
    const soft = await invited(tag, 'soft');
    const before = { line: await lineWithin(soft.contact.id, 'sent', 0), trail: await audit(soft.contact.id) };
    await putSes('Email Bounced', {
      eventType: 'Bounce',
      mail: sentMail(`msg-${tag}`, soft.email),
      bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: soft.email }] },
    });
    await sleep(1500);
    expect(await lineWithin(soft.contact.id, 'sent', 0)).toEqual(before.line);
    expect(await audit(soft.contact.id)).toEqual(before.trail);
  });

  it('locally, a hand-made bounce that names no configuration set stands for one of ours (the local SES publishes none; SES tags each)', async () => {
    const tag = uniq('untagged');
    const plain = await invited(tag, 'plain');
    await putSes('Email Bounced', {
      eventType: 'Bounce',
      mail: { messageId: `msg-${tag}`, destination: [plain.email] },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: plain.email }] },
    });
    expect(await lineWithin(plain.contact.id, 'bounced')).toMatchObject({ delivery: 'bounced' });
    const received = (await events()).find((e) => e.source === 'aws.ses' && e.detail.mail?.messageId === `msg-${tag}`);
    expect(received?.detail.mail.tags).toEqual({ 'ses:configuration-set': [stack().sesConfigurationSet] });
    // Nor does one without `mail` at all, its recipients in the complaint alone.
    const bare = await invited(tag, 'bare');
    await putSes('Email Complaint Received', { eventType: 'Complaint', complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: bare.email }] } });
    expect(await lineWithin(bare.contact.id, 'complained')).toMatchObject({ delivery: 'complained' });
  });

  it("a hard bounce of mail sent through another configuration set (another stage's, another application's) changes nothing", async () => {
    const tag = uniq('other');
    const other = await invited(tag, 'other');
    const before = { line: await lineWithin(other.contact.id, 'sent', 0), trail: await audit(other.contact.id) };
    await putSes('Email Bounced', {
      eventType: 'Bounce',
      mail: sentMail(`msg-${tag}`, other.email, `${stack().sesConfigurationSet}-elsewhere`),
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: other.email }] },
    });
    await sleep(1500);
    expect(await lineWithin(other.contact.id, 'sent', 0)).toEqual(before.line);
    expect(await audit(other.contact.id)).toEqual(before.trail);
  });
});

describe("a revocation request's reason is the sender's free text", () => {
  /** A person of its own, granted through the wizard, invitation accepted, signed in. */
  async function portalUser(tag: string): Promise<{ contact: Contact; token: string }> {
    const email = `${tag}@example.com`;
    const contact = await create({ kind: 'person', name: `Reason ${tag}`, email });
    const res = await api(`/contacts/${contact.id}/portal-access`, { method: 'POST', token: staff, body: { lines: [{ contactId: contact.id, inPortal: true }] } });
    expect(res.status).toBe(200);
    const accepted = await api('/invitations/accept', { method: 'POST', body: { token: await invitationToken(email), password: PASSWORD } });
    expect(accepted.status).toBe(204);
    const { accessToken: token } = await signIn('customer', email, PASSWORD);
    expect((await portalMe(token)).status).toBe(200);
    return { contact, token };
  }

  it('a reason over several lines, an empty or a null one, still revokes: refused by the portal, audited, announced once', async () => {
    const multiline = await portalUser(uniq('reason-lines'));
    const empty = await portalUser(uniq('reason-empty'));
    const none = await portalUser(uniq('reason-null'));
    const reason = 'Contract terminated.\r\nSee ticket 4711.\n\tCustomer informed.';
    const ids = [
      await putRevocation({ contactId: multiline.contact.id, reason }),
      await putRevocation({ contactId: empty.contact.id, reason: '' }),
      await putRevocation({ contactId: none.contact.id, reason: null }),
    ];

    expect(await statusesWithin([multiline.token, empty.token, none.token], 5000)).toEqual([401, 401, 401]);
    const revoked = async (contactId: string) => (await audit(contactId)).filter((a) => a.action === 'portal.revoked');
    expect(await revoked(multiline.contact.id)).toEqual([expect.objectContaining({ actor: `event:${SOURCE}`, details: expect.objectContaining({ reason }) })]);
    for (const user of [empty, none]) {
      const [entry, ...more] = await revoked(user.contact.id);
      expect(more).toEqual([]);
      expect(entry).toMatchObject({ actor: `event:${SOURCE}` });
      expect(entry?.details).not.toHaveProperty('reason');
    }
    for (const user of [multiline, empty, none]) {
      const announced = await eventually(async () => {
        const found = (await events()).filter((e) => e.source === 'portal.access' && e['detail-type'] === 'PortalAccessRevoked' && e.detail.contactId === user.contact.id);
        if (found.length === 0) throw new Error('not announced yet');
        return found;
      });
      expect(announced).toHaveLength(1);
    }
    expect((await deadLetters()).map((d) => d.event.id).filter((id) => ids.includes(id))).toEqual([]);
  });

  it('a reason over 1000 characters or with control characters, and fields it does not read, still revoke: the reason cut and cleaned', async () => {
    const long = await portalUser(uniq('reason-long'));
    const odd = await portalUser(uniq('reason-odd'));
    const ids = [
      await putRevocation({ contactId: long.contact.id, reason: `Contract ended. ${'x'.repeat(5000)}`, requestedBy: 'crm-user-7' }),
      await putRevocation({ contactId: odd.contact.id, reason: 'unpaid\u0000\u001b invoices', ticket: 4711 }),
    ];

    expect(await statusesWithin([long.token, odd.token], 5000)).toEqual([401, 401]);
    const reasonOf = async (contactId: string) => (await audit(contactId)).filter((a) => a.action === 'portal.revoked').map((a) => a.details.reason);
    expect(await reasonOf(long.contact.id)).toEqual([`Contract ended. ${'x'.repeat(1000 - 17)}…`]);
    expect(await reasonOf(odd.contact.id)).toEqual(['unpaid   invoices']);
    expect((await deadLetters()).map((d) => d.event.id).filter((id) => ids.includes(id))).toEqual([]);
  });
});

describe('events the handler cannot use', () => {
  it('a malformed event ends in the dead-letter list with a clear error; one about an unknown contact is dropped', async () => {
    const malformed = await putRevocation({ contactId: 'c-1', companyId: 'co-1' });
    const unknown = await putRevocation({ contactId: uniq('ghost') });
    const letter = await eventually(
      async () => {
        const found = (await deadLetters()).find((d) => d.event.id === malformed);
        if (!found) throw new Error('not dead-lettered yet');
        return found;
      },
      { timeoutMs: 15_000 },
    );
    expect(letter.error).toEqual({ name: 'RejectedEvent', message: expect.stringContaining('must name exactly one of contactId and companyId') });
    // Put after the malformed one: had it failed too, it would be dead-lettered just after it.
    await sleep(1000);
    expect((await deadLetters()).map((d) => d.event.id)).not.toContain(unknown);
  });
});

describe('a PutEvents request the bus cannot read', () => {
  it('is a 400 SerializationException, never a 500, and puts nothing on the bus', async () => {
    const s = stack();
    const put = async (body: string) => {
      const res = await fetch(s.eventsEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' }, body });
      return { status: res.status, type: ((await res.json()) as { __type?: string }).__type };
    };
    const entry = { Source: SOURCE, DetailType: 'PortalAccessRevocationRequested', Detail: JSON.stringify({ contactId: uniq('nobody') }), EventBusName: s.eventBusName };
    // A good entry beside the bad one: the request is refused as a whole, as EventBridge refuses it.
    const beside = (bad: Record<string, unknown>) => JSON.stringify({ Entries: [entry, { ...entry, ...bad }] });
    for (const body of ['null', '[]', '"x"', '{"Entries":{}}', JSON.stringify({ Entries: [entry, null] }), JSON.stringify({ Entries: [entry, 1] }), beside({ Source: 1 }), beside({ Detail: { contactId: 'x' } }), beside({ Resources: 'arn' })])
      expect({ body, ...(await put(body)) }).toEqual({ body, status: 400, type: 'SerializationException' });
    expect((await events()).filter((e) => e.source === SOURCE && JSON.stringify(e.detail) === entry.Detail)).toEqual([]);
    expect(await put(JSON.stringify({ Entries: [entry] }))).toEqual({ status: 200, type: undefined });
    expect((await events()).filter((e) => e.source === SOURCE && JSON.stringify(e.detail) === entry.Detail)).toHaveLength(1);
  });
});
