/** The catalog holds no UI; the web app maps destination type ids to their badge. */
const BADGES: Record<string, string> = { webhook: 'WH' };

export function destinationBadge(typeId: string): string {
  return BADGES[typeId] ?? typeId.slice(0, 2).toUpperCase();
}
