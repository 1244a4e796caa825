import { portalAccessDeps } from '../wiring/portal-access';
import { DynamoAuditStore } from '../adapters/dynamodb/audit-store';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store';
import { listAudit } from '../domain/audit';
import { idempotencyKeyOf, idempotent } from '../domain/idempotency';
import { applyPortalAccess } from '../domain/portal-access/apply';
import { replayable, type LineResult } from '../domain/portal-access/lines';
import { reinvite } from '../domain/portal-access/reinvite';
import { getWizard } from '../domain/portal-access/wizard';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { log } from '../platform/log';
import { actorOf } from '../http-kit/principal';
import { toProblem } from '../http-kit/problem';
import type { ApplyInput, ApplyResult, ReinviteInput } from '../contract/schemas/portal-access';

type IdParams = { id: string };

let stores: { audit: DynamoAuditStore; idempotency: DynamoIdempotencyStore } | undefined;
const storesOf = () => (stores ??= { audit: new DynamoAuditStore(), idempotency: new DynamoIdempotencyStore() });

/** A failed line carries its error as the problem the client would get for it alone. */
function resultOf(line: LineResult, requestId: string): ApplyResult {
  if (line.error === undefined) return { contactId: line.contactId, outcome: line.outcome, status: line.status };
  const { problem } = toProblem(line.error);
  if (problem.status >= 500) log.error('wizard line failed', { requestId, contactId: line.contactId, error: line.error });
  return { contactId: line.contactId, outcome: line.outcome, status: line.status, error: problem };
}

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

  applyPortalAccess: async (req: HttpRequest<ApplyInput, unknown, IdParams>) => {
    let complete = true;
    return idempotent(
      idempotencyDeps(),
      idempotencyOf(req),
      async () => {
        const lines = await applyPortalAccess(portalAccessDeps(), req.params.id, req.body, actorOf(req.principal), req.signal);
        complete = replayable(lines);
        return { status: 200, body: { results: lines.map((line) => resultOf(line, req.requestId)) } };
      },
      () => complete,
    );
  },

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
});
