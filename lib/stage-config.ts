/**
 * A stage's settings, from the CDK context (`cdk.json`, overridable with `-c key=value`). Every key
 * has a working default in cdk.json; this module checks them so a typo fails the synth, not a deploy.
 */
import type { Node } from 'constructs';
import { DEFAULT_MAIL_RATE_PER_SECOND } from '../lambdas/contract/outbox';

export interface StageConfig {
  /** Names the stack and its event bus: `dev`, `prod`. */
  readonly stage: string;
  readonly region: string;
  /** The invitation email's From address; must belong to `sesIdentity`. */
  readonly senderEmail: string;
  readonly replyToEmail: string;
  /** The SES identity invitations are sent from: a domain or one email address. */
  readonly sesIdentity: string;
  /**
   * The customer portal's base URL (invitation links are `<portalUrl>/invitation?token=...`), when it
   * is not the portal's own CloudFront URL (the default): e.g. a domain of your own in front of it.
   */
  readonly portalUrl?: string;
  /**
   * The admin console's base URL, when it is not the console's own CloudFront URL (the default): e.g.
   * a domain of your own in front of it. The staff hosted UI returns there.
   */
  readonly adminUrl?: string;
  /**
   * Other browser origins of admin frontends (a developer's dev server, an intranet tool): allowed by
   * CORS, and as redirects of the staff hosted UI (`<origin>/callback`, `<origin>/`). The console
   * itself needs none: it calls the API under `/api/*` of its own origin.
   */
  readonly adminOrigins: readonly string[];
  /** Where else (besides the portal itself) the hosted UI may send customers after sign-in and sign-out. */
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /** `<prefix>.auth.<region>.amazoncognito.com`; unique per region across all AWS accounts. */
  readonly hostedUiDomainPrefix: string;
  /** The staff pool's hosted UI (a domain per pool): `<hostedUiDomainPrefix>-staff` unless given. */
  readonly staffHostedUiDomainPrefix: string;
  readonly invitationTtlDays: number;
  /** When a pending invitation gets its one reminder (a fresh link, and a notice to the inviter), in hours after it went out. */
  readonly reminderAfterHours: number;
  /** The business's name: in every invitation mail and as the sender's display name (`"<name>" <senderEmail>`). */
  readonly businessName: string;
  /** API Gateway default-stage throttling (requests per second, and burst). */
  readonly apiRateLimit: number;
  readonly apiBurstLimit: number;
  /** Retention of the functions' logs and the access logs. */
  readonly logRetentionDays: number;
  /**
   * Reserved (and so maximum) concurrency of each function anyone can invoke without a token (the
   * invitation acceptance): a flood of those can never take the concurrency the others need.
   */
  readonly publicFunctionConcurrency: number;
  /**
   * Invitation emails a second, across every outbox worker (the SES account's maximum send rate, or
   * less: SES's sandbox allows 1/s). Default 10.
   */
  readonly mailRatePerSecond: number;
  /** Where every alarm (errors, throttles, 5xx, dead letters, outbox lag, failing scheduled items, bounce and complaint rates) is mailed, by an SNS subscription; optional. */
  readonly alarmEmail?: string;
  /** The functions' application log level (`LOG_LEVEL`, which the code filters by; Lambda's own filter stays at INFO): DEBUG, INFO, WARN or ERROR. */
  readonly logLevel: LogLevel;
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const FALLBACK_REGION = 'eu-west-1';
/** The stage whose admin origins and hosted-UI redirects also include the `dev*` context keys (localhost). */
export const DEV_STAGE = 'dev';

export function stageConfigFromContext(node: Node): StageConfig {
  const text = (key: string): string => {
    const value: unknown = node.tryGetContext(key);
    if (typeof value !== 'string' || value.trim() === '') throw new Error(`Context "${key}" must be a non-empty string`);
    return value.trim();
  };
  const list = (key: string): string[] => {
    let value: unknown = node.tryGetContext(key);
    // `-c key=...` on the command line arrives as a string: a JSON array or a comma-separated list.
    if (typeof value === 'string') value = value.trim().startsWith('[') ? JSON.parse(value) : value.split(',');
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
      throw new Error(`Context "${key}" must be a non-empty list of strings`);
    }
    return value.map((v: string) => v.trim());
  };
  /** A list that may be absent (then empty). */
  const optionalList = (key: string): string[] => (node.tryGetContext(key) === undefined ? [] : list(key));
  const optionalText = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const count = (key: string): number => {
    const value = Number(node.tryGetContext(key));
    if (!Number.isInteger(value) || value <= 0) throw new Error(`Context "${key}" must be a positive integer`);
    return value;
  };
  const region: unknown = node.tryGetContext('region');
  const stage = text('stage');
  // A developer's machine (localhost) is an origin and a redirect target of the `dev` stage only,
  // unless a stage's own adminOrigins/callbackUrls/logoutUrls name it.
  const local = (key: 'devAdminOrigins' | 'devCallbackUrls' | 'devLogoutUrls') => (stage === DEV_STAGE ? optionalList(key) : []);
  const alarmEmail = optionalText('alarmEmail');
  const logLevel = (optionalText('logLevel') ?? 'INFO').toUpperCase();
  return checked({
    stage,
    // The context wins: the CDK CLI itself falls back to us-east-1 when no AWS profile names a region.
    region: typeof region === 'string' && region !== '' ? region : (process.env.CDK_DEFAULT_REGION ?? FALLBACK_REGION),
    senderEmail: text('senderEmail'),
    replyToEmail: text('replyToEmail'),
    sesIdentity: text('sesIdentity'),
    ...(node.tryGetContext('portalUrl') ? { portalUrl: originOf('portalUrl', text('portalUrl')) } : {}),
    ...(node.tryGetContext('adminUrl') ? { adminUrl: originOf('adminUrl', text('adminUrl')) } : {}),
    adminOrigins: [...optionalList('adminOrigins'), ...local('devAdminOrigins')].map((origin) => originOf('adminOrigins', origin)),
    callbackUrls: [...optionalList('callbackUrls'), ...local('devCallbackUrls')],
    logoutUrls: [...optionalList('logoutUrls'), ...local('devLogoutUrls')],
    hostedUiDomainPrefix: text('hostedUiDomainPrefix'),
    staffHostedUiDomainPrefix: optionalText('staffHostedUiDomainPrefix') ?? `${text('hostedUiDomainPrefix')}-staff`,
    invitationTtlDays: count('invitationTtlDays'),
    reminderAfterHours: count('reminderAfterHours'),
    businessName: text('businessName'),
    apiRateLimit: count('apiRateLimit'),
    apiBurstLimit: count('apiBurstLimit'),
    logRetentionDays: count('logRetentionDays'),
    publicFunctionConcurrency: count('publicFunctionConcurrency'),
    mailRatePerSecond: node.tryGetContext('mailRatePerSecond') === undefined ? DEFAULT_MAIL_RATE_PER_SECOND : count('mailRatePerSecond'),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    logLevel: logLevel as LogLevel,
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The origin a URL of the context names, as a browser writes it (`location.origin`, the `Origin`
 * header): the hosted UI's redirects and CORS compare exact strings, and the apps, served at the root
 * of their origin, return to `<origin>/callback` — `https://portal.example.com/` would make that
 * `https://portal.example.com//callback`, which Cognito refuses. A path (or query) is refused.
 * Not a URL at all: left to `checked`, which says so.
 */
function originOf(key: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (!/^https?:$/.test(url.protocol)) return value;
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new Error(`${key}: ${value} is not an origin (scheme, host and port only): the apps are served at the root of their origin`);
  }
  return url.origin;
}

/** Rules a deploy would otherwise break on, later and less clearly. */
export function checked(config: StageConfig): StageConfig {
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(config.stage)) throw new Error('stage: lower-case letters, digits and dashes, at most 20');
  for (const key of ['senderEmail', 'replyToEmail'] as const) {
    if (!EMAIL.test(config[key])) throw new Error(`${key}: not an email address`);
  }
  if (config.alarmEmail !== undefined && !EMAIL.test(config.alarmEmail)) throw new Error('alarmEmail: not an email address');
  if (!(LOG_LEVELS as readonly string[]).includes(config.logLevel)) throw new Error(`logLevel: one of ${LOG_LEVELS.join(', ')}`);
  const sender = config.senderEmail.toLowerCase();
  const identity = config.sesIdentity.toLowerCase();
  if (identity.includes('@') ? sender !== identity : !sender.endsWith(`@${identity}`)) {
    throw new Error(`senderEmail ${config.senderEmail} is not sent from the SES identity ${config.sesIdentity}`);
  }
  for (const url of [...(config.portalUrl === undefined ? [] : [config.portalUrl]), ...(config.adminUrl === undefined ? [] : [config.adminUrl]), ...config.callbackUrls, ...config.logoutUrls, ...config.adminOrigins]) {
    if (!/^https?:\/\/[^\s/]+/.test(url)) throw new Error(`${url}: not an http(s) URL`);
  }
  for (const key of ['hostedUiDomainPrefix', 'staffHostedUiDomainPrefix'] as const) {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(config[key]) || /aws|amazon|cognito/.test(config[key])) {
      throw new Error(`${key}: lower-case letters, digits and dashes, without aws, amazon or cognito`);
    }
  }
  // A mail header carries it (the sender's display name): one line of at most 100 characters.
  if (config.businessName.length > 100 || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(config.businessName))
    throw new Error('businessName: one line of at most 100 characters');
  if (config.hostedUiDomainPrefix === config.staffHostedUiDomainPrefix) throw new Error('staffHostedUiDomainPrefix: each pool needs a domain of its own');
  return config;
}
