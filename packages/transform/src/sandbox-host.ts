import { resolveLimits } from './limits';
import type { HostReply, HostRequest } from './pool';
import { TransformationSandbox } from './sandbox';

/**
 * A sandbox child process: runs the batches its parent sends, one at a time, and answers each.
 * It starts with an empty environment, and exits when its parent goes away.
 */
const limits = resolveLimits(JSON.parse(process.argv[2] ?? '{}'));
const sandbox = new TransformationSandbox(limits);
const send = (reply: HostReply) => process.send?.(reply);

process.on('message', (request: HostRequest) => {
  sandbox.runRaw(request.program, request.input, request.count).then(
    (result) =>
      send(
        typeof result === 'string'
          ? { type: 'output', id: request.id, output: result }
          : { type: 'result', id: request.id, result },
      ),
    (error: unknown) =>
      send({ type: 'error', id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
