import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { LocalFileStorage, StagedUpload } from './local-file.storage.js';

/** A `file` part, already on disk in a hidden temp file. */
export interface UploadedPart {
  readonly filename: string;
  readonly staged: StagedUpload;
}

/** A whole multipart upload form: its fields and the `file` parts it carried (normally one). */
export interface UploadForm {
  readonly fields: ReadonlyMap<string, string>;
  readonly files: readonly UploadedPart[];
  /** A field or part named like one of OctoPrint's temp-file keys (`file.path`, ...), which is never honoured. */
  readonly forbiddenField?: string;
}

/** OctoPrint's upload-handler keys: a client naming them could point the server at any path on disk. */
const INTERNAL_SUFFIXES = ['.name', '.path', '.content_type', '.size'];

/**
 * Reads every part in order, streaming each `file` part to a temp file as it arrives, so fields sent after the file
 * (or before it, as slicers do) are all known before anything is decided. Other file parts are read and dropped.
 * On any failure (client gone, disk full) the temp files are removed before the error is passed on.
 */
export async function readUploadForm(
  request: FastifyRequest,
  storage: LocalFileStorage,
  maxFileBytes: number,
): Promise<UploadForm> {
  const fields = new Map<string, string>();
  const files: UploadedPart[] = [];
  let forbiddenField: string | undefined;
  try {
    const parts = request.parts({
      limits: { fileSize: maxFileBytes, fields: 64, parts: 128, fieldSize: 1024 * 1024 },
      // Keep `a/b.gcode`: a slash names subfolders, and traversal must be seen to be refused.
      preservePath: true,
    });
    for await (const part of parts) {
      if (INTERNAL_SUFFIXES.some((suffix) => part.fieldname.endsWith(suffix))) forbiddenField ??= part.fieldname;
      if (part.type === 'file') {
        const file = part as MultipartFile;
        if (file.fieldname !== 'file') {
          file.file.resume();
          await new Promise((resolve) => file.file.once('end', resolve));
          continue;
        }
        const staged = await storage.stage(file.file, () => file.file.truncated);
        files.push({ filename: file.filename, staged });
      } else if (typeof part.value === 'string') {
        fields.set(part.fieldname, part.value);
      } else {
        fields.set(part.fieldname, String(part.value));
      }
    }
  } catch (error) {
    await Promise.all(files.map((file) => storage.discard(file.staged)));
    throw error;
  }
  return { fields, files, ...(forbiddenField === undefined ? {} : { forbiddenField }) };
}
