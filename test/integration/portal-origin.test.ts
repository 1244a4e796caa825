/** CORS of the local API, exact per path (lambdas/contract/cors.ts): the portal's origin may call only what a portal page calls. */
import { api, stack } from './support/stack';

const preflight = (path: string, origin: string, method = 'GET') =>
  api(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' } });

describe('CORS for the customer portal', () => {
  test('the portal origin may call /portal/*, /invitations/accept and /shared/*', async () => {
    const origin = new URL(stack().portalUrl).origin;
    for (const [path, method] of [['/portal/me', 'GET'], ['/portal/documents/invoice/x', 'GET'], ['/invitations/accept', 'POST'], ['/shared/abc', 'GET']] as const) {
      const res = await preflight(path, origin, method);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
    }
    const actual = await api('/portal/me', { headers: { origin } });
    expect(actual.status).toBe(401);
    // The page must be able to read the 401 (its title tells "access ended" from "session expired").
    expect(actual.headers['access-control-allow-origin']).toBe(origin);
  });

  test('the portal origin may not call the staff routes; the admin origins may', async () => {
    const portal = new URL(stack().portalUrl).origin;
    for (const path of ['/contacts', '/documents/invoice/x', '/contacts/x/portal-access']) {
      expect((await preflight(path, portal, 'POST')).headers['access-control-allow-origin']).toBeUndefined();
      expect((await api(path, { headers: { origin: portal } })).headers['access-control-allow-origin']).toBeUndefined();
    }
    expect((await preflight('/contacts', 'http://localhost:5173', 'POST')).headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect((await preflight('/portal/me', 'https://evil.example.com')).headers['access-control-allow-origin']).toBeUndefined();
  });
});
