/**
 * The API client shared by the apps: openapi-fetch over the types generated from the API's own
 * OpenAPI document (web/build/api-types.ts), a bearer token on every request, and every refusal
 * turned into an `ApiError` carrying the problem+json body.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/openapi';

export type Problem = components['schemas']['Problem'];
export type Document = components['schemas']['Document'];
export type DocumentType = Document['type'];
export type Api = Client<paths>;

/** The title of the portal's 401 for a valid token whose access ended (API.md, "The pages"). */
export const ACCESS_ENDED_TITLE = 'Portal access ended';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  get accessEnded(): boolean {
    return this.status === 401 && this.problem?.title === ACCESS_ENDED_TITLE;
  }
}

/** The API could not be reached at all (offline, DNS, CORS refused). */
export class Unreachable extends Error {}

export function createApi(baseUrl: string, accessToken: () => Promise<string | undefined>): Api {
  const client = createClient<paths>({ baseUrl });
  client.use({
    async onRequest({ request }) {
      const token = await accessToken();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

const asProblem = (body: unknown): Problem | undefined =>
  typeof body === 'object' && body !== null && typeof (body as Problem).title === 'string' ? (body as Problem) : undefined;

/** The data of an openapi-fetch answer, or the `ApiError` of its refusal. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch (error) {
    throw new Unreachable(error instanceof Error ? error.message : String(error));
  }
  if (!answer.response.ok) throw new ApiError(answer.response.status, asProblem(answer.error));
  return answer.data as T;
}

/**
 * A GET of a route the generated types do not list yet (`GET /shared/{token}` lands with the
 * share-links issue): the same error handling, no token.
 */
export async function getUntyped<T>(baseUrl: string, path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(baseUrl + path, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new Unreachable(error instanceof Error ? error.message : String(error));
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, asProblem(body));
  return body as T;
}
