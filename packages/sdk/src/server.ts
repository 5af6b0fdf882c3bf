import type { Http } from './http.js';
import type { CurrentUser, ServerInfo, Version } from './types.js';

/** `GET /api/version`. */
export class VersionApi {
  constructor(private readonly http: Http) {}

  get(): Promise<Version> {
    return this.http.get('/api/version');
  }
}

/** `GET /api/server`. */
export class ServerApi {
  constructor(private readonly http: Http) {}

  get(): Promise<ServerInfo> {
    return this.http.get('/api/server');
  }
}

/** `GET /api/currentuser`: who the configured key belongs to. */
export class CurrentUserApi {
  constructor(private readonly http: Http) {}

  get(): Promise<CurrentUser> {
    return this.http.get('/api/currentuser');
  }
}
