import { IdempotencyConflict } from '../contract/errors';
import type { ExplainQuery } from '../contract/schemas/access';
import type { ApplyInput, ApplyResult, ReinviteInput } from '../contract/schemas/portal-access';
import { explainAccess } from '../domain/access-report';
import { listAudit } from '../domain/audit';
import { idempotencyKeyOf, idempotencyScope, idempotent } from '../domain/idempotency';
import { applyPortalAccess } from '../domain/portal-access/apply';
import { replayable, type LineResult } from '../domain/portal-access/lines';
import { reinvite } from '../domain/portal-access/reinvite';
import { getWizard } from '../domain/portal-access/wizard';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { actorOf } from '../http-kit/principal';
import { toProblem } from '../http-kit/problem';
import { log } from '../platform/log';
import { portalAccessDeps } from '../wiring/portal-access';
import { verifyStaffRights } from '../wiring/staff-rights';

/** The wizard, re-invitations and the audit trail (staff). */
type IdParams = { id: string };

/** A failed line carries its error as the problem the client would get for it alone (the one error mapping). */
function resultOf(line: LineResult, requestId: string): ApplyResult {
  if (line.error === undefined) return { contactId: line.contactId, outcome: line.outcome, status: line.status };
  const { problem } = toProblem(line.error, requestId);
  if (problem.status >= 500) log.error('wizard line failed', { requestId, contactId: line.contactId, error: line.error });
  return { contactId: line.contactId, outcome: line.outcome, status: line.status, error: problem };
}

/** The request's `Idempotency-Key`, per staff user, operation and wizard contact. */
function idempotencyOf(req: HttpRequest<unknown, unknown, IdParams>) {
  const who = req.principal.kind === 'staff' ? req.principal.userId : actorOf(req.principal);
  return { scope: idempotencyScope(who, req.route.operationId, req.params.id), key: idempotencyKeyOf(req.headers['idempotency-key']), body: req.body };
}

const LINK_SHOWN_ONCE =
  'This Idempotency-Key already issued a link, which is shown only once and still works; to issue another (the earlier one then dies), send another key.';

const idempotencyDeps = () => ({ idempotency: portalAccessDeps().idempotency, now: portalAccessDeps().access.now });

export const handler = httpFunction('portal-access', {
  getPortalAccess: async (req: HttpRequest<unknown, unknown, IdParams>) => ({
    status: 200,
    body: await getWizard(portalAccessDeps().access, req.params.id),
  }),

  applyPortalAccess: async (req: HttpRequest<ApplyInput, unknown, IdParams>) => {
    let complete = true;
    return idempotent(
      idempotencyDeps(),
      idempotencyOf(req),
      async () => {
        const lines = await applyPortalAccess(portalAccessDeps().access, req.params.id, req.body, actorOf(req.principal), req.signal);
        complete = replayable(lines);
        return { status: 200, body: { results: lines.map((line) => resultOf(line, req.requestId)) } };
      },
      () => complete,
    );
  },

  reinvite: async (req: HttpRequest<ReinviteInput, unknown, IdParams>) => {
    if (req.body.delivery === 'link') {
      // The link is the credential: answered once, never kept (not in an idempotency record either).
      // A repeat of its key cannot answer it again, so it issues nothing: another link would kill the
      // one already handed out.
      let issued: { link: Awaited<ReturnType<typeof reinvite>> } | undefined;
      await idempotent(idempotencyDeps(), idempotencyOf(req), async () => {
        issued = { link: await reinvite(portalAccessDeps().access, req.params.id, req.body, actorOf(req.principal)) };
        return { issued: true };
      });
      if (issued === undefined) throw new IdempotencyConflict(LINK_SHOWN_ONCE);
      return { status: 200, body: issued.link };
    }
    return idempotent(idempotencyDeps(), idempotencyOf(req), async (runId) => {
      await reinvite(portalAccessDeps().access, req.params.id, req.body, actorOf(req.principal), runId);
      return { status: 202 };
    });
  },

  explainPortalAccess: async (req: HttpRequest<unknown, ExplainQuery, IdParams>) => ({
    status: 200,
    body: await explainAccess(portalAccessDeps().report, req.params.id, req.query.type, req.query.id),
  }),

  listAudit: async (req: HttpRequest<unknown, { cursor?: string; limit: number }, IdParams>) => ({
    status: 200,
    body: await listAudit(
      { audit: portalAccessDeps().audit, contactExists: async (id) => (await portalAccessDeps().access.contacts.get(id)) !== undefined },
      req.params.id,
      req.query.cursor,
      req.query.limit,
    ),
  }),
}, { staffRights: verifyStaffRights });
