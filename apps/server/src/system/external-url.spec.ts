import { describe, expect, it } from 'vitest';
import { externalBaseUrl } from './external-url.js';

type Request = Parameters<typeof externalBaseUrl>[0];

const request = (headers: Record<string, string | string[]>, protocol: 'http' | 'https' = 'http'): Request =>
  ({ headers, protocol, socket: { localAddress: '127.0.0.1', localPort: 5000 } }) as unknown as Request;

describe('externalBaseUrl', () => {
  it('uses the Host header and the connection protocol without a proxy', () => {
    expect(externalBaseUrl(request({ host: 'printer.local:5000' }))).toBe('http://printer.local:5000');
    expect(externalBaseUrl(request({ host: 'printer.local' }, 'https'))).toBe('https://printer.local');
  });

  it('honours X-Forwarded-Proto, -Host and -Prefix, taking the first of a list', () => {
    expect(
      externalBaseUrl(
        request({
          host: 'backend:5000',
          'x-forwarded-proto': 'HTTPS, http',
          'x-forwarded-host': 'example.com:8443, proxy',
          'x-forwarded-prefix': '/octoprint//',
        }),
      ),
    ).toBe('https://example.com:8443/octoprint');
  });

  it('accepts OctoPrint-style X-Scheme and X-Script-Name', () => {
    expect(externalBaseUrl(request({ host: 'h', 'x-scheme': 'https', 'x-script-name': '/p' }))).toBe('https://h/p');
  });

  it('accepts IPv6 hosts', () => {
    expect(externalBaseUrl(request({ host: '[::1]:5000' }))).toBe('http://[::1]:5000');
  });

  it('ignores malformed values instead of writing them into the URL', () => {
    expect(
      externalBaseUrl(
        request({
          host: 'printer.local',
          'x-forwarded-proto': 'ftp',
          'x-forwarded-host': 'evil.example/x?y',
          'x-forwarded-prefix': 'relative" onload="x',
        }),
      ),
    ).toBe('http://printer.local');
  });

  it('falls back to the local address without a usable Host header', () => {
    expect(externalBaseUrl(request({}))).toBe('http://127.0.0.1:5000');
    expect(externalBaseUrl(request({ host: 'bad host' }))).toBe('http://127.0.0.1:5000');
  });
});
