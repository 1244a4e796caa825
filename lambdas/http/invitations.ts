import { portalAccessDeps } from '../wiring/portal-access';
import { acceptInvitation } from '../domain/portal-access/invitations';
import { httpFunction, type HttpRequest } from '../http-kit/handler';

/** Public: the invitation token is the credential. */
export const handler = httpFunction('invitations', {
  acceptInvitation: async (req: HttpRequest<{ token: string; password: string }>) => {
    await acceptInvitation(portalAccessDeps(), req.body.token, req.body.password);
    return { status: 204 };
  },
});
