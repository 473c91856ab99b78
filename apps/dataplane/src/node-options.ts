/**
 * V8 flags the data plane runs with. It allocates fast (every event is parsed and serialised
 * several times) and most of it dies young. In the e2e benchmark a 32 MB young generation
 * instead of V8's 16 MB cut its CPU per delivered event by about 10% (47 → 38–40 µs); 64 MB
 * did no better and added 20–100 MB of RSS.
 */
export const DATA_PLANE_V8_FLAGS = ['--max-semi-space-size=32'];

/** `NODE_OPTIONS` for a data-plane child: the caller's own options plus the data plane's flags. */
export function dataPlaneNodeOptions(inherited: string | undefined): string {
  return [inherited, ...DATA_PLANE_V8_FLAGS].filter(Boolean).join(' ');
}
