import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { GatewayError } from './errors';

const gunzip = promisify(zlib.gunzip);

function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    'request-too-large',
    `The request body is larger than ${limit} bytes; send fewer events per request.`,
  );
}

/** Event listeners rather than `for await`: the async iterator costs a few % of a request. */
function collect(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.off('data', onData);
        stream.resume(); // drain the rest so the connection stays usable for the answer
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('error', reject);
    let ended = false;
    // A client that hangs up mid-body may end the stream without 'end' or 'error'.
    stream.once('close', () => {
      if (!ended)
        reject(new GatewayError('invalid-body', 'The connection closed before the whole body arrived.'));
    });
    stream.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
  });
}

/**
 * Reads a request body whatever its Content-Type (SDKs send JSON as text/plain or even as
 * x-www-form-urlencoded), stopping at `limit` bytes. A gzip body is inflated with the same
 * cap on its decompressed size, so a small gzip bomb cannot expand into memory.
 */
export async function readBody(
  stream: Readable,
  headers: { 'content-length'?: string; 'content-encoding'?: string },
  limit: number,
): Promise<Buffer> {
  const declared = Number(headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'gzip' && encoding !== 'identity') {
    throw new GatewayError(
      'invalid-encoding',
      `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send the body plain or gzip-compressed.`,
    );
  }

  const raw = await collect(stream, limit);
  if (encoding !== 'gzip') return raw;

  try {
    return await gunzip(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new GatewayError(
      'invalid-encoding',
      'The body says Content-Encoding: gzip but is not valid gzip; compress it with gzip or drop the header.',
    );
  }
}
