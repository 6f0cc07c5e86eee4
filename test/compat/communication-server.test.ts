/**
 * The communication server's own frames on the endpoint socket: `{"message": <any JSON>}` from
 * the spec's examples (the origin's) is a message.send; readers get the `message` event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocket } from '../helpers/socket.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, type TestApp } from '../helpers/tenancy.ts';
import { compatExamples } from './examples.ts';

describe.each(backends)('communication-server frames on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  beforeAll(async () => {
    server = await startTestServer({ backend });
    app = await createTestApp(server, 'comms');
    await app.rest.rooms.create({ name: 'plant' });
  });
  afterAll(() => server?.close());

  const open = async (permissions: 'read' | 'write' | 'readwrite', identity: string) => {
    const { path } = await app.rest.endpoints.create('plant', { permissions, identity });
    return openSocket(`${server.wsUrl}${path}`);
  };

  it("takes each of the origin's example frames as message.send; readers get the JSON as data", async () => {
    await using sender = await open('write', 'old-client');
    await using reader = await open('read', 'screen');
    const examples = compatExamples('CommunicationServerMessage');
    expect(examples.length).toBeGreaterThan(1);
    for (const frame of examples) {
      sender.send(frame);
      const reply = await sender.next((f) => f.action === 'message.send');
      expect(reply).toMatchObject({
        payload: { room: 'plant', data: frame.message, sender: { type: 'endpoint', identity: 'old-client' } },
      });
      expect(reply).not.toHaveProperty('ref');
      const heard = await reader.next((f) => f.action === 'message');
      expect(heard.payload).toMatchObject({ seq: (reply.payload as { seq: number }).seq, data: frame.message });
    }
    const stored = await app.rest.messages.list('plant', { after: 0, limit: 10 });
    expect(stored.items.map((m) => m.data)).toEqual(examples.map((f) => f.message));
  });

  it('applies the endpoint rules: a read endpoint is refused, and a frame with more keys is no such frame', async () => {
    await using reader = await open('read', 'watcher');
    reader.send({ message: 'not allowed' });
    expect(await reader.next((f) => f.action === 'message.send')).toMatchObject({ error: { code: 'forbidden' } });
    reader.send({ message: 'x', extra: 1 });
    expect(await reader.next((f) => f.action === 'error')).toMatchObject({ error: { code: 'bad_request' } });
  });
});
