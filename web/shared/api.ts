/**
 * The API client shared by the apps: openapi-fetch over the types generated from the API's own
 * OpenAPI document (web/build/api-types.ts), a bearer token on every request, and every refusal
 * turned into an `ApiError` carrying the problem+json body.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/openapi';

export type Problem = components['schemas']['Problem'];
export type Document = components['schemas']['Document'];
export type Attachment = components['schemas']['Attachment'];
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

export type Query = Record<string, string | number | boolean | undefined>;

export interface RawRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Empty and undefined values are left out. */
  readonly query?: Query;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A call of a route by path, its answer's JSON (undefined for 202/204), or the same `ApiError`/`Unreachable` as `ok`. */
export type RawApi = <T>(path: string, request?: RawRequest) => Promise<T>;

/**
 * Calls of routes the generated types do not list yet: the contract's parts that other issues are
 * building (`GET /shared/{token}`, share links, contact filters, …). The same token and errors as
 * the typed client; once a route is in the route table, its page moves to the typed client.
 */
export function createRawApi(baseUrl: string, accessToken: () => Promise<string | undefined> = async () => undefined): RawApi {
  return async <T,>(path: string, request: RawRequest = {}): Promise<T> => {
    const url = new URL(baseUrl + path);
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    const token = await accessToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, { method: request.method ?? 'GET', headers, ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }) });
    } catch (error) {
      throw new Unreachable(error instanceof Error ? error.message : String(error));
    }
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) throw new ApiError(response.status, asProblem(body));
    return body as T;
  };
}

/** A GET without a token (`GET /shared/{token}`, which lands with the share-links issue). */
export const getUntyped = <T,>(baseUrl: string, path: string): Promise<T> => createRawApi(baseUrl)<T>(path);
