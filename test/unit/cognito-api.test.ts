import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cognitoApi } from '../../lambdas/adapters/cognito/cognito-api';

/** A stand-in Cognito endpoint: records each request, answers from a queue of canned answers. */
const seen: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let answers: { status: number; body: unknown }[] = [];
let server: http.Server;
let endpoint: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.shift() ?? { status: 200, body: {} };
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

const api = () => cognitoApi({ region: 'eu-west-1', endpoint, credentials: async () => ({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' }) });

test('a call is an AWS JSON 1.1 POST signed for cognito-idp, every header it sends signed', async () => {
  answers = [{ status: 200, body: { Username: 'u1', Enabled: true } }];
  await expect(api().call('AdminGetUser', { UserPoolId: 'pool', Username: 'u1' })).resolves.toEqual({ Username: 'u1', Enabled: true });
  const { headers, body } = seen[0]!;
  expect(JSON.parse(body)).toEqual({ UserPoolId: 'pool', Username: 'u1' });
  expect(headers).toMatchObject({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.AdminGetUser', 'x-amz-security-token': 'token' });
  expect(headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/eu-west-1\/cognito-idp\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
  );
});

test('a refusal carries the SDK\'s error name and is not tried again; a throttle is', async () => {
  answers = [{ status: 400, body: { __type: 'UserNotFoundException', message: 'User does not exist.' } }];
  await expect(api().call('AdminGetUser', { UserPoolId: 'pool', Username: 'u1' })).rejects.toMatchObject({ name: 'UserNotFoundException', message: 'User does not exist.', $metadata: { httpStatusCode: 400 } });
  expect(seen).toHaveLength(1);
  answers = [{ status: 400, body: { __type: 'TooManyRequestsException', message: 'slow down' } }, { status: 200, body: {} }];
  await expect(api().call('AdminDisableUser', { UserPoolId: 'pool', Username: 'u1' })).resolves.toEqual({});
  expect(seen).toHaveLength(3);
});
