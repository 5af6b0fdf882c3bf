import { type ByteSource, toReadableStream } from './streams.js';

/** A `multipart/form-data` body as a stream, with its content type and (when the file's size is known) length. */
export interface MultipartBody {
  contentType: string;
  body: ReadableStream<Uint8Array>;
  length: number | undefined;
}

const quote = (text: string): string => text.replace(/["\\\r\n]/g, (char) => encodeURIComponent(char));

function boundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `----hotend-sdk-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Encodes the form fields, then the file, without holding the file: the body is the file's own stream between a
 * head and a tail. The fields go first so the server knows the target folder before the file's bytes arrive.
 */
export function encodeMultipart(
  fields: readonly (readonly [string, string])[],
  file: { filename: string; content: ByteSource; size?: number },
): MultipartBody {
  const separator = boundary();
  const encoder = new TextEncoder();
  const head = encoder.encode(
    fields
      .map(
        ([name, value]) =>
          `--${separator}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`,
      )
      .join('') +
      `--${separator}\r\nContent-Disposition: form-data; name="file"; filename="${quote(file.filename)}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = encoder.encode(`\r\n--${separator}--\r\n`);
  const reader = toReadableStream(file.content).getReader();
  let stage: 'head' | 'content' | 'done' = 'head';
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === 'head') {
        stage = 'content';
        controller.enqueue(head);
        return;
      }
      if (stage === 'done') return;
      const { value, done } = await reader.read();
      if (done !== true) {
        controller.enqueue(value);
        return;
      }
      stage = 'done';
      controller.enqueue(tail);
      controller.close();
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return {
    contentType: `multipart/form-data; boundary=${separator}`,
    body,
    length: file.size === undefined ? undefined : head.byteLength + file.size + tail.byteLength,
  };
}
