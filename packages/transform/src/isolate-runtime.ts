/**
 * The code that runs inside every transformation isolate before the user's module. It defines
 * the globals user code may call (`log`, `console`, `metadata`, `sha256`, and `fetch` when the
 * workspace allows it) and evaluates to `bind(namespace)`, which returns the batch runner the
 * host calls. Data only ever crosses the boundary as JSON strings: the runner takes the batch
 * as one string and returns one string, so no host object is reachable from user code.
 *
 * The host sets `__keelHost` (limits) and, with fetch on, `__keelFetch` (a reference to a host
 * function taking and returning JSON strings) on the global object first; this code keeps them
 * in its closure and removes both globals, so user code never holds the reference.
 */
export const ISOLATE_RUNTIME = `(function () {
'use strict';
var G = globalThis;
var host = G.__keelHost;
var hostFetch = G.__keelFetch;
delete G.__keelHost;
delete G.__keelFetch;
var stringify = JSON.stringify;
var parse = JSON.parse;
var now = Date.now;
var isArray = Array.isArray;
var maxLogs = host.maxLogEntries;
var maxChars = host.maxLogEntryChars;
var maxFetches = host.fetchMaxCallsPerBatch;
var state = null;

function clip(s) { return s.length > maxChars ? s.slice(0, maxChars) + '…' : s; }
function lenient(key, v) { return typeof v === 'bigint' ? v.toString() + 'n' : v; }
function show(value) {
  if (typeof value === 'string') return value;
  try { var s = stringify(value, lenient); if (s !== undefined) return s; } catch (e) {}
  try { return String(value); } catch (e) { return '[unprintable value]'; }
}
function makeLog(level) {
  return function () {
    if (state === null) return;
    if (state.logs.length >= maxLogs) { state.logsDropped++; return; }
    var parts = [];
    for (var i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
    state.logs.push({ index: state.index, level: level, message: clip(parts.join(' ')) });
  };
}
G.log = makeLog('log');
G.console = Object.freeze({ log: G.log, info: makeLog('info'), warn: makeLog('warn'), error: makeLog('error'), debug: makeLog('debug') });

G.metadata = function metadata(event) {
  if (state === null) return {};
  var index;
  if (event !== null && typeof event === 'object') {
    index = state.byObject.get(event);
    if (index === undefined && typeof event.messageId === 'string') index = state.byId.get(event.messageId);
  }
  if (index === undefined && state.index !== null) index = state.index;
  return index === undefined ? {} : metaAt(index);
};

function metaAt(index) {
  if (state.meta !== undefined) { var m = state.meta[index]; return m === undefined ? {} : Object.assign({}, m); }
  var out = Object.assign({}, state.shared);
  out.messageId = state.messageIds[index];
  return out;
}

var K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
function utf8(str) {
  var out = [];
  for (var i = 0; i < str.length; i++) {
    var c = str.charCodeAt(i);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < str.length && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      var cp = 0x10000 + ((c - 0xd800) << 10) + (str.charCodeAt(++i) - 0xdc00);
      out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    } else {
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
  }
  return out;
}
G.sha256 = function sha256(value) {
  if (value === null || value === undefined) throw new TypeError('sha256 needs a string or a number, got ' + value);
  var bytes = utf8(typeof value === 'string' ? value : String(value));
  var bits = bytes.length * 8;
  var hi = Math.floor(bits / 0x100000000), lo = bits >>> 0;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) bytes.push(0);
  bytes.push((hi >>> 24) & 255, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, (lo >>> 24) & 255, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);
  var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  var W = new Array(64);
  for (var off = 0; off < bytes.length; off += 64) {
    var t;
    for (t = 0; t < 16; t++) W[t] = (bytes[off + 4 * t] << 24) | (bytes[off + 4 * t + 1] << 16) | (bytes[off + 4 * t + 2] << 8) | bytes[off + 4 * t + 3];
    for (t = 16; t < 64; t++) {
      var x = W[t - 15], y = W[t - 2];
      var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
    }
    var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (t = 0; t < 64; t++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
    H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
  }
  var hex = '';
  for (var i = 0; i < 8; i++) hex += ('00000000' + (H[i] >>> 0).toString(16)).slice(-8);
  return hex;
};

if (hostFetch !== undefined) {
  var plainHeaders = function (headers) {
    var out = {};
    if (headers && typeof headers === 'object') {
      for (var name in headers) if (typeof headers[name] === 'string') out[name] = headers[name];
    }
    return out;
  };
  var request = function (input, init) {
    if (state === null) return Promise.reject(new Error('fetch works only while a transformation runs'));
    if (state.fetches >= maxFetches) return Promise.reject(new Error('fetch: at most ' + maxFetches + ' calls per batch'));
    state.fetches++;
    init = init || {};
    var body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : stringify(init.body);
    var json = stringify({ url: String(input), method: init.method, headers: plainHeaders(init.headers), body: body });
    return hostFetch.apply(undefined, [json], { result: { promise: true, copy: true } })
      .then(function (text) {
        var r = parse(text);
        if (r.error) throw new Error(r.error);
        return r;
      });
  };
  G.fetch = function fetch(input, init) {
    return request(input, init).then(function (r) {
      var headers = r.headers;
      return {
        ok: r.status >= 200 && r.status < 300, status: r.status, statusText: r.statusText, url: r.url,
        headers: { get: function (name) { var v = headers[String(name).toLowerCase()]; return v === undefined ? null : v; } },
        text: function () { return Promise.resolve(r.body); },
        json: function () { return Promise.resolve().then(function () { return parse(r.body); }); },
      };
    });
  };
  G.fetchV2 = function fetchV2(input, init) {
    return request(input, init).then(function (r) {
      var body = r.body;
      try { body = parse(r.body); } catch (e) {}
      return { status: r.status, headers: r.headers, body: body, url: r.url };
    });
  };
}

function errorMessage(e) {
  try {
    if (e instanceof Error) {
      var m = typeof e.message === 'string' && e.message ? e.message : String(e.name || 'Error');
      // isolated-vm rejects import() with this bare message.
      if (m === 'Not supported') m = 'dynamic import() is not available: transformations run without modules';
      return clip(m);
    }
    if (typeof e === 'string') return clip(e);
    return clip('threw ' + show(e));
  } catch (x) {
    return 'threw a value that cannot be described';
  }
}
function isEvent(v) { return v !== null && typeof v === 'object' && !isArray(v); }
function kindOf(v) { return v === null ? 'null' : isArray(v) ? 'an array' : 'a ' + typeof v; }
function failed(message) { return '{"kind":"failed","error":' + stringify(clip(message)) + '}'; }
var DROPPED = '{"kind":"dropped"}';
function outcomeOf(out) {
  if (out === null || out === undefined) return DROPPED;
  var list = isArray(out) ? out : [out];
  if (list.length === 0) return DROPPED;
  for (var i = 0; i < list.length; i++) {
    if (!isEvent(list[i])) {
      return failed('the transformation returned ' + kindOf(list[i]) + (list === out ? ' inside its array' : '') + '; return an event object, an array of events, or null to drop the event');
    }
  }
  try {
    // Plain JSON.stringify: a replacer that refused nested functions cost a fifth of the
    // sandbox's throughput, so nested functions and symbols are left out, as JSON leaves them.
    return '{"kind":"events","events":' + stringify(list) + '}';
  } catch (e) {
    return failed('the transformation returned a value that cannot leave the sandbox as JSON: ' + errorMessage(e));
  }
}
function isThenable(v) { return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function'; }

var user = null;
async function run(inputJson) {
  var input = parse(inputJson);
  var events = input.events;
  var n = events.length;
  state = {
    logs: [], logsDropped: 0, index: null, byObject: new WeakMap(), byId: new Map(), fetches: 0,
    meta: input.metadata, shared: input.shared, messageIds: input.messageIds,
  };
  for (var i = 0; i < n; i++) {
    var ev = events[i];
    if (isEvent(ev)) {
      state.byObject.set(ev, i);
      if (typeof ev.messageId === 'string' && !state.byId.has(ev.messageId)) state.byId.set(ev.messageId, i);
    }
  }
  var outcomes = new Array(n);
  var durations = new Array(n);
  var logs, logsDropped;
  try {
    var transformEvent = user.transformEvent;
    if (transformEvent) {
      for (i = 0; i < n; i++) {
        state.index = i;
        var started = now();
        try {
          var out = transformEvent(events[i], G.metadata);
          if (isThenable(out)) out = await out;
          outcomes[i] = outcomeOf(out);
        } catch (e) {
          outcomes[i] = failed(errorMessage(e));
        }
        durations[i] = now() - started;
      }
    } else {
      state.index = null;
      var batchStarted = now();
      runBatch(await callBatch(events), events, outcomes);
      var each = (now() - batchStarted) / (n || 1);
      for (i = 0; i < n; i++) durations[i] = each;
    }
  } finally {
    logs = state.logs;
    logsDropped = state.logsDropped;
    state = null;
  }
  return '{"outcomes":[' + outcomes.join(',') + '],"durationsMs":' + stringify(durations) + ',"logs":' + stringify(logs) + ',"logsDropped":' + logsDropped + '}';
}
async function callBatch(events) {
  try {
    var transformBatch = user.transformBatch;
    var out = transformBatch(events, G.metadata);
    if (isThenable(out)) out = await out;
    return { out: out };
  } catch (e) {
    return { error: errorMessage(e) };
  }
}
function runBatch(result, events, outcomes) {
  var n = events.length, i;
  if (result.error !== undefined) { for (i = 0; i < n; i++) outcomes[i] = failed(result.error); return; }
  var out = result.out;
  if (out === null || out === undefined) { for (i = 0; i < n; i++) outcomes[i] = DROPPED; return; }
  if (!isArray(out)) {
    for (i = 0; i < n; i++) outcomes[i] = failed('transformBatch returned ' + kindOf(out) + '; return an array of events, or null to drop the whole batch');
    return;
  }
  var buckets = new Array(n);
  var invalid = new Array(n);
  for (i = 0; i < out.length; i++) {
    var o = out[i];
    var index = isEvent(o) ? state.byObject.get(o) : undefined;
    if (index === undefined && isEvent(o) && typeof o.messageId === 'string') index = state.byId.get(o.messageId);
    if (index === undefined) index = 0;
    if (!isEvent(o)) { invalid[index] = kindOf(o); continue; }
    (buckets[index] || (buckets[index] = [])).push(o);
  }
  for (i = 0; i < n; i++) {
    if (invalid[i] !== undefined) outcomes[i] = failed('transformBatch returned ' + invalid[i] + ' inside its array; every element must be an event object');
    else outcomes[i] = buckets[i] === undefined ? DROPPED : outcomeOf(buckets[i]);
  }
}

return function bind(namespace) {
  var transformEvent = namespace.transformEvent;
  var transformBatch = namespace.transformBatch;
  if (typeof transformEvent !== 'function' && typeof transformBatch !== 'function') {
    throw new Error('define export function transformEvent(event, metadata) or export function transformBatch(events, metadata)');
  }
  user = typeof transformEvent === 'function' ? { transformEvent: transformEvent } : { transformBatch: transformBatch };
  return run;
};
})()`;
