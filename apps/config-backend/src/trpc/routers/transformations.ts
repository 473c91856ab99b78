import {
  CreateTransformationInput,
  DiffInput,
  PublishVersionInput,
  TestRunInput,
  TransformationIdInput,
  VersionIdInput,
} from '@keel/shared';
import { transformationTemplates } from '@keel/transform';
import type { FastifyRequest } from 'fastify';
import {
  createTransformation,
  deleteTransformation,
  diffVersions,
  getTransformation,
  getVersion,
  listTransformations,
  listVersions,
  publishVersion,
} from '../../domain/transformations';
import { testRunTransformation } from '../../domain/transformations-test-run';
import { router, workspaceProcedure } from '../trpc';

export const transformationsRouter = router({
  templates: workspaceProcedure('viewer').query(() => transformationTemplates),
  list: workspaceProcedure('viewer').query(({ ctx }) => listTransformations(ctx.db, ctx.workspace.id)),
  get: workspaceProcedure('viewer')
    .input(TransformationIdInput)
    .query(({ ctx, input }) => getTransformation(ctx.db, ctx.workspace.id, input.id)),
  versions: workspaceProcedure('viewer')
    .input(TransformationIdInput)
    .query(({ ctx, input }) => listVersions(ctx.db, ctx.workspace.id, input.id)),
  version: workspaceProcedure('viewer')
    .input(VersionIdInput)
    .query(({ ctx, input }) => getVersion(ctx.db, ctx.workspace.id, input.versionId)),
  diff: workspaceProcedure('viewer')
    .input(DiffInput)
    .query(({ ctx, input }) => diffVersions(ctx.db, ctx.workspace.id, input)),
  create: workspaceProcedure('editor')
    .input(CreateTransformationInput)
    .mutation(({ ctx, input }) =>
      createTransformation(ctx.db, checkerOf(ctx), ctx.actor, ctx.workspace.id, input),
    ),
  publishVersion: workspaceProcedure('editor')
    .input(PublishVersionInput)
    .mutation(({ ctx, input }) => publishVersion(ctx.db, checkerOf(ctx), ctx.actor, ctx.workspace.id, input)),
  delete: workspaceProcedure('editor')
    .input(TransformationIdInput)
    .mutation(async ({ ctx, input }) => {
      await deleteTransformation(ctx.db, ctx.actor, ctx.workspace.id, input.id);
      return { ok: true as const };
    }),
  testRun: workspaceProcedure('editor')
    .input(TestRunInput)
    .mutation(({ ctx, input }) =>
      testRunTransformation(ctx.db, ctx.req.server.transformWorker, ctx.workspace.id, input),
    ),
});

/** Publishing compiles the code in the transform worker first; fetch does not matter for that. */
function checkerOf(ctx: { req: FastifyRequest }) {
  return (code: string) => ctx.req.server.transformWorker.check({ code, allowFetch: false });
}
