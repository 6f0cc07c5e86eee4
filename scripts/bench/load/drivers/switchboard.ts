/**
 * The client side of Switchboard, as its specs describe it: the operator creates an app
 * (`POST /v1/apps`, bearer ADMIN_TOKEN), the app creates rooms and a read and a write endpoint
 * per room (`API-Key`), and sockets join with `/ws/endpoint/<code>`, ready on `connected`.
 * Publishers send `message.send`; readers get `message`.
 */
import { isRecord } from '../../messages.ts';
import type { Driver, Prepared, Target } from './types.ts';
import { toWsUrl, WsBenchSocket } from './ws-socket.ts';

const CONNECTED = Buffer.from('{"action":"connected"');
const ERROR = Buffer.from('"error":{');

interface RoomPaths {
  read: string;
  write: string;
}

/** The server has no apps, rooms or endpoints yet: the peer is reported as not available. */
export class Unavailable extends Error {}

/** POSTs JSON and returns the 201 body. */
export async function post(url: string, headers: Record<string, string>, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const path = new URL(url).pathname;
  if (response.status === 404 && path === '/v1/apps') {
    throw new Unavailable('the server answers 404 to POST /v1/apps: apps, rooms and endpoints are not implemented yet');
  }
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed)) throw new Error(`POST ${path} answered a non-object`);
  return parsed;
}

/** A string field of a response body. */
export function stringField(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new Error(`the response has no string "${key}"`);
  return value;
}

/** Drives a Switchboard node (or two sharing Postgres and Redis). */
export function switchboardDriver(target: Target): Driver {
  const rooms: RoomPaths[] = [];
  const room = (index: number): RoomPaths => {
    const paths = rooms[index];
    if (!paths) throw new Error(`room ${index} was not prepared`);
    return paths;
  };

  const prepare = async (count: number): Promise<Prepared> => {
    try {
      const app = await post(
        `${target.publishUrl}/v1/apps`,
        { authorization: `Bearer ${target.adminToken}` },
        { name: `bench-${Date.now()}` },
      );
      const auth = { 'api-key': stringField(app, 'apiKey') };
      for (let index = 0; index < count; index++) {
        const name = `r${index}`;
        await post(`${target.publishUrl}/v1/rooms`, auth, { name, history: target.history });
        const endpoints = `${target.publishUrl}/v1/rooms/${name}/endpoints`;
        const read = await post(endpoints, auth, { permissions: 'read', identity: 'reader' });
        const write = await post(endpoints, auth, { permissions: 'write', identity: 'publisher' });
        rooms.push({ read: stringField(read, 'path'), write: stringField(write, 'path') });
      }
      return { available: true };
    } catch (err) {
      if (err instanceof Unavailable) return { available: false, reason: err.message };
      throw err;
    }
  };

  const open = (url: string, onFrame: (frame: Buffer) => void) =>
    new WsBenchSocket(url, {
      readyOnOpen: false,
      frame: (socket, frame) => {
        if (socket.isReady) return onFrame(frame);
        if (frame.subarray(0, CONNECTED.length).equals(CONNECTED)) socket.markReady();
        else socket.fail(new Error(`the first frame was not "connected": ${frame.toString().slice(0, 200)}`));
      },
    });

  return {
    prepare,
    reader: (index, sink) => open(`${toWsUrl(target.readUrl)}${room(index).read}`, sink),
    publisher: (index, onRefused) =>
      open(`${toWsUrl(target.publishUrl)}${room(index).write}`, (frame) => {
        // Replies to message.send are the message itself; only a refusal carries an error object.
        if (frame.indexOf(ERROR) >= 0) onRefused(frame.toString());
      }),
    publishFrame: (json) => `{"action":"message.send","payload":{"data":${json}}}`,
  };
}
