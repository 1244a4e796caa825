import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as deployment from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { WEB_APP_CONFIG_FILE, type WebAppConfig } from '../web-app-config';
import { contentSecurityPolicy, WEB_CACHE_CONTROL, WEB_HEADERS } from '../web-headers';

const WEB_ROOT = path.resolve(__dirname, '..', '..', 'web');
const ROOT = path.resolve(WEB_ROOT, '..');

/** Where a page reaches the API on its own origin: `<app>/api/...` → the HTTP API, prefix removed. */
export const API_PATH_PREFIX = '/api';

/**
 * The error statuses CloudFront keeps in its cache (10 s unless told otherwise) for GET and HEAD,
 * whatever the cache policy, and — but for 404, 414 and 501 — whatever the answer's
 * `Cache-Control: no-store` (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/custom-error-pages-expiration.html).
 * Under `/api/*` the cache key is the path alone (CachingDisabled names no header nor query string),
 * so one caller's 400, 403 or 503 would be every caller's answer on that path for those seconds.
 */
export const CLOUDFRONT_CACHED_ERRORS = [400, 403, 404, 405, 414, 500, 501, 502, 503, 504] as const;

export interface WebAppProps {
  /** The folder of web/ to build and serve (`portal`, `admin`). */
  readonly app: string;
  /** The HTTP API's domain (`<id>.execute-api.<region>.amazonaws.com`), served under `/api/*`. */
  readonly apiDomain: string;
  /** The hosted UI's origin (`https://<prefix>.auth.<region>.amazoncognito.com`), the only other origin the page may talk to. */
  readonly hostedUiOrigin: string;
  /** Other origins the page sends to (the admin console's presigned uploads: the attachments bucket's origin). */
  readonly uploadOrigins?: readonly string[];
  /** Where CloudFront's and S3's access logs go. */
  readonly logBucket: s3.IBucket;
  /**
   * Whether CloudFront keeps its standard logs of the viewers' requests, which record every URL in full
   * (path and query string) for as long as the log bucket keeps them. Off for an app whose URLs carry
   * bearer secrets — the portal's invitation links (`/invitation?token=`) and share links (`/s/<token>`,
   * `/api/shared/<token>`): anyone able to read the logs could accept a pending invitation and so take
   * the customer's login, or open a shared document. The HTTP API's own access log leaves the path out
   * for the same reason; CloudFront's metrics still count the requests and errors.
   */
  readonly viewerLogs: boolean;
}

/**
 * A web app of web/ in AWS: its build in a private S3 bucket (no public access, TLS only, encrypted)
 * behind CloudFront with origin access control, HTTPS only. Every response carries the same security
 * headers as locally (lib/web-headers.ts) plus HSTS. Paths that are not files of the app get
 * `index.html` (the app's router decides). The API is served under `/api/*` of the same origin, so
 * the page makes no cross-origin API call (no CORS for it, `connect-src 'self'`), and the
 * distribution's settings name the API while the API's need not name the distribution. No error
 * answer is cached (`CLOUDFRONT_CACHED_ERRORS`). `deploy(config)` uploads the build and its `/config.json`.
 */
export class WebApp extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  /** `https://<distribution domain>`. */
  readonly url: string;
  /** What `deploy` wrote to `/config.json` (deploy-time values as tokens). */
  config?: WebAppConfig;
  /** Whether CloudFront logs the viewers' requests (`WebAppProps.viewerLogs`). */
  readonly viewerLogs: boolean;
  private readonly app: string;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    this.app = props.app;
    this.viewerLogs = props.viewerLogs;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: `s3/${props.app}/`,
      // The build is redeployed from the repository at will: nothing in it needs keeping.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });

    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: `Security headers of the ${props.app} app`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy({ hostedUi: props.hostedUiOrigin, ...(props.uploadOrigins ? { uploads: props.uploadOrigins } : {}) }), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(WEB_HEADERS.hstsMaxAgeSeconds), includeSubdomains: true, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      },
      customHeadersBehavior: { customHeaders: [{ header: 'X-Robots-Tag', value: WEB_HEADERS.robots, override: true }] },
    });

    const spaFallback = new cloudfront.Function(this, 'PagesFunction', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Any path that is not a file of the app is a page: index.html',
      code: cloudfront.FunctionCode.fromInline(
        `function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('/assets/') !== 0 && request.uri !== '/${WEB_APP_CONFIG_FILE}') request.uri = '/index.html';
  return request;
}`,
      ),
    });
    const apiPrefix = new cloudfront.Function(this, 'ApiFunction', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: `${API_PATH_PREFIX}/x on this origin is /x of the HTTP API`,
      code: cloudfront.FunctionCode.fromInline(
        `function handler(event) {
  var request = event.request;
  request.uri = request.uri.substring(${API_PATH_PREFIX.length}) || '/';
  return request;
}`,
      ),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Portal Access: the ${props.app} app`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(props.viewerLogs ? { enableLogging: true, logBucket: props.logBucket, logFilePrefix: `cloudfront/${props.app}/` } : {}),
      // No error is kept: an error-caching TTL of 0 for each, and no page of ours (the API's problem+json, S3's 403, pass as they are).
      errorResponses: CLOUDFRONT_CACHED_ERRORS.map((httpStatus) => ({ httpStatus, ttl: Duration.seconds(0) })),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
        functionAssociations: [{ function: spaFallback, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [`${API_PATH_PREFIX}/*`]: {
          origin: new origins.HttpOrigin(props.apiDomain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY, originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2] }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // Nothing of the API is cached; with caching off, the viewer's headers (Authorization too) reach the API.
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
          functionAssociations: [{ function: apiPrefix, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * Uploads the app (built now, by `cdk synth`) and its runtime configuration, with the cache headers
   * the local server sends (S3 sends none of its own, and a browser would then keep an old
   * index.html as long as it likes): first the hashed files, kept for good, then index.html and
   * config.json, checked on every load; CloudFront forgets the old ones. `logs` is the deployment
   * function's log group (one function serves every app's deployment: give each the same group).
   * Returns the deployment that invalidates (`narrowInvalidations`).
   */
  deploy(config: WebAppConfig, logs: ILogGroup): deployment.BucketDeployment {
    this.config = config;
    const build = appBuild(this.app);
    const assets = new deployment.BucketDeployment(this, 'AssetsDeployment', {
      destinationBucket: this.bucket,
      sources: [build],
      exclude: ['*'],
      include: ['assets/*'],
      // Old hashed files stay: a page loaded before the deployment still finds its chunks.
      prune: false,
      cacheControl: [deployment.CacheControl.fromString(WEB_CACHE_CONTROL.hashedAsset)],
      memoryLimit: 512,
      logGroup: logs,
    });
    const pages = new deployment.BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      sources: [build, deployment.Source.jsonData(WEB_APP_CONFIG_FILE, config)],
      exclude: ['assets/*'],
      prune: false,
      cacheControl: [deployment.CacheControl.fromString(WEB_CACHE_CONTROL.page)],
      distribution: this.distribution,
      distributionPaths: ['/index.html', `/${WEB_APP_CONFIG_FILE}`],
      memoryLimit: 512,
      logGroup: logs,
    });
    // A new index.html only once the files it names are there.
    pages.node.addDependency(assets);
    return pages;
  }
}

/** The app built by web/build/build.ts into the asset's output folder (locally, no Docker). Its hash is the output's. */
function appBuild(app: string): deployment.ISource {
  return deployment.Source.asset(WEB_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    exclude: ['dist', 'shared/generated', 'node_modules'],
    bundling: {
      // Never used: the local build below either succeeds or fails the synth.
      image: DockerImage.fromRegistry('node:22-bookworm-slim'),
      // CDK reuses a bundling whose options (serialised: the function below is not) are the same, so
      // without the app's name here every app would get the first app's build.
      environment: { WEB_APP: app },
      local: {
        tryBundle(outputDir) {
          const build = spawnSync(process.execPath, ['--import', 'tsx', path.join(WEB_ROOT, 'build', 'build.ts'), '--app', app, '--out', outputDir, '--quiet'], {
            cwd: ROOT,
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          if (build.status !== 0) throw new Error(`The ${app} web app did not build (npm run web:build shows why).`);
          return true;
        },
      },
    },
  });
}

/**
 * aws-s3-deployment grants its (one, shared) function `cloudfront:CreateInvalidation` and
 * `GetInvalidation` on `*`, although both take a distribution's ARN: once every app is deployed,
 * that statement is narrowed to the apps' own distributions.
 */
export function narrowInvalidations(apps: readonly WebApp[], deployments: readonly deployment.BucketDeployment[]): void {
  const roles = new Set(deployments.map((d) => d.handlerRole));
  for (const role of roles) {
    const policy = role.node.findChild('DefaultPolicy') as iam.Policy;
    const statements = (Stack.of(policy).resolve(policy.document) as { Statement: { Action: string | string[] }[] }).Statement;
    const index = statements.findIndex((statement) => [statement.Action].flat().includes('cloudfront:CreateInvalidation'));
    if (index < 0) throw new Error('BucketDeployment no longer grants cloudfront:CreateInvalidation where narrowInvalidations expects it');
    (policy.node.defaultChild as iam.CfnPolicy).addPropertyOverride(
      `PolicyDocument.Statement.${index}.Resource`,
      apps.map((app) => app.distribution.distributionArn),
    );
  }
}

/** `<id>.execute-api.<region>.<suffix>` of an HTTP API, from its id (a deploy-time value). */
export const apiDomainOf = (scope: Construct, apiId: string): string => `${apiId}.execute-api.${Stack.of(scope).region}.${Stack.of(scope).urlSuffix}`;
