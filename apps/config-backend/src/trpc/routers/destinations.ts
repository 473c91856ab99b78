import {
  CreateDestinationInput,
  DeleteDestinationInput,
  DestinationIdInput,
  destinationCatalog,
  secretFieldsOf,
  UpdateDestinationInput,
} from '@keel/shared';
import {
  createDestination,
  deleteDestination,
  getDestination,
  listDestinations,
  testDestinationConnection,
  updateDestination,
} from '../../domain/destinations';
import { authedProcedure, router, workspaceProcedure } from '../trpc';

const TEST_CONNECTION_TIMEOUT_MS = 10_000;

export const destinationsRouter = router({
  /** The destination types a workspace can add; the web app reads field hints from @keel/shared. */
  types: authedProcedure.query(() =>
    Object.values(destinationCatalog).map((type) => ({
      id: type.id,
      title: type.title,
      description: type.description,
      category: type.category,
      supportsTestConnection: type.supportsTestConnection,
      secretFields: secretFieldsOf(type.configSchema),
    })),
  ),
  list: workspaceProcedure('viewer').query(({ ctx }) =>
    listDestinations(ctx.db, ctx.workspace.id, ctx.secretKey),
  ),
  get: workspaceProcedure('viewer')
    .input(DestinationIdInput)
    .query(({ ctx, input }) => getDestination(ctx.db, ctx.workspace.id, input.id, ctx.secretKey)),
  create: workspaceProcedure('editor')
    .input(CreateDestinationInput)
    .mutation(({ ctx, input }) =>
      createDestination(ctx.db, ctx.actor, ctx.workspace.id, input, ctx.secretKey),
    ),
  update: workspaceProcedure('editor')
    .input(UpdateDestinationInput)
    .mutation(({ ctx, input }) =>
      updateDestination(ctx.db, ctx.actor, ctx.workspace.id, input, ctx.secretKey),
    ),
  delete: workspaceProcedure('editor')
    .input(DeleteDestinationInput)
    .mutation(({ ctx, input }) =>
      deleteDestination(ctx.db, ctx.actor, ctx.workspace.id, input, ctx.secretKey),
    ),
  /** Sends one test event with the saved settings and reports the status; never echoes secrets. */
  testConnection: workspaceProcedure('editor')
    .input(DestinationIdInput)
    .mutation(({ ctx, input }) =>
      testDestinationConnection(
        ctx.db,
        ctx.workspace.id,
        input.id,
        ctx.secretKey,
        TEST_CONNECTION_TIMEOUT_MS,
      ),
    ),
});
