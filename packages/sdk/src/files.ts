import type { AxiosProgressEvent } from 'axios';
import type { Http } from './http.js';
import type { FileEntry, FileList, FileLocation, StoredFileRef, UploadResult } from './types.js';

/** Form fields sent with an upload (OctoPrint's `data` argument); booleans go as "true"/"false". */
export interface UploadData {
  /** Target folder, created if missing; "" is the top level. */
  path?: string;
  select?: boolean;
  print?: boolean;
  /** Any JSON value, stored with the file (the SDK stringifies it; OctoPrint's client throws on objects). */
  userdata?: unknown;
  /** Store under this name instead of the file's own. */
  filename?: string;
  /** Refuse (409) instead of replacing an existing file. */
  noOverwrite?: boolean;
}

/** How far an upload is: bytes sent so far and in all (when known). */
export interface UploadProgress {
  loaded: number;
  total: number | undefined;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/** A `File` has a name; a plain `Blob` needs `data.filename`. */
type NamedBlob = Blob & { name?: string };

/** The form fields of an upload, in the order OctoPrint's client sends them after the file. */
export function uploadFields(data: UploadData): [string, string][] {
  const fields: [string, string][] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || key === 'filename') continue;
    if (key === 'userdata') fields.push([key, typeof value === 'string' ? value : JSON.stringify(value)]);
    else fields.push([key, typeof value === 'boolean' ? String(value) : String(value)]);
  }
  return fields;
}

export function progressOf(options: UploadOptions): ((event: AxiosProgressEvent) => void) | undefined {
  const onProgress = options.onProgress;
  return onProgress === undefined ? undefined : (event) => onProgress({ loaded: event.loaded, total: event.total });
}

/** `/api/files` and `/downloads/files`: OctoPrint's `OctoPrint.files` (spec §6). */
export class FilesApi {
  constructor(readonly http: Http) {}

  /** Every file and folder (local, then SD); `force` skips the server's 304. */
  async list(recursively = false, force = false): Promise<FileList> {
    return this.http.get('/api/files', {
      query: { ...(recursively ? { recursive: 'true' } : {}), ...(force ? { force: 'true' } : {}) },
    });
  }

  async listForLocation(location: FileLocation, recursively = false): Promise<FileList> {
    return this.http.get('/api/files/{location}', {
      path: { location },
      query: { recursive: String(recursively) },
    });
  }

  /** One file, or a folder with its children. */
  async get(location: FileLocation, path: string, recursive = false): Promise<FileEntry> {
    return this.http.get('/api/files/{location}/{path}', {
      path: { location, path },
      ...(recursive ? { query: { recursive: 'true' } } : {}),
    });
  }

  /**
   * Uploads a `File` or `Blob` (in Node: `new Blob([...])` or `await fs.openAsBlob(file)`, read as it is sent; for a
   * stream see `uploadStream` in `@hotend/sdk/node`). Progress comes from the request body as it goes out.
   */
  async upload(
    location: FileLocation,
    file: NamedBlob,
    data: UploadData = {},
    options: UploadOptions = {},
  ): Promise<UploadResult> {
    const form = new FormData();
    const filename = data.filename ?? file.name;
    if (filename === undefined) throw new TypeError('upload: a Blob needs data.filename');
    form.append('file', file, filename);
    for (const [key, value] of uploadFields(data)) form.append(key, value);
    const response = await this.http.raw('post', '/api/files/{location}', {
      pathParams: { location },
      data: form,
      onUploadProgress: progressOf(options),
      signal: options.signal,
    });
    return response.data as UploadResult;
  }

  /** Creates a folder `name` inside `path` (created again: still a 201). */
  async createFolder(location: FileLocation, name: string, path?: string): Promise<UploadResult> {
    const form = new FormData();
    form.append('foldername', name);
    if (path !== undefined && path !== '') form.append('path', path);
    const response = await this.http.raw('post', '/api/files/{location}', { pathParams: { location }, data: form });
    return response.data as UploadResult;
  }

  /** Sends an entry command (`select`, `unselect`, `copy`, `move`, `analyse`, `slice`, `uploadSd`). */
  async issueEntryCommand(
    location: FileLocation,
    path: string,
    command: string,
    data: Record<string, unknown> = {},
  ): Promise<StoredFileRef | undefined> {
    const response = await this.http.raw('post', '/api/files/{location}/{path}', {
      pathParams: { location, path },
      data: { ...data, command },
      headers: { 'Content-Type': 'application/json' },
    });
    return response.status === 201 ? (response.data as StoredFileRef) : undefined;
  }

  async select(location: FileLocation, path: string, print = false): Promise<void> {
    await this.issueEntryCommand(location, path, 'select', { print });
  }

  /** Clears the selection (`path` may be `current`); an addition to OctoPrint's client. */
  async unselect(location: FileLocation, path = 'current'): Promise<void> {
    await this.issueEntryCommand(location, path, 'unselect');
  }

  async analyse(location: FileLocation, path: string, parameters: Record<string, unknown> = {}): Promise<void> {
    await this.issueEntryCommand(location, path, 'analyse', parameters);
  }

  /** Copies into an existing folder (same name) or to a new path; answers the stored entry. */
  async copy(location: FileLocation, path: string, destination: string): Promise<StoredFileRef> {
    return (await this.issueEntryCommand(location, path, 'copy', { destination })) as StoredFileRef;
  }

  async move(location: FileLocation, path: string, destination: string): Promise<StoredFileRef> {
    return (await this.issueEntryCommand(location, path, 'move', { destination })) as StoredFileRef;
  }

  async delete(location: FileLocation, path: string): Promise<void> {
    await this.http.delete('/api/files/{location}/{path}', { path: { location, path } });
  }

  /** The file's text (or one `Range`). */
  async download(path: string, range?: string): Promise<string> {
    const response = await this.http.raw('get', '/downloads/files/local/{path}', {
      pathParams: { path },
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      headers: range === undefined ? {} : { Range: range },
    });
    return response.data as string;
  }

  /** The absolute download URL of a local file (for a link; add `?apikey=` if the browser has no session). */
  downloadPath(path: string): string {
    return this.http.url('/downloads/files/local/{path}', { path });
  }
}
