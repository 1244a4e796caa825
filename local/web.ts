/**
 * The web side of the local stack: each built app (web/dist/<app>) on its own origin with its
 * `/config.json`, and the hosted-UI stand-in both pools sign in through. The customer portal at
 * `PORTAL_PORT`; the admin console at `ADMIN_PORT` (customers' pool and staff pool respectively);
 * the stand-in at `HOSTED_UI_PORT`. The CORS origins of the API follow from these
 * (lambdas/contract/cors.ts).
 */
import type http from 'node:http';
import { PASSWORD_POLICY } from '../lambdas/contract/password-policy';
import type { CorsOrigins } from '../lambdas/contract/cors';
import { webAppConfig } from '../lib/web-app-config';
import { originOf } from '../lib/web-headers';
import { distOf } from '../web/build/dist';
import type { Pools } from './cognito';
import { createHostedUi, type HostedUiClient } from './hosted-ui';
import type { LocalOptions } from './options';
import { createWebServer } from './web-server';

export interface Web {
  readonly hostedUiUrl: string;
  readonly adminUrl?: string;
  readonly corsOrigins: CorsOrigins;
  stop(): Promise<void>;
}

export interface WebInput {
  readonly options: LocalOptions;
  readonly apiUrl: string;
  readonly portalUrl: string;
  readonly cognitoEndpoint: string;
  readonly pools: Pools;
  /** The apps that were built. */
  readonly apps: readonly string[];
  /** Where the admin console's uploads go besides the API (the S3 emulator of the attachments issue): its CSP allows them. */
  readonly uploadOrigins?: readonly string[];
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

export async function startWeb({ options, apiUrl, portalUrl, cognitoEndpoint, pools, apps, uploadOrigins = [] }: WebInput): Promise<Web> {
  const { host } = options;
  const hostedUiUrl = `http://${host}:${options.hostedUiPort}`;
  const adminUrl = apps.includes('admin') ? `http://${host}:${options.adminPort}` : undefined;
  // Invitation links may point elsewhere (PORTAL_URL, e.g. a dev server): that origin signs in and calls the API too.
  const portalOrigins = [...new Set([portalUrl, process.env.PORTAL_URL].filter((u): u is string => !!u).map(originOf))];
  const adminOrigins = [...new Set([...options.adminOrigins, ...(adminUrl ? [adminUrl] : [])].map(originOf))];

  const clients: HostedUiClient[] = [
    {
      poolName: 'customers',
      userPoolId: pools.customerUserPoolId,
      clientId: pools.customerClientId,
      usernameLabel: 'Email',
      callbackUrls: portalOrigins.map((o) => `${o}/callback`),
      logoutUrls: portalOrigins.map((o) => `${o}/`),
    },
    {
      poolName: 'staff',
      userPoolId: pools.staffUserPoolId,
      clientId: pools.staffClientId,
      usernameLabel: 'Username',
      callbackUrls: adminOrigins.map((o) => `${o}/callback`),
      logoutUrls: adminOrigins.map((o) => `${o}/`),
    },
  ];
  const servers: http.Server[] = [createHostedUi({ url: hostedUiUrl, cognitoEndpoint, region: options.region, clients, quiet: options.quiet })];
  const csp = { api: originOf(apiUrl), hostedUi: originOf(hostedUiUrl) };
  const site = (app: string, userPoolId: string, clientId: string, uploads: readonly string[] = []) =>
    createWebServer({
      root: distOf(app),
      csp: uploads.length ? { ...csp, uploads: uploads.map(originOf) } : csp,
      quiet: options.quiet,
      config: webAppConfig({ apiUrl, region: options.region, userPoolId, clientId, authority: `${cognitoEndpoint}/${userPoolId}`, hostedUiUrl, passwordPolicy: PASSWORD_POLICY }),
    });
  servers.push(site('portal', pools.customerUserPoolId, pools.customerClientId));
  if (adminUrl) servers.push(site('admin', pools.staffUserPoolId, pools.staffClientId, uploadOrigins));

  const [hostedUi, portal, admin] = servers;
  await listen(hostedUi!, options.hostedUiPort, host);
  await listen(portal!, options.portalPort, host);
  if (admin) await listen(admin, options.adminPort, host);

  return {
    hostedUiUrl,
    ...(adminUrl ? { adminUrl } : {}),
    corsOrigins: { admin: adminOrigins, portal: portalOrigins },
    async stop() {
      servers.forEach((s) => s.closeAllConnections?.());
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
