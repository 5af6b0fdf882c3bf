import { HttpException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { open } from 'node:fs/promises';
import type { FastifyReply } from 'fastify';
import { parseByteRange } from '../common/http/byte-range.js';
import { FileLibrary } from './file-library.js';
import { isMachineCode, joinPath, parseStoredPath } from './file-names.js';

/** `GET /downloads/files/local/{path}` (spec §3.8): the stored bytes, with one `Range` honoured. */
@Injectable()
export class FileDownloadsService {
  constructor(private readonly library: FileLibrary) {}

  async send(path: string, range: string | undefined, reply: FastifyReply): Promise<void> {
    const segments = parseStoredPath(path);
    const stored = segments === undefined ? '' : joinPath(segments);
    if (segments === undefined || segments.length === 0 || !isMachineCode(stored)) {
      throw new NotFoundException(`No file at ${path}`);
    }
    if ((await this.library.storage.kind(segments)) !== 'file') throw new NotFoundException(`No file at ${path}`);
    const file = await open(this.library.storage.absolute(segments), 'r').catch(() => {
      throw new NotFoundException(`No file at ${path}`);
    });
    let streaming = false;
    try {
      const { size } = await file.stat();
      const resolved = parseByteRange(range, size);
      const display = this.library.metadata.get(stored)?.display ?? segments.at(-1) ?? '';
      const encoded = encodeURIComponent(display);
      void reply
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'no-cache')
        .header('content-disposition', `attachment; filename="${encoded}"; filename*=UTF-8''${encoded}`);
      if (resolved === 'unsatisfiable') {
        void reply.header('content-range', `bytes */${size}`);
        throw new HttpException(
          `Range ${range} lies outside the ${size}-byte file`,
          HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
        );
      }
      const { start, end } = resolved ?? { start: 0, end: size - 1 };
      if (resolved !== undefined) void reply.status(206).header('content-range', `bytes ${start}-${end}/${size}`);
      void reply.header('content-type', 'text/plain; charset=utf-8').header('content-length', end - start + 1);
      if (end < start) {
        void reply.send('');
        return;
      }
      streaming = true;
      void reply.send(file.createReadStream({ start, end, autoClose: true }));
    } finally {
      if (!streaming) await file.close();
    }
  }
}
