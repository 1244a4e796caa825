import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiWideOrigins, CORS, type CorsOrigins } from '../../lambdas/contract/cors';
import { allowedMethods, READ_ONLY_PREFIX, ROUTES, routeKey, type FunctionName, type Principal } from '../../lambdas/contract/routes';
import type { TokenIssuer } from './identity';

export interface HttpApiProps {
  readonly functions: Readonly<Record<FunctionName, IFunction>>;
  readonly staff: TokenIssuer;
  readonly customer: TokenIssuer;
  /** The admin console's and the customer portal's origins (CORS, lambdas/contract/cors.ts). */
  readonly origins: CorsOrigins;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: logs.RetentionDays;
}

/** One line of JSON per request in the access log. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  // The invoked function's request id: the answer's `x-request-id`, and `requestId` on the function's log lines.
  functionRequestId: '$context.awsEndpointRequestId',
  time: '$context.requestTime',
  // The connection's address: for the apps' requests (through their CloudFront, `/api/*`) a CloudFront edge's, not the browser's.
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  // No `$context.path`: a share link's path is its secret (`/shared/<token>`). The route key names the route.
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
};

/**
 * The HTTP API, built from the route table: each route on its area's function, behind the JWT
 * authorizer of its principal. Every other method on a known path, anything else under `/portal`,
 * and any unknown path go to the `system` function, which answers 405 (with `Allow`) or 404.
 */
export class HttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** Routes without an authorizer: the contract's public routes and the 405/404 fallbacks. */
  readonly unauthenticatedRoutes: apigw.HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Portal Access: contacts, portal access, documents, the customer portal and the admin console',
      createDefaultStage: false,
      // One CORS configuration for the whole API: both origin lists, API-wide (why that is safe:
      // lambdas/contract/cors.ts); none at all when no origin needs it (the apps use /api/* of their own).
      ...(apiWideOrigins(props.origins).length === 0
        ? {}
        : {
            corsPreflight: {
              allowOrigins: apiWideOrigins(props.origins),
              allowMethods: CORS.allowMethods.map((method) => apigw.CorsHttpMethod[method]),
              allowHeaders: [...CORS.allowHeaders],
              exposeHeaders: [...CORS.exposeHeaders],
              maxAge: Duration.seconds(CORS.maxAgeSeconds),
            },
          }),
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const authorizers: Record<Principal, HttpJwtAuthorizer | undefined> = {
      staff: jwtAuthorizer('StaffAuthorizer', props.staff),
      customer: jwtAuthorizer('CustomerAuthorizer', props.customer),
      public: undefined,
    };
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    // One integration per function, shared by all of its routes.
    const integration = (fn: FunctionName) => {
      let found = integrations.get(fn);
      if (!found) integrations.set(fn, (found = new HttpLambdaIntegration(`${fn}Integration`, props.functions[fn])));
      return found;
    };

    const routeThrottles: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of ROUTES) {
      const added = new apigw.HttpRoute(this, route.operationId, {
        httpApi: this.api,
        routeKey: apigw.HttpRouteKey.with(route.path, apigw.HttpMethod[route.method]),
        integration: integration(route.fn),
        authorizer: authorizers[route.principal],
        // No authorizationScopes: an ID token (its `aud` is the client id) passes the authorizer and the function answers
        // it 401 (API.md); with a scope, API Gateway would answer it 403 itself (lambdas/contract/routes.ts).
      });
      if (route.principal === 'public') this.unauthenticatedRoutes.push(added);
      if (route.throttle) {
        routeThrottles[routeKey(route)] = { ThrottlingRateLimit: route.throttle.rateLimit, ThrottlingBurstLimit: route.throttle.burstLimit };
        // CloudFormation refuses route settings for a route that does not exist yet.
        this.stage.node.addDependency(added);
      }
    }
    // A route's own throttling (the share links' public routes): route settings of the stage, beside its default.
    if (Object.keys(routeThrottles).length > 0) (this.stage.node.defaultChild as apigw.CfnStage).routeSettings = routeThrottles;

    const fallbacks: [string, apigw.HttpRouteKey][] = [
      ...[...allowedMethods().keys()].map((path): [string, apigw.HttpRouteKey] => [`AnyMethod${path.replace(/\//g, '.')}`, apigw.HttpRouteKey.with(path, apigw.HttpMethod.ANY)]),
      ['ReadOnlyPortal', apigw.HttpRouteKey.with(`${READ_ONLY_PREFIX}/{proxy+}`, apigw.HttpMethod.ANY)],
      ['NotFound', apigw.HttpRouteKey.DEFAULT],
    ];
    for (const [routeId, routeKey] of fallbacks) {
      this.unauthenticatedRoutes.push(new apigw.HttpRoute(this, routeId, { httpApi: this.api, routeKey, integration: integration('system') }));
    }
  }

  get url(): string {
    return this.stage.url;
  }
}

function jwtAuthorizer(id: string, issuer: TokenIssuer): HttpJwtAuthorizer {
  return new HttpJwtAuthorizer(id, issuer.issuerUrl, { jwtAudience: [issuer.client.userPoolClientId] });
}
