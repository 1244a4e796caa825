/**
 * A file's way into S3 through a presigned PUT, with progress: `fetch` reports none for a request
 * body, XMLHttpRequest does. Exactly the ticket's headers go with it (the URL signs them; the
 * browser sets Content-Length itself).
 */
import type { UploadTicket } from './model';

export class UploadFailed extends Error {}

export function putFile(ticket: UploadTicket, file: Blob, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', ticket.uploadUrl);
    const headers = ticket.uploadHeaders ?? { 'Content-Type': file.type };
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== 'content-length') xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new UploadFailed(`HTTP ${xhr.status}`)));
    xhr.onerror = () => reject(new UploadFailed('network'));
    xhr.onabort = () => reject(new UploadFailed('aborted'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}
