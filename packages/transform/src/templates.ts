/** A built-in transformation a user can start from; the code is what the editor opens with. */
export interface TransformationTemplate {
  id: string;
  name: string;
  description: string;
  code: string;
}

const hashPii = `// Replaces personal data with its SHA-256 hash, so destinations can still match users
// without receiving the raw values. List the fields as dot paths into the event.
const FIELDS = ['context.traits.email', 'traits.email', 'properties.email', 'context.traits.phone', 'traits.phone'];
// Trim and lower-case before hashing, so "Jane@Example.com " and "jane@example.com" match.
const NORMALISE = true;

export function transformEvent(event) {
  for (const path of FIELDS) {
    const keys = path.split('.');
    const last = keys.pop();
    let parent = event;
    for (const key of keys) {
      parent = parent && typeof parent === 'object' ? parent[key] : undefined;
    }
    if (!parent || typeof parent !== 'object') continue;
    const value = parent[last];
    if (value === undefined || value === null || value === '') continue;
    const text = String(value);
    parent[last] = sha256(NORMALISE ? text.trim().toLowerCase() : text);
  }
  return event;
}
`;

const anonymiseIp = `// Anonymises IP addresses: IPv4 keeps its first three bytes (1.2.3.4 -> 1.2.3.0), IPv6 its
// first 48 bits (2001:db8:85a3:8d3:1319:8a2e:370:7348 -> 2001:db8:85a3::).
const FIELDS = ['context.ip', 'request_ip'];

function anonymise(ip) {
  if (typeof ip !== 'string') return ip;
  if (ip.includes(':')) {
    const [head, tail = ''] = ip.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    if (right.length && right[right.length - 1].includes('.')) right.pop();
    const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
    return groups.slice(0, 3).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':') + '::';
  }
  const parts = ip.split('.');
  if (parts.length !== 4) return ip;
  parts[3] = '0';
  return parts.join('.');
}

export function transformEvent(event) {
  for (const path of FIELDS) {
    const keys = path.split('.');
    const last = keys.pop();
    let parent = event;
    for (const key of keys) parent = parent && typeof parent === 'object' ? parent[key] : undefined;
    if (parent && typeof parent === 'object' && parent[last] !== undefined) parent[last] = anonymise(parent[last]);
  }
  return event;
}
`;

const renameEvents = `// Renames track events: old name -> new name. Other events pass unchanged.
const RENAMES = {
  'Product Viewed': 'product_viewed',
  'Order Completed': 'purchase',
};

export function transformEvent(event) {
  if (event.type === 'track' && Object.prototype.hasOwnProperty.call(RENAMES, event.event)) {
    event.event = RENAMES[event.event];
  }
  return event;
}
`;

const sampleUsers = `// Keeps the events of PERCENT of users and drops the rest. The choice is deterministic per
// user (a hash of userId, or anonymousId), so a kept user keeps all their events.
const PERCENT = 10;

export function transformEvent(event) {
  const user = event.userId || event.anonymousId;
  if (!user) return event;
  const bucket = parseInt(sha256(String(user)).slice(0, 8), 16) % 10000;
  return bucket < PERCENT * 100 ? event : null;
}
`;

const dropEvents = `// Drops events that match a condition; returning null drops the event, and it is counted as
// dropped by the transformation. Edit shouldDrop to your needs.
function shouldDrop(event) {
  const email = event.context?.traits?.email ?? event.traits?.email;
  if (typeof email === 'string' && email.endsWith('@example.com')) return true;
  if (event.type === 'track' && typeof event.event === 'string' && event.event.startsWith('debug_')) return true;
  return false;
}

export function transformEvent(event) {
  return shouldDrop(event) ? null : event;
}
`;

export const transformationTemplates: readonly TransformationTemplate[] = [
  {
    id: 'hash-pii',
    name: 'Hash personal data',
    description: 'Replace chosen fields (email, phone…) with their SHA-256 hash.',
    code: hashPii,
  },
  {
    id: 'anonymise-ip',
    name: 'Anonymise IP addresses',
    description: 'Zero the last byte of IPv4 addresses and all but the first 48 bits of IPv6.',
    code: anonymiseIp,
  },
  {
    id: 'rename-events',
    name: 'Rename events',
    description: 'Rename track events with a map from old to new names.',
    code: renameEvents,
  },
  {
    id: 'sample-users',
    name: 'Sample users',
    description: 'Keep a percentage of users, chosen deterministically, with all their events.',
    code: sampleUsers,
  },
  {
    id: 'drop-events',
    name: 'Drop events by condition',
    description: 'Drop test traffic or any event matching a condition you write.',
    code: dropEvents,
  },
];
