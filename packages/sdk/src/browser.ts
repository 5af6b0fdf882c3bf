import type { Http } from './http.js';
import type { LoginResponse, LogoutResponse } from './types.js';

/** OctoPrint's `client.browser`: the login the push socket authenticates with. */
export class BrowserApi {
  constructor(private readonly http: Http) {}

  /** Logs in with the client's API key; the answer's `name` and `session` authenticate the push socket. */
  passiveLogin(): Promise<LoginResponse> {
    return this.http.post('/api/login', { passive: true });
  }

  /** Ends the key's login sessions, or only `session`; sockets using them get `reauthRequired`. */
  logout(session?: string): Promise<LogoutResponse> {
    return this.http.post('/api/logout', session === undefined ? {} : { session });
  }
}
