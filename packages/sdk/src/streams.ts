/** How far an upload is: bytes sent so far and in all (when known). */
export interface UploadProgress {
  loaded: number;
  total: number | undefined;
}

/** A chunk source fetch can send: a web stream, or any async iterable of bytes or text (a Node `Readable` is one). */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

export function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== 'undefined' && value instanceof ReadableStream;
}

/** A web stream that pulls the source one chunk at a time, so nothing is read ahead of what is sent. */
export function toReadableStream(source: ByteSource): ReadableStream<Uint8Array> {
  if (isReadableStream(source)) return source;
  const iterator = source[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done === true) controller.close();
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * The same bytes, reporting each chunk as it is taken for sending: fetch has no upload progress, and a body stream
 * is read as the connection takes it, so the count follows the upload (ahead by at most the socket's buffer).
 */
export function countBytes(
  stream: ReadableStream<Uint8Array>,
  total: number | undefined,
  onProgress: (progress: UploadProgress) => void,
): ReadableStream<Uint8Array> {
  let loaded = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        loaded += chunk.byteLength;
        onProgress({ loaded, total });
      },
    }),
  );
}
