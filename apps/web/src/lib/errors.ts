import { HotendApiError, HotendNetworkError } from '@hotend/sdk';

/** A message a person can act on, from whatever a call threw. */
export function messageOf(error: unknown): string {
  if (error instanceof HotendApiError) {
    const body = error.body;
    let detail = '';
    if (typeof body === 'string') detail = body;
    else if (body !== null && typeof body === 'object') {
      const record = body as Record<string, unknown>;
      const text = record['error'] ?? record['message'];
      if (typeof text === 'string') detail = text;
    }
    if (error.status === 403 && detail === '') detail = 'Your API key may not do this.';
    if (error.status === 401 && (detail === '' || detail === '401 Unauthorized'))
      detail = 'The API key was refused; sign in again.';
    return detail === '' ? `The server answered ${error.status}.` : detail;
  }
  if (error instanceof HotendNetworkError) return 'The server cannot be reached.';
  if (error instanceof Error) return error.message;
  return String(error);
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof HotendApiError ? error.status : undefined;
}
