// Reads the new trades out of a GET /api/v3/trades body without JSON.parse: the polling clients
// must cost what is new in a response, not a parse of all of it (the load must not be the limit).

const ID_KEY = Buffer.from('{"id":');
const TIME_KEY = Buffer.from('"time":');

/** Digits at buf[i…] as a number, or -1 when there is none. */
function readDigits(buf: Buffer, i: number): number {
  let v = 0;
  let n = 0;
  for (; i < buf.length; i++, n++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  return n > 0 ? v : -1;
}

/**
 * The trades of a /api/v3/trades response (an array, oldest first, each object starting with its
 * `id`) whose id is above `after`, as [id, time] pairs oldest first. The body is read from its end
 * and the scan stops at the first trade already held. Null when the body is not a trade array.
 */
export function newTrades(body: Buffer, after: number): [id: number, time: number][] | null {
  if (body[0] !== 0x5b /* '[' */) return null;
  const out: [number, number][] = [];
  let pos = body.length;
  while (pos > 0) {
    const at = body.lastIndexOf(ID_KEY, pos - 1);
    if (at < 0) break;
    const id = readDigits(body, at + ID_KEY.length);
    if (id < 0) return null;
    if (id <= after) break;
    const t = body.indexOf(TIME_KEY, at);
    const time = t < 0 ? -1 : readDigits(body, t + TIME_KEY.length);
    if (time < 0) return null;
    out.push([id, time]);
    pos = at;
  }
  return out.reverse();
}
