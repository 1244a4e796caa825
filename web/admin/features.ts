/**
 * Which parts of the contract this API offers, read from its own OpenAPI document (`GET
 * /openapi.json`, public), once per page load. The contract has parts that other issues are adding
 * (API.md, w2); the console shows each part when the API lists it, and says "not offered yet"
 * otherwise — it never calls a route the API does not have (that would be a 404 in the console of
 * the browser, and an error to a person).
 */
import type { RawApi } from '../shared/api';

export interface Features {
  /** `GET /contacts?portalStatus=&archived=` */
  readonly contactFilters: boolean;
  /** `POST /contacts/{id}/restore` */
  readonly restore: boolean;
  /** `scope`, `types`, `until` on a wizard line */
  readonly accessLimits: boolean;
  /** `reinvite` with `delivery: "link"` */
  readonly inviteLink: boolean;
  /** `until` on a document grant */
  readonly grantUntil: boolean;
  /** `GET /documents/{type}/{id}/access` */
  readonly whoHasAccess: boolean;
  /** `/documents/{type}/{id}/links` */
  readonly shareLinks: boolean;
  /** `/documents/{type}/{id}/attachments` */
  readonly attachments: boolean;
}

export const NO_FEATURES: Features = {
  contactFilters: false,
  restore: false,
  accessLimits: false,
  inviteLink: false,
  grantUntil: false,
  whoHasAccess: false,
  shareLinks: false,
  attachments: false,
};

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; allOf?: Schema[]; anyOf?: Schema[]; oneOf?: Schema[] };
type Operation = { parameters?: { name: string; in: string }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
interface OpenApi {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export function featuresOf(doc: OpenApi): Features {
  const op = (path: string, method: string): Operation | undefined => doc.paths?.[path]?.[method];
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema?.$ref) return schema;
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    return name ? doc.components?.schemas?.[name] : undefined;
  };
  /** The property names of a schema, through `$ref` and combinations. */
  const props = (schema: Schema | undefined): Record<string, Schema> => {
    const s = resolve(schema);
    if (!s) return {};
    return Object.assign({}, ...[...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])].map(props), s.properties ?? {});
  };
  const body = (path: string, method: string) => props(op(path, method)?.requestBody?.content?.['application/json']?.schema);
  const param = (path: string, method: string, name: string) => op(path, method)?.parameters?.some((p) => p.name === name && p.in === 'query') ?? false;
  const lineProps = props(resolve(body('/contacts/{id}/portal-access', 'post').lines)?.items);
  return {
    contactFilters: param('/contacts', 'get', 'portalStatus') && param('/contacts', 'get', 'archived'),
    restore: op('/contacts/{id}/restore', 'post') !== undefined,
    accessLimits: 'scope' in lineProps && 'types' in lineProps && 'until' in lineProps,
    inviteLink: 'delivery' in body('/contacts/{id}/portal-access/reinvite', 'post'),
    grantUntil: 'until' in body('/documents/{type}/{id}/grants', 'post'),
    whoHasAccess: op('/documents/{type}/{id}/access', 'get') !== undefined,
    shareLinks: op('/documents/{type}/{id}/links', 'post') !== undefined && op('/documents/{type}/{id}/links', 'get') !== undefined,
    attachments: op('/documents/{type}/{id}/attachments', 'post') !== undefined && op('/documents/{type}/{id}/attachments/{attachmentId}/complete', 'post') !== undefined,
  };
}

let loaded: Promise<Features> | undefined;

/** The features, fetched once; an API whose document cannot be read offers none of the new parts. */
export function loadFeatures(raw: RawApi): Promise<Features> {
  loaded ??= raw<OpenApi>('/openapi.json').then(featuresOf, () => NO_FEATURES);
  return loaded;
}
