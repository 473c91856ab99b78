// The web app imports only `type AppRouter`. Type-checking that router pulls in the
// config-backend's sources, which rely on Fastify augmentations declared in its app.ts
// (the `keel` decorator, @fastify/cookie), so they are brought into this program too.
import type {} from '../../config-backend/src/app';
