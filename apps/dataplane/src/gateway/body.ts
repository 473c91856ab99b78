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

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
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
