/**
 * One CORS definition (lambdas/contract/cors.ts) serves API Gateway and the local server: what the
 * synthesized HTTP API allows is exactly what the local server answers to a browser's preflight.
 */
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import type { PoolAuthorizer } from '../../local/authorizer';
import { createApiServer } from '../../local/server';
import { synthTemplate, TEST_CONFIG } from './portal-stack';

interface CorsConfiguration {
  AllowOrigins: string[];
  AllowMethods: string[];
  AllowHeaders: string[];
  ExposeHeaders: string[];
  MaxAge: number;
}

const refuseAll: PoolAuthorizer = {
  issuer: 'none',
  verify: async () => {
    throw new Error('no token is checked in a preflight');
  },
};

let server: http.Server;
let base: string;
let cors: CorsConfiguration;

beforeAll(async () => {
  const apis = Object.values(synthTemplate().template.findResources('AWS::ApiGatewayV2::Api'));
  expect(apis).toHaveLength(1);
  cors = (apis[0] as { Properties: { CorsConfiguration: CorsConfiguration } }).Properties.CorsConfiguration;
  server = createApiServer({ authorizers: { staff: refuseAll, customer: refuseAll }, origins: { admin: TEST_CONFIG.adminOrigins, portal: [] }, functionPrefix: 'cors-test', quiet: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const preflight = (origin: string, path = '/contacts') =>
  fetch(`${base}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,if-match' },
  });

/** A header's comma-separated list, as a sorted set (header names are case-insensitive). */
const list = (value: string | null | undefined, caseless = false) =>
  [...new Set((value ?? '').split(',').map((v) => v.trim()).filter(Boolean).map((v) => (caseless ? v.toLowerCase() : v)))].sort();

describe('CORS: API Gateway and the local server answer alike', () => {
  it('allows each configured origin with the same methods, headers, exposed headers and max-age', async () => {
    expect(cors.AllowOrigins).toEqual([...TEST_CONFIG.adminOrigins]);
    for (const origin of TEST_CONFIG.adminOrigins) {
      const response = await preflight(origin);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(list(response.headers.get('access-control-allow-methods'))).toEqual(list(cors.AllowMethods.join(',')));
      expect(list(response.headers.get('access-control-allow-headers'), true)).toEqual(list(cors.AllowHeaders.join(','), true));
      expect(list(response.headers.get('access-control-expose-headers'), true)).toEqual(list(cors.ExposeHeaders.join(','), true));
      expect(Number(response.headers.get('access-control-max-age'))).toBe(cors.MaxAge);
    }
  });

  it('lets the browser apps read what they need: the version, a location, Allow, Retry-After and the request id', () => {
    expect(list(cors.ExposeHeaders.join(','), true)).toEqual(['allow', 'etag', 'location', 'retry-after', 'x-request-id']);
  });

  it('answers an origin that is not configured without any CORS header, as API Gateway does', async () => {
    expect(cors.AllowOrigins).not.toContain('https://evil.example.com');
    const response = await preflight('https://evil.example.com');
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});
