import { type DownloadOptions, rangeHeader } from './byte-range.js';
import type { Http } from './http.js';
import { encodeMultipart } from './multipart.js';
import type { ByteSource, UploadProgress } from './streams.js';
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

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  timeout?: number;
}

/** A file given as a stream of bytes: its name, and its length when known (then sent as Content-Length). */
export interface StreamUploadOptions extends UploadOptions {
  /** Name the server stores the file under (sanitised there). */
  filename: string;
  size?: number;
}

/** A `File` has a name; a plain `Blob` needs `data.filename`. */
type NamedBlob = Blob & { name?: string };

/** The form fields of an upload, in the order OctoPrint's client sends them after the file. */
export function uploadFields(data: UploadData): [string, string][] {
  const fields: [string, string][] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || key === 'filename') continue;
    if (key === 'userdata') fields.push([key, typeof value === 'string' ? value : JSON.stringify(value)]);
    else fields.push([key, String(value)]);
  }
  return fields;
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
   * Uploads a `File` or `Blob` (in Node: `new Blob([...])` or `await fs.openAsBlob(file)`, read as it is sent).
   * `onProgress` reports the bytes sent: in browsers through XMLHttpRequest, elsewhere by counting the body stream.
   */
  async upload(
    location: FileLocation,
    file: NamedBlob,
    data: UploadData = {},
    options: UploadOptions = {},
  ): Promise<UploadResult> {
    const filename = data.filename ?? file.name;
    if (filename === undefined) throw new TypeError('upload: a Blob needs data.filename');
    if (options.onProgress !== undefined && typeof XMLHttpRequest !== 'function') {
      // Our own encoding: its length is known, so progress has a total and the server gets a Content-Length.
      return this.uploadStream(location, file.stream(), data, { ...options, filename, size: file.size });
    }
    const form = new FormData();
    form.append('file', file, filename);
    for (const [key, value] of uploadFields(data)) form.append(key, value);
    const { onProgress, ...call } = options;
    const response = await this.http.raw('post', '/api/files/{location}', {
      pathParams: { location },
      body: form,
      onUploadProgress: onProgress,
      ...call,
    });
    return (await response.json()) as UploadResult;
  }

  /**
   * Uploads a stream of bytes (a web `ReadableStream`, or any async iterable of bytes such as a Node `Readable`)
   * without holding it: the multipart body is the stream itself between a head and a tail, so memory stays flat for
   * a file of any size. Needs a platform that sends request streams (Node; in a page, upload a `File`).
   */
  async uploadStream(
    location: FileLocation,
    content: ByteSource,
    data: UploadData,
    options: StreamUploadOptions,
  ): Promise<UploadResult> {
    const { filename, size, onProgress, ...call } = options;
    const multipart = encodeMultipart(uploadFields(data), { filename, content, size });
    const response = await this.http.raw('post', '/api/files/{location}', {
      pathParams: { location },
      body: multipart.body,
      bodySize: multipart.length,
      headers: { 'content-type': multipart.contentType },
      onUploadProgress: onProgress,
      ...call,
    });
    return (await response.json()) as UploadResult;
  }

  /** Creates a folder `name` inside `path` (created again: still a 201). */
  async createFolder(location: FileLocation, name: string, path?: string): Promise<UploadResult> {
    const form = new FormData();
    form.append('foldername', name);
    if (path !== undefined && path !== '') form.append('path', path);
    const response = await this.http.raw('post', '/api/files/{location}', { pathParams: { location }, body: form });
    return (await response.json()) as UploadResult;
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
      body: JSON.stringify({ ...data, command }),
      headers: { 'content-type': 'application/json' },
    });
    return response.status === 201 ? ((await response.json()) as StoredFileRef) : undefined;
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

  /** The file's text, or one byte range of it (`{ range: { start: 0, end: 1023 } }`). */
  async download(path: string, options: DownloadOptions = {}): Promise<string> {
    return (await this.downloadResponse(path, options)).text();
  }

  /** The file as a web stream of bytes, for large files (`@hotend/sdk/node` gives a Node stream). */
  async downloadStream(path: string, options: DownloadOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const response = await this.downloadResponse(path, options);
    return response.body ?? new Blob([]).stream();
  }

  /** The absolute download URL of a local file (for a link; add `?apikey=` if the browser has no session). */
  downloadPath(path: string): string {
    return this.http.url('/downloads/files/local/{path}', { path });
  }

  private downloadResponse(path: string, { range, ...call }: DownloadOptions): Promise<Response> {
    return this.http.raw('get', '/downloads/files/local/{path}', {
      pathParams: { path },
      headers: range === undefined ? {} : { range: rangeHeader(range) },
      ...call,
    });
  }
}
