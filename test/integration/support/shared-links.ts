/**
 * Share links from the outside, against the local stack:
 *
 *   viewer()                  → a client of its own: its requests come from a loopback address no
 *                               other client uses (127.1.x.y), so the per-client rate limit of the
 *                               /shared routes is its own. `viewer().get(path)` → { status, headers, body, text }
 *   createLink(type, id, body) → the staff's POST …/links answer (and its token, from the URL)
 *   tokenOf(url)              → the token of a share link's URL
 */
import http from 'node:http';
import { adminToken, api, stack, type ApiResponse } from './stack';

let clients = 0;

export interface Viewer {
  readonly address: string;
  get(path: string): Promise<ApiResponse>;
}

/** A fresh client address in 127.0.0.0/8 (all of it is loopback on Linux): 127.1.<pid>.<n>. */
export function viewer(): Viewer {
  clients += 1;
  const address = `127.1.${process.pid % 250}.${(clients % 250) + 1}`;
  const { hostname, port } = new URL(stack().apiUrl);
  return {
    address,
    get: (path) =>
      new Promise((resolve, reject) => {
        const request = http.get({ host: hostname, port: Number(port), path, localAddress: address, agent: false }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text === '' ? undefined : JSON.parse(text);
            } catch {
              body = undefined;
            }
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
            resolve({ status: response.statusCode ?? 0, headers, body, text });
          });
          response.on('error', reject);
        });
        request.on('error', reject);
      }),
  };
}

export const tokenOf = (url: string): string => {
  const token = /\/s\/([A-Za-z0-9_-]+)$/.exec(url)?.[1];
  if (!token) throw new Error(`not a share link: ${url}`);
  return token;
};

export interface CreatedLink {
  id: string;
  url: string;
  expiresAt: string;
  maxViews?: number;
  views: number;
  token: string;
}

export async function createLink(type: string, id: string, body: Record<string, unknown> = {}): Promise<CreatedLink> {
  const res = await api(`/documents/${type}/${id}/links`, { method: 'POST', token: await adminToken(), body });
  if (res.status !== 201) throw new Error(`POST links → ${res.status} ${res.text}`);
  return { ...(res.body as Omit<CreatedLink, 'token'>), token: tokenOf(res.body.url as string) };
}
