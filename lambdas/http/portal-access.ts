import { portalAccessDeps } from '../adapters/portal-access';
import { verifyStaffRights } from '../adapters/staff-rights';
import { DynamoAuditStore } from '../adapters/dynamodb/audit-store';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store';
import { listAudit } from '../domain/audit';
import { idempotencyKeyOf, idempotent, type StoredResponse } from '../domain/idempotency';
import { applyPortalAccess, getWizard, reinvite, type LineResult } from '../domain/portal-access';
import { HANDLER_TIMEOUT_MS } from '../config';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { log } from '../http-kit/log';
import { actorOf } from '../http-kit/principal';
import { toProblem } from '../http-kit/problem';
import type { ApplyInput, ApplyResult, ReinviteInput } from '../schemas/portal-access';

type IdParams = { id: string };

/**
 * Apply starts lines only this long into the request: a line in flight then (a grant's Cognito and SES
 * calls with their retries take a few seconds when a dependency fails) still ends before the handler's
 * own timeout, so the answer reports every line (the ones not started fail with 503) instead of the
 * whole request timing out as one 503.
 */
const APPLY_STARTS_LINES_FOR_MS = HANDLER_TIMEOUT_MS - 10_000;

let stores: { audit: DynamoAuditStore; idempotency: DynamoIdempotencyStore } | undefined;
const storesOf = () => (stores ??= { audit: new DynamoAuditStore(), idempotency: new DynamoIdempotencyStore() });

/** A failed line carries its error as the problem the client would get for it alone. */
function resultOf(line: LineResult, requestId: string): ApplyResult {
  if (line.error === undefined) return { contactId: line.contactId, outcome: line.outcome, status: line.status };
  const { problem } = toProblem(line.error);
  if (problem.status >= 500) log.error('wizard line failed', { requestId, contactId: line.contactId, error: line.error });
  return { contactId: line.contactId, outcome: line.outcome, status: line.status, error: problem };
}

/** An answer with a line that failed for a transient reason is not replayed: its repeat completes that line. */
const replayable = (response: StoredResponse) =>
  !(response.body as { results?: ApplyResult[] } | undefined)?.results?.some((r) => (r.error?.status ?? 0) >= 500);

/** Idempotency records are per staff user, operation and wizard contact. */
function idempotencyOf(req: HttpRequest<unknown, unknown, IdParams>) {
  const who = req.principal.kind === 'staff' ? req.principal.userId : actorOf(req.principal);
  return {
    scope: `${who}#${req.route.operationId}#${req.params.id}`,
    key: idempotencyKeyOf(req.headers['idempotency-key']),
    body: req.body,
  };
}

const idempotencyDeps = () => ({ idempotency: storesOf().idempotency, now: portalAccessDeps().now });

export const handler = httpFunction('portal-access', {
  getPortalAccess: async (req: HttpRequest<unknown, unknown, IdParams>) => ({
    status: 200,
    body: await getWizard(portalAccessDeps(), req.params.id),
  }),

  applyPortalAccess: async (req: HttpRequest<ApplyInput, unknown, IdParams>) =>
    idempotent(
      idempotencyDeps(),
      idempotencyOf(req),
      async () => {
        const signal = AbortSignal.any([req.signal, AbortSignal.timeout(APPLY_STARTS_LINES_FOR_MS)]);
        const lines = await applyPortalAccess(portalAccessDeps(), req.params.id, req.body, actorOf(req.principal), signal);
        return { status: 200, body: { results: lines.map((line) => resultOf(line, req.requestId)) } };
      },
      replayable,
    ),

  reinvite: async (req: HttpRequest<ReinviteInput, unknown, IdParams>) =>
    idempotent(idempotencyDeps(), idempotencyOf(req), async () => {
      await reinvite(portalAccessDeps(), req.params.id, req.body, actorOf(req.principal));
      return { status: 202 };
    }),

  listAudit: async (req: HttpRequest<unknown, { cursor?: string; limit: number }, IdParams>) => ({
    status: 200,
    body: await listAudit(
      { audit: storesOf().audit, contactExists: async (id) => (await portalAccessDeps().contacts.get(id)) !== undefined },
      req.params.id,
      req.query.cursor,
      req.query.limit,
    ),
  }),
}, { staffRights: verifyStaffRights });
