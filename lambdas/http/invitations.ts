import { METRIC } from '../contract/metrics';
import { acceptInvitation } from '../domain/portal-access/invitations';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { invitationsDeps } from '../wiring/invitations';
import { metrics } from '../wiring/metrics';

/** Public: the invitation token is the credential. */
export const handler = httpFunction('invitations', {
  acceptInvitation: async (req: HttpRequest<{ token: string; password: string }>) => {
    await acceptInvitation(invitationsDeps(), req.body.token, req.body.password);
    metrics.count(METRIC.invitationsAccepted);
    return { status: 204 };
  },
});
