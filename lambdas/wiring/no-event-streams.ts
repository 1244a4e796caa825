/**
 * Stands in for `@smithy/core/event-streams` in the Lambda bundles (an esbuild alias, see
 * lib/bundling.ts). The SDK's HTTP protocols import it lazily, for operations that stream events;
 * no operation these functions call does (DynamoDB, SES v2, EventBridge), yet a bundler inlines it
 * (~14 KB minified per bundle). Should one ever be called, it fails loudly rather than quietly.
 */
const absent = (): never => {
  throw new Error('event streams are not bundled into this function (lambdas/wiring/no-event-streams.ts)');
};

export class EventStreamSerde {
  constructor() {
    absent();
  }
}

export const eventStreamSerdeProvider = absent;
