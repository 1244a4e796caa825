/**
 * The local stack itself: public routes, the JWT authorizer per principal (as API Gateway's), the
 * method/path fallbacks, and the PutEvents endpoint.
 */
import { createSign } from 'node:crypto';
import fs from 'node:fs';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { adminToken, api, cognito, createStaffUser, deadLetters, eventually, events, signIn, stack, uniq } from './support/stack';

const PASSWORD = 'Corr3ct-Horse-Battery!';
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** Signs with cognito-local's own key, to build tokens that differ from a genuine one in one claim only. */
function forge(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: 'CognitoLocal' }): string {
  const key = (JSON.parse(fs.readFileSync(require.resolve('cognito-local/lib/keys/cognitoLocal.private.json'), 'utf8')) as { pem: string }).pem;
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key, 'base64url')}`;
}

const expectProblem = (response: { headers: Record<string, string>; body: { status?: number } }, status: number) => {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body.status).toBe(status);
};

async function customerTokens() {
  const email = `${uniq('customer')}@example.com`;
  const UserPoolId = stack().customerUserPoolId;
  await cognito().send(new AdminCreateUserCommand({ UserPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
  await cognito().send(new AdminSetUserPasswordCommand({ UserPoolId, Username: email, Password: PASSWORD, Permanent: true }));
  return signIn('customer', email, PASSWORD);
}

describe('public routes', () => {
  it('GET /health answers 200 JSON', async () => {
    const response = await api('/health');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('GET /openapi.json answers the OpenAPI 3.1 document', async () => {
    const response = await api('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toContain('/contacts/{id}/portal-access');
  });
});

describe('staff routes (JWT authorizer of the staff pool)', () => {
  it('the seeded admin signs in through cognito-local and lists contacts', async () => {
    const response = await api('/contacts', { token: await adminToken() });
    expect(response.status).toBe(200);
    expect(Array.isArray(response.body.items)).toBe(true);
  });

  it('no token is 401 problem+json with WWW-Authenticate', async () => {
    const response = await api('/contacts');
    expect(response.status).toBe(401);
    expectProblem(response, 401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('a garbage token or another scheme is 401', async () => {
    expect((await api('/contacts', { token: 'not-a-jwt' })).status).toBe(401);
    expect((await api('/contacts', { headers: { authorization: `Basic ${await adminToken()}` } })).status).toBe(401);
  });

  it('a customer-pool token is 401 on a staff route', async () => {
    const { accessToken } = await customerTokens();
    const response = await api('/contacts', { token: accessToken });
    expect(response.status).toBe(401);
    expectProblem(response, 401);
  });

  it('an ID token (not an access token) is 401', async () => {
    const { idToken } = await signIn('staff', stack().admin.username, stack().admin.password);
    expect((await api('/contacts', { token: idToken })).status).toBe(401);
  });

  it('accepts a token differing only in its signature source, refuses alg none, expiry, wrong client, altered payload', async () => {
    const genuine = claimsOf(await adminToken());
    // Control: a token we sign with the emulator's key and the genuine claims passes, so each refusal below is the claim's doing.
    expect((await api('/contacts', { token: forge(genuine) })).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    expect((await api('/contacts', { token: forge({ ...genuine, exp: now - 60 }) })).status).toBe(401);
    expect((await api('/contacts', { token: forge({ ...genuine, nbf: now + 600 }) })).status).toBe(401);
    expect((await api('/contacts', { token: forge({ ...genuine, client_id: stack().customerClientId }) })).status).toBe(401);
    expect((await api('/contacts', { token: forge({ ...genuine, iss: `${stack().cognitoEndpoint}/${stack().customerUserPoolId}` }) })).status).toBe(401);
    expect((await api('/contacts', { token: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(genuine)}.` })).status).toBe(401);
    const [header, , signature] = (await adminToken()).split('.');
    expect((await api('/contacts', { token: `${header}.${b64url({ ...genuine, username: 'someone-else' })}.${signature}` })).status).toBe(401);
  });

  it('a staff user outside portal-admins is 403', async () => {
    const username = uniq('clerk');
    await createStaffUser(username, PASSWORD, { admin: false });
    const { accessToken } = await signIn('staff', username, PASSWORD);
    const response = await api('/contacts', { token: accessToken });
    expect(response.status).toBe(403);
    expectProblem(response, 403);
  });
});

describe('portal routes (JWT authorizer of the customer pool)', () => {
  it('a staff token on /portal/me is 401', async () => {
    const response = await api('/portal/me', { token: await adminToken() });
    expect(response.status).toBe(401);
    expectProblem(response, 401);
  });

  it('POST /portal/documents is 405 with Allow: GET', async () => {
    const response = await api('/portal/documents', { method: 'POST', body: {}, token: (await customerTokens()).accessToken });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET');
    expectProblem(response, 405);
  });
});

describe('fallbacks and limits', () => {
  it('PUT /contacts is 405 with the allowed methods', async () => {
    const response = await api('/contacts', { method: 'PUT', body: {}, token: await adminToken() });
    expect(response.status).toBe(405);
    expect(response.headers.allow?.split(/,\s*/).sort()).toEqual(['GET', 'POST']);
    expectProblem(response, 405);
  });

  it('an unknown path is 404 problem+json', async () => {
    const response = await api('/no-such-thing');
    expect(response.status).toBe(404);
    expectProblem(response, 404);
  });

  it('a body over 10 MiB is 413 problem+json', async () => {
    const response = await api('/contacts', { method: 'POST', rawBody: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20), contentType: 'application/json', token: await adminToken() });
    expect(response.status).toBe(413);
    expectProblem(response, 413);
  });

  it('answers the CORS preflight of the admin frontend origin', async () => {
    const response = await api('/contacts', { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(response.headers['access-control-allow-methods']).toContain('POST');
  });
});

describe('the local PutEvents endpoint', () => {
  const client = () => new EventBridgeClient({ region: stack().region, endpoint: stack().eventsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

  it("takes the SDK's PutEventsCommand and lists the event", async () => {    const marker = uniq('marker');
    const answer = await client().send(
      new PutEventsCommand({ Entries: [{ EventBusName: stack().eventBusName, Source: 'test.foundation', DetailType: 'FoundationProbe', Detail: JSON.stringify({ marker }) }] }),
    );
    expect(answer.FailedEntryCount).toBe(0);
    const eventId = answer.Entries?.[0]?.EventId;
    expect(eventId).toEqual(expect.any(String));
    const received = await eventually(async () => {
      const found = (await events()).find((e) => e.id === eventId);
      if (!found) throw new Error('not yet');
      return found;
    });
    expect(received).toMatchObject({ source: 'test.foundation', 'detail-type': 'FoundationProbe', detail: { marker } });
  });

  it('refuses entries for an unknown bus or with malformed detail, one by one', async () => {
    const answer = await client().send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'no-such-bus', Source: 'test.foundation', DetailType: 'Probe', Detail: '{}' },
          { EventBusName: stack().eventBusName, Source: 'test.foundation', DetailType: 'Probe', Detail: 'not json' },
          { EventBusName: stack().eventBusName, Source: 'test.foundation', DetailType: 'Probe', Detail: '{}' },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries?.map((e) => (e.EventId ? 'ok' : e.ErrorCode))).toEqual(['ResourceNotFoundException', 'MalformedDetail', 'ok']);
  });

  it('takes 1 to 10 entries a request, as PutEvents in AWS: none or 11 is a ValidationException and puts nothing', async () => {
    const marker = uniq('batch');
    const entry = (i: number) => ({ EventBusName: stack().eventBusName, Source: 'test.foundation', DetailType: 'BatchProbe', Detail: JSON.stringify({ marker, i }) });
    const refusal = (Entries: ReturnType<typeof entry>[] | undefined) =>
      client()
        .send(new PutEventsCommand({ Entries }))
        .then(
          (answer) => ({ answered: answer.Entries?.length }),
          (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => ({ name: error.name, status: error.$metadata?.httpStatusCode }),
        );
    const eleven = Array.from({ length: 11 }, (_, i) => entry(i));
    expect(await refusal(eleven)).toEqual({ name: 'ValidationException', status: 400 });
    expect(await refusal([])).toEqual({ name: 'ValidationException', status: 400 });
    expect(await refusal(undefined)).toEqual({ name: 'ValidationException', status: 400 });
    // Ten is the most a request holds, and each of them is put.
    expect(await refusal(eleven.slice(0, 10))).toEqual({ answered: 10 });
    const received = await eventually(async () => {
      const found = (await events()).filter((e) => (e.detail as { marker?: string }).marker === marker);
      if (found.length < 10) throw new Error('not yet');
      return found;
    });
    expect(received.map((e) => (e.detail as { i: number }).i).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('delivers a matching event to the events handler and keeps what it finally refused in the local DLQ', async () => {
    // Both ids at once is refused by the handler's strict schema, on every retry.
    const answer = await client().send(
      new PutEventsCommand({
        Entries: [{ EventBusName: stack().eventBusName, Source: 'test.crm', DetailType: 'PortalAccessRevocationRequested', Detail: JSON.stringify({ contactId: uniq('c'), companyId: uniq('co') }) }],
      }),
    );
    const eventId = answer.Entries?.[0]?.EventId;
    const dead = await eventually(
      async () => {
        const found = (await deadLetters()).find((d) => d.event.id === eventId);
        if (!found) throw new Error('not in the DLQ yet');
        return found;
      },
      { timeoutMs: 20_000 },
    );
    expect(dead).toMatchObject({ rule: 'AccessRequests', attempts: 3, event: { source: 'test.crm', 'detail-type': 'PortalAccessRevocationRequested' } });
  });
});
