import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { STAFF_GROUP } from '../../lambdas/contract/identity';
import { PASSWORD_POLICY, TEMPORARY_PASSWORD_DAYS } from '../../lambdas/contract/password-policy';

export interface IdentityProps {
  /** The customer pool's hosted UI and where it may send customers back (the portal). */
  readonly hostedUiDomainPrefix: string;
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /** The staff pool's hosted UI and where it may send staff back (the admin console). */
  readonly staffHostedUiDomainPrefix: string;
  readonly staffCallbackUrls: readonly string[];
  readonly staffLogoutUrls: readonly string[];
}

/** What an HTTP API JWT authorizer needs to trust a pool's access tokens. */
export interface TokenIssuer {
  readonly pool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly issuerUrl: string;
}

const passwordPolicy: cognito.PasswordPolicy = { ...PASSWORD_POLICY, tempPasswordValidity: Duration.days(TEMPORARY_PASSWORD_DAYS) };

/** The only attributes portal users may change themselves (their display preferences). */
export const CUSTOMER_WRITABLE: cognito.StandardAttributesMask = { locale: true, timezone: true };

/**
 * What a browser app signs in with: authorization code + PKCE, and the scopes the apps ask for (the
 * API requires none: lambdas/contract/routes.ts). Not COGNITO_ADMIN (`aws.cognito.signin.user.admin`):
 * the apps call no Cognito user API, and a token with it may — delete its own user, change its
 * password or attributes, set up MFA — behind the product's back.
 */
const browserOAuth = (callbackUrls: readonly string[], logoutUrls: readonly string[]): cognito.OAuthSettings => ({
  flows: { authorizationCodeGrant: true },
  scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
  callbackUrls: [...callbackUrls],
  logoutUrls: [...logoutUrls],
});

/**
 * The two user pools. Customers: portal logins that only the backend creates (no self sign-up),
 * signing in by email through the hosted UI with a public PKCE client. Staff: the admin console's
 * users (and back-office integrations), `portal-admins` being the group the API requires, signing in
 * through the staff pool's own hosted UI (a domain per pool) with MFA.
 */
export class Identity extends Construct {
  readonly customer: TokenIssuer;
  readonly staff: TokenIssuer;
  readonly hostedUiDomain: cognito.UserPoolDomain;
  readonly staffHostedUiDomain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const customerPool = new cognito.UserPool(this, 'CustomerPool', {
      // Everything this pool uses (hosted UI, PKCE, TOTP, verified email changes, admin APIs) is in
      // Lite; a pool without a plan gets Essentials, $0.0095 more per monthly active user (docs/cost.md).
      featurePlan: cognito.FeaturePlan.LITE,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // A changed email stays pending (the old one signs in) until the new address is verified.
      keepOriginal: { email: true },
      passwordPolicy,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.hostedUiDomain = customerPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: props.hostedUiDomainPrefix } });
    const customerClient = customerPool.addClient('PortalClient', {
      // A browser app: no secret, authorization code with PKCE through the hosted UI, and nothing
      // else (below: no SRP, whose tokens always carry `aws.cognito.signin.user.admin`).
      generateSecret: false,
      oAuth: browserOAuth(props.callbackUrls, props.logoutUrls),
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      // Not `email`: a login's email is its contact's, set by the backend only (a user who could
      // write it could point its login at another contact's address). Never empty, which would mean "all".
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes(CUSTOMER_WRITABLE),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    // CDK leaves ExplicitAuthFlows out when no flow is chosen, and Cognito then allows SRP and custom auth.
    (customerClient.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];

    const staffPool = new cognito.UserPool(this, 'StaffPool', {
      // A few users; Essentials, said rather than defaulted.
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Staff can grant anyone access to customers' documents: a second factor is not optional.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    staffPool.addGroup('PortalAdmins', { groupName: STAFF_GROUP, description: 'Staff who manage contacts, portal access and documents' });
    this.staffHostedUiDomain = staffPool.addDomain('StaffHostedUi', { cognitoDomain: { domainPrefix: props.staffHostedUiDomainPrefix } });
    const staffClient = staffPool.addClient('AdminClient', {
      // The admin console (a browser app: no secret, code + PKCE through the staff hosted UI, which
      // asks for the second factor); back-office integrations sign in with SRP or a password.
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      oAuth: browserOAuth(props.staffCallbackUrls, props.staffLogoutUrls),
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // Short-lived: the API re-checks staff rights every 30 s, but a token is what other clients trust.
      accessTokenValidity: Duration.minutes(15),
      idTokenValidity: Duration.minutes(15),
      refreshTokenValidity: Duration.hours(12),
    });

    this.customer = { pool: customerPool, client: customerClient, issuerUrl: issuerUrl(customerPool) };
    this.staff = { pool: staffPool, client: staffClient, issuerUrl: issuerUrl(staffPool) };
  }
}

function issuerUrl(pool: cognito.UserPool): string {
  return `https://cognito-idp.${Stack.of(pool).region}.amazonaws.com/${pool.userPoolId}`;
}
